import type { Resources } from '../resources.js';
import type { PathwayKind } from '../topology/pathway.js';

/**
 * Logistic coefficients of one (anomaly type, pathway kind, direction): p = σ(weights · x + vulnerability offset),
 * x = featureVector(...) (see transmission.ts), and the mean delay of one hop.
 */
export interface CarrierParameters {
  readonly weights: readonly number[];
  readonly delayMs: number;
}

/** Which pathways carry one anomaly type, in which direction; an absent entry does not carry it. */
export interface CarrierTable {
  readonly forward?: CarrierParameters;
  readonly reverse?: CarrierParameters;
}

export interface AnomalyTypeParameters {
  readonly carriers: { readonly [K in PathwayKind]?: CarrierTable };
  /** Proactive grant at severity 1 for this type. */
  readonly grantSize: Resources;
}

/** A Beta(alpha, beta) posterior over the chance that a VM, once exposed, becomes anomalous. */
export interface BetaPosterior {
  readonly alpha: number;
  readonly beta: number;
}

/** Everything the model has learned. Versioned; serialisable to JSON (see model-codec.ts). */
export interface ModelParameters {
  readonly modelId: string;
  readonly version: number;
  readonly parentVersion: number | null;
  /** Event time (ms) at which this version was produced. */
  readonly createdAt: number;
  /** Per anomaly type; must contain `generic`, used for types the model has not seen. */
  readonly types: Readonly<Record<string, AnomalyTypeParameters>>;
  /** How strongly a target's historical vulnerability shifts its log-odds (0 turns vulnerability off). */
  readonly vulnerabilityWeight: number;
  readonly vulnerabilityPrior: BetaPosterior;
  /** Per VM id; VMs absent here use the prior. */
  readonly vulnerability: Readonly<Record<string, BetaPosterior>>;
  /** Grant when probability ≥ grantThreshold; keep an existing grant while ≥ releaseThreshold (hysteresis). */
  readonly grantThreshold: number;
  readonly releaseThreshold: number;
  /** How long after an incident's onset a prediction is judged. */
  readonly horizonMs: number;
}
