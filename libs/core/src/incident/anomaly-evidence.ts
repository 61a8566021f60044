import { isForesightError } from '../errors.js';
import { normaliseAnomalyType } from '../model/anomaly-type.js';
import type { ModelParameters } from '../model/model-parameters.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { incidentForAnomaly, incidentForScope, incidentsWithSource, sameScope } from './incident-matching.js';
import { observeAnomalous, observeRecovered, openIncident, type IncidentState, type InitialSource } from './incident-state.js';
import type { OriginScope } from './origin-evidence.js';
import { originSources } from './origin-sources.js';
import { traceOrigin } from './trace-origin.js';
import type { AnomalyReport, TracedScope, TrackedIncident } from './tracked-incident.js';

/** How group- and system-level reports become sources. */
export interface OriginOptions {
  /** At most this many traced origins become sources (default 1; more hedges and over-estimates spread). */
  readonly originCount: number;
  /** Beyond the first, keep origins with at least this posterior. */
  readonly minOriginPosterior: number;
}

/** The incidents of a system after one anomaly, which of them to re-score, and why nothing changed if so. */
export interface EvidenceOutcome {
  readonly incidents: TrackedIncident[];
  readonly touched: ReadonlySet<string>;
  /** VMs the evidence named (scoring should see them if the topology knows them). */
  readonly vmIds: readonly string[];
  readonly ignored?: 'recovery_without_incident' | 'unknown_scope' | 'resolution_without_incident';
}

/** The incident id an anomaly opens: derived from its cause, so a redelivery opens the same incident. */
export function incidentIdFor(event: AnomalyReport): string {
  return `incident:${event.eventId}`;
}

function opened(event: AnomalyReport, now: number, state: IncidentState, scopes: TrackedIncident['scopes']): TrackedIncident {
  return { systemId: event.systemId, state, riskVersion: 0, lastEvidenceAt: now, generatedAt: now, modelVersion: 0, scopes, predicted: new Map(), unknownVmIds: [] };
}

function replaced(incidents: readonly TrackedIncident[], index: number, incident: TrackedIncident): TrackedIncident[] {
  return incidents.map((old, i) => (i === index ? incident : old));
}

/**
 * A VM-level report. OPEN: the VM joins the incident where it is a source or was predicted at risk (see
 * incidentForAnomaly), or opens one; a VM the topology does not know is recorded all the same (the core's assess
 * leaves it out and lists it in unknownVmIds until the topology knows it). RESOLVED: the VM recovers in every
 * incident where it is an active source; a recovery matching none changes nothing.
 */
export function applyComponentAnomaly(incidents: readonly TrackedIncident[], event: AnomalyReport, now: number): EvidenceOutcome {
  const vmId = event.subjectId;
  const anomalyType = normaliseAnomalyType(event.anomalyType);
  if (event.state === 'RESOLVED') {
    const indexes = incidentsWithSource(incidents, vmId, anomalyType);
    if (indexes.length === 0) return { incidents: [...incidents], touched: new Set(), vmIds: [vmId], ignored: 'recovery_without_incident' };
    const next = incidents.map((incident, i) => (indexes.includes(i) ? { ...incident, state: observeRecovered(incident.state, vmId, event.eventTime) } : incident));
    return { incidents: next, touched: new Set(indexes.map((i) => next[i].state.incidentId)), vmIds: [vmId] };
  }
  const index = incidentForAnomaly(incidents, vmId, anomalyType);
  if (index === undefined) {
    const state = openIncident(incidentIdFor(event), anomalyType, event.eventTime, [{ vmId, onsetAt: event.eventTime, severity: event.severity }]);
    return { incidents: [...incidents, opened(event, now, state, [])], touched: new Set([state.incidentId]), vmIds: [vmId] };
  }
  const incident = incidents[index];
  const state = observeAnomalous(incident.state, vmId, event.eventTime, event.severity);
  const next = replaced(incidents, index, { ...incident, state, lastEvidenceAt: Math.max(incident.lastEvidenceAt, now) });
  return { incidents: next, touched: new Set([state.incidentId]), vmIds: [vmId] };
}

/**
 * A group- or system-level report. OPEN: when an open incident of the type already explains the scope it only
 * keeps that incident alive; otherwise the origin is traced (traceOrigin over the scope, onset = the report's time)
 * and the best origin(s) open an incident. A scope the snapshot has no VM of is ignored (reported as
 * `unknown_scope`). RESOLVED: the origins traced for that scope recover.
 */
export function applyScopeAnomaly(
  incidents: readonly TrackedIncident[], event: AnomalyReport, now: number, snapshot: TopologySnapshot, model: ModelParameters, options: OriginOptions,
): EvidenceOutcome {
  const level: TracedScope['level'] = event.level === 'GROUP' ? 'GROUP' : 'SYSTEM';
  const scope: OriginScope = { level, id: event.subjectId };
  const anomalyType = normaliseAnomalyType(event.anomalyType);
  if (event.state === 'RESOLVED') {
    const touched = new Set<string>();
    const next = incidents.map((incident) => {
      const traced = incident.scopes.find((s) => sameScope(s, scope));
      if (traced === undefined || incident.state.anomalyType !== anomalyType) return incident;
      let state = incident.state;
      for (const vmId of traced.originVmIds) if (state.sources.has(vmId)) state = observeRecovered(state, vmId, event.eventTime);
      touched.add(state.incidentId);
      return { ...incident, state, scopes: incident.scopes.filter((s) => s !== traced) };
    });
    return touched.size === 0
      ? { incidents: next, touched, vmIds: [], ignored: 'resolution_without_incident' }
      : { incidents: next, touched, vmIds: [] };
  }
  const index = incidentForScope(incidents, scope, anomalyType, snapshot);
  if (index !== undefined) {
    const incident = incidents[index];
    const scopes = incident.scopes.some((s) => sameScope(s, scope)) ? incident.scopes : [...incident.scopes, { level, id: scope.id, originVmIds: [] }];
    return { incidents: replaced(incidents, index, { ...incident, scopes, lastEvidenceAt: Math.max(incident.lastEvidenceAt, now) }), touched: new Set(), vmIds: [] };
  }
  let sources: InitialSource[];
  try {
    const ranked = traceOrigin(snapshot, model, anomalyType, { scope, anomalous: [], reportedAt: event.eventTime });
    sources = originSources(ranked, { k: options.originCount, minPosterior: options.minOriginPosterior, onsetAt: event.eventTime })
      .map((s) => ({ vmId: s.vmId, onsetAt: s.onsetAt, severity: event.severity }));
  } catch (error) {
    if (isForesightError(error, 'EMPTY_SOURCES')) return { incidents: [...incidents], touched: new Set(), vmIds: [], ignored: 'unknown_scope' };
    throw error;
  }
  const state = openIncident(incidentIdFor(event), anomalyType, event.eventTime, sources);
  const traced: TracedScope = { level, id: scope.id, originVmIds: sources.map((s) => s.vmId) };
  return { incidents: [...incidents, opened(event, now, state, [traced])], touched: new Set([state.incidentId]), vmIds: traced.originVmIds };
}
