import type { EstimatorName, PropagationSource, RiskEntry } from '../propagation/propagation-score.js';
import type { HealthyEvidence } from './healthy-evidence.js';

/** OPEN while at least one source is active (or none has been seen yet); RESOLVED once every source has recovered. */
export type IncidentStatus = 'OPEN' | 'RESOLVED';

/** One versioned re-score of an incident: who is at risk given every observation so far. */
export interface IncidentAssessment {
  readonly incidentId: string;
  /** The incident state's version after this assessment (each re-score is a new version). */
  readonly version: number;
  readonly anomalyType: string;
  readonly status: IncidentStatus;
  /** Max severity over active sources (0 when none). */
  readonly severity: number;
  /** Active sources the snapshot knows, by vmId. */
  readonly sources: readonly PropagationSource[];
  readonly generatedAt: number;
  readonly modelVersion: number;
  readonly snapshotVersion: number;
  readonly estimator: EstimatorName;
  readonly atRisk: readonly RiskEntry[];
  /** VMs seen healthy whose probability was down-weighted, with the factor applied (see healthy-evidence.ts). */
  readonly healthyEvidence: readonly HealthyEvidence[];
  /** Observed VM ids the snapshot does not know: recorded in the state, ignored by this assessment. */
  readonly unknownVmIds: readonly string[];
}
