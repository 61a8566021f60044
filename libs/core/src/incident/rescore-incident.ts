import type { ModelParameters } from '../model/model-parameters.js';
import type { EstimatorName, RiskEntry } from '../propagation/propagation-score.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { assess } from './assess-incident.js';
import type { IncidentAssessment } from './incident-assessment.js';
import type { TrackedIncident } from './tracked-incident.js';

/** What one published version of an incident's risk says, before it becomes a message. */
export interface RiskVersion {
  readonly incidentId: string;
  readonly systemId: string;
  readonly version: number;
  readonly closed: boolean;
  readonly assessment: IncidentAssessment;
  /** generatedAt of this version (never earlier than the previous one's). */
  readonly generatedAt: number;
}

/** How an incident is re-scored. */
export interface RescoreOptions {
  readonly estimator: EstimatorName;
  /** Scoring floor: VMs less likely than this are not at risk. */
  readonly probabilityFloor: number;
  /** At most this many at-risk VMs per version (published, and kept for joining later reports). */
  readonly maxAtRisk: number;
}

/** The incident's next version and the incident as tracked after it (undefined once the version is CLOSED). */
export interface RescoredIncident {
  readonly version: RiskVersion;
  readonly next: TrackedIncident | undefined;
}

/** Why a time-driven pass re-scores an incident: no evidence for the time-out (it closes), or an outdated assessment. */
export type RescoreReason = 'expired' | 'outdated';

/** The at-risk entries a version publishes: none once closed, else the `max` most likely. */
export function publishedAtRisk(version: RiskVersion, max: number): readonly RiskEntry[] {
  return version.closed ? [] : version.assessment.atRisk.slice(0, max);
}

/**
 * Re-scores one incident at event time `now` (never before its last assessment) with `model` on `snapshot`: the next
 * version, CLOSED when `close` (timed out) or when its evidence says it resolved; an open incident keeps its
 * published at-risk VMs (how later reports join it) and the observed VMs the snapshot did not know.
 */
export function rescoreIncident(
  incident: TrackedIncident, snapshot: TopologySnapshot, model: ModelParameters, now: number, close: boolean, options: RescoreOptions,
): RescoredIncident {
  const generatedAt = Math.max(now, incident.generatedAt);
  const { state, assessment } = assess(incident.state, snapshot, model, generatedAt, { estimator: options.estimator, floor: options.probabilityFloor });
  const closed = close || state.status === 'RESOLVED';
  const version: RiskVersion = { incidentId: state.incidentId, systemId: incident.systemId, version: incident.riskVersion + 1, closed, assessment, generatedAt };
  if (closed) return { version, next: undefined };
  return {
    version,
    next: {
      ...incident,
      state: { ...state, lastAssessment: null },
      riskVersion: version.version,
      generatedAt,
      modelVersion: model.version,
      predicted: new Map(publishedAtRisk(version, options.maxAtRisk).map((e) => [e.vmId, e.probability])),
      unknownVmIds: assessment.unknownVmIds,
    },
  };
}

/**
 * Whether a time-driven pass at event time `now` re-scores an incident: `expired` when it had no anomalous evidence
 * for `timeoutMs`, `outdated` when it was assessed with another model version than `modelVersion` or names VMs that
 * `knowsVm` (the topology now) knows but its last snapshot did not; undefined otherwise.
 */
export function rescoreDue(
  incident: TrackedIncident, now: number, modelVersion: number, timeoutMs: number, knowsVm: (vmId: string) => boolean,
): RescoreReason | undefined {
  if (now - incident.lastEvidenceAt >= timeoutMs) return 'expired';
  if (incident.modelVersion !== modelVersion || incident.unknownVmIds.some(knowsVm)) return 'outdated';
  return undefined;
}
