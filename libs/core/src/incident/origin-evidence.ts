import type { EstimatorName } from '../propagation/propagation-score.js';

/** The level an anomaly was reported at: a whole system, a group, or one component (VM). */
export type OriginScopeLevel = 'SYSTEM' | 'GROUP' | 'COMPONENT';

export const ORIGIN_SCOPE_LEVELS: readonly OriginScopeLevel[] = ['SYSTEM', 'GROUP', 'COMPONENT'];

/** Where the anomaly was reported: a system id, a group id, or a VM id, by level. */
export interface OriginScope {
  readonly level: OriginScopeLevel;
  readonly id: string;
}

/** A VM observed anomalous, with the event time it was first seen so. */
export interface AnomalousObservation {
  readonly vmId: string;
  readonly at: number;
}

/** What is known about an anomaly whose origin is sought. */
export interface OriginEvidence {
  readonly scope: OriginScope;
  /** Possibly empty: an anomaly reported at group or system level only. */
  readonly anomalous: readonly AnomalousObservation[];
  /** VMs known to be healthy (never anomalous during the episode). */
  readonly healthy?: readonly string[];
  /** Event time of the report; the onset used for candidates when no VM-level time is known. */
  readonly reportedAt?: number;
}

/** One ranked origin hypothesis. */
export interface OriginCandidate {
  readonly vmId: string;
  /** Softmax of logLikelihood + logPrior over every evaluated candidate. */
  readonly posterior: number;
  readonly logLikelihood: number;
  readonly logPrior: number;
  /** Onset that best explains the observed times (the observed time when the candidate was seen anomalous). */
  readonly onsetAt?: number;
  /** How many other anomalous VMs the candidate reaches at or above the scoring floor. */
  readonly explained: number;
}

/** Knobs of origin tracing; every default is stated in docs/incident-evidence-and-origin.md. */
export interface TraceOriginOptions {
  /** How many candidates to return (default 10). */
  readonly topK?: number;
  /** How many candidates to evaluate at most (default 200); chosen deterministically (see trace-origin.ts). */
  readonly maxCandidates?: number;
  /** Scoring floor per candidate (default 0.001): smaller probabilities count as `epsilon`. */
  readonly floor?: number;
  /** Probability used for an anomalous VM a candidate cannot reach (default 0.001). */
  readonly epsilon?: number;
  /** Weight of the timing term (default 1; 0 ignores observed times). */
  readonly timingWeight?: number;
  /**
   * Tolerance (ms) for an anomaly observed before a candidate's onset (detection jitter, clock skew; default 5,000):
   * each such millisecond costs 1/skew nats.
   */
  readonly clockSkewMs?: number;
  /**
   * Probability that an anomalous VM is among the reported anomalous VMs (default 0.7): an unreported candidate
   * pays log(1 − q), a reported one log q. Higher trusts the reports to include the origin.
   */
  readonly reportProbability?: number;
  /** Prior over origins: uniform, or each VM's vulnerability posterior mean (default; uniform without history). */
  readonly prior?: 'uniform' | 'vulnerability';
  /** Estimator used to score each candidate (default 'mpp': deterministic and gives per-path delays). */
  readonly estimator?: EstimatorName;
}

export const DEFAULT_ORIGIN_TOP_K = 10;
export const DEFAULT_MAX_ORIGIN_CANDIDATES = 200;
export const DEFAULT_ORIGIN_FLOOR = 0.001;
export const DEFAULT_ORIGIN_EPSILON = 0.001;
export const DEFAULT_CLOCK_SKEW_MS = 5_000;
export const DEFAULT_REPORT_PROBABILITY = 0.7;
