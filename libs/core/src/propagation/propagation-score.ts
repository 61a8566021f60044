import type { Direction, PathwayKind } from '../topology/pathway.js';

/** Which estimator produced a score. */
export type EstimatorName = 'mpp' | 'multipath' | 'montecarlo';

/** A VM known to be anomalous, with the event time its anomaly began. */
export interface PropagationSource {
  readonly vmId: string;
  readonly onsetAt: number;
}

/** One hop of an explanation: how much it contributed to the path's probability and time. */
export interface HopContribution {
  readonly from: string;
  readonly to: string;
  readonly kind: PathwayKind;
  readonly direction: Direction;
  /** Transmission probability of this hop. */
  readonly probability: number;
  /** Expected delay of this hop. */
  readonly delayMs: number;
  /** For CO_LOCATED hops: the shared host. */
  readonly hostId?: string;
}

/** One VM at risk: how likely, how soon, and the likeliest way the anomaly gets there. */
export interface RiskEntry {
  readonly vmId: string;
  readonly probability: number;
  /** Expected event time of impact (onset of the path's source + the path's expected delays). */
  readonly etaAt: number;
  /** VM ids from a source to this VM along the likeliest path (hosts are not listed; see contributions). */
  readonly path: readonly string[];
  readonly contributions: readonly HopContribution[];
}

/** The result of scoring one anomaly type from a set of sources over one snapshot. */
export interface PropagationScore {
  readonly anomalyType: string;
  /** The model type whose parameters were used ('generic' for types the model has not seen). */
  readonly resolvedType?: string;
  readonly estimator: EstimatorName;
  readonly sources: readonly PropagationSource[];
  /** Reachable VMs other than the sources, at or above the floor, by probability (desc), then vmId. */
  readonly atRisk: readonly RiskEntry[];
  /** How many VMs the scoring visited (the neighbourhood an incident touched). */
  readonly touched: number;
}

/** How many at-risk entries to explain: all, none, or the first N by risk. */
export type ExplainOption = 'all' | 'none' | number;

/** Options of scorePropagation (all optional). */
export interface ScoringOptions {
  readonly estimator?: EstimatorName;
  /** Prune everything whose probability falls below this (default 0.01). 0 scores the whole reachable graph. */
  readonly floor?: number;
  /**
   * Evidence: per-VM factor in [0, 1] multiplying the probability of reaching (and so passing through) that VM;
   * 1 when absent. Used to down-weight VMs observed healthy well past their ETA.
   */
  readonly nodeFactors?: ReadonlyMap<string, number>;
  /**
   * Which entries get a path and contributions: 'all' (default), 'none', or the first N entries (by risk). Entries
   * left unexplained share one frozen empty path and contributions array; probabilities, ETAs and order are unchanged.
   */
  readonly explain?: ExplainOption;
  /** Monte Carlo only: number of cascades (default 2,000) and seed (default 1). */
  readonly samples?: number;
  readonly seed?: number;
}

/** Probability below which scoring prunes by default. */
export const DEFAULT_PROBABILITY_FLOOR = 0.01;
