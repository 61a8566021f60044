import type { ModelParameters } from '../model/model-parameters.js';
import type { PropagationSource, RiskEntry, ScoringOptions } from '../propagation/propagation-score.js';
import { scorePropagation } from '../propagation/score-propagation.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { healthyEvidence, type HealthyEvidence } from './healthy-evidence.js';
import type { IncidentAssessment } from './incident-assessment.js';
import { assertTime, type IncidentState } from './incident-state.js';

/** Scoring options of an assessment; caller nodeFactors are multiplied with the evidence factors. */
export type AssessmentOptions = ScoringOptions;

/** The state after an assessment and the assessment itself. */
export interface AssessmentResult {
  readonly state: IncidentState;
  readonly assessment: IncidentAssessment;
}

/**
 * Re-scores an incident at event time `now`: active sources spread, retired sources are removed (factor 0: a
 * recovered VM neither transmits nor is re-affected), VMs seen healthy are down-weighted by their evidence factor,
 * computed from a first pass without that evidence and applied in a second pass (which also lowers their downstream).
 */
export function assess(
  state: IncidentState,
  snapshot: TopologySnapshot,
  model: ModelParameters,
  now: number,
  options: AssessmentOptions = {},
): AssessmentResult {
  assertTime(now, 'now');
  const unknown = new Set<string>();
  const sources: PropagationSource[] = [];
  let severity = 0;
  for (const [vmId, s] of state.sources) {
    if (!snapshot.hasVm(vmId)) {
      unknown.add(vmId);
      continue;
    }
    sources.push({ vmId, onsetAt: s.onsetAt });
    severity = Math.max(severity, s.severity);
  }
  sources.sort((a, b) => compareIds(a.vmId, b.vmId));
  for (const vmId of [...state.retired.keys(), ...state.healthySeenAt.keys()]) if (!snapshot.hasVm(vmId)) unknown.add(vmId);

  const estimator = options.estimator ?? 'mpp';
  let atRisk: readonly RiskEntry[] = [];
  let evidence: readonly HealthyEvidence[] = [];
  if (sources.length > 0) {
    const baseFactors = new Map(options.nodeFactors ?? []);
    for (const vmId of state.retired.keys()) if (!state.sources.has(vmId)) baseFactors.set(vmId, 0);
    const first = scorePropagation(snapshot, model, state.anomalyType, sources, { ...options, nodeFactors: baseFactors });
    const healthy = new Map([...state.healthySeenAt].filter(([vmId]) => !state.sources.has(vmId) && snapshot.hasVm(vmId)));
    evidence = healthyEvidence(healthy, first.atRisk, sources);
    atRisk = first.atRisk;
    if (evidence.length > 0) {
      const factors = new Map(baseFactors);
      for (const e of evidence) factors.set(e.vmId, (factors.get(e.vmId) ?? 1) * e.factor);
      atRisk = scorePropagation(snapshot, model, state.anomalyType, sources, { ...options, nodeFactors: factors }).atRisk;
    }
    atRisk = atRisk.filter((r) => r.probability > 0 && !state.sources.has(r.vmId) && !state.retired.has(r.vmId));
  }

  const version = state.version + 1;
  const assessment: IncidentAssessment = {
    incidentId: state.incidentId,
    version,
    anomalyType: state.anomalyType,
    status: state.status,
    severity,
    sources,
    generatedAt: now,
    modelVersion: model.version,
    snapshotVersion: snapshot.version,
    estimator,
    atRisk,
    healthyEvidence: evidence,
    unknownVmIds: [...unknown].sort(compareIds),
  };
  return { state: { ...state, version, lastAssessment: assessment }, assessment };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
