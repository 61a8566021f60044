import { ForesightError } from '../errors.js';

/**
 * The kinds of pathway an anomaly can travel. API_CALL and NETWORK edges point from the caller / flow source
 * to the callee / flow target; SHARED_STORAGE from the VM to its storage peer; CO_LOCATED is derived from a
 * shared hostId and is symmetric.
 */
export const PATHWAY_KINDS = ['NETWORK', 'API_CALL', 'SHARED_STORAGE', 'CO_LOCATED'] as const;
export type PathwayKind = (typeof PATHWAY_KINDS)[number];
/** Kinds that are observed (published as flows); CO_LOCATED is derived. */
export const OBSERVED_PATHWAY_KINDS = ['NETWORK', 'API_CALL', 'SHARED_STORAGE'] as const;

export const PATHWAY_KIND_INDEX: Readonly<Record<PathwayKind, number>> = { NETWORK: 0, API_CALL: 1, SHARED_STORAGE: 2, CO_LOCATED: 3 };

/** Whether an anomaly travels along the edge (source → target) or against it (target → source). */
export type Direction = 'forward' | 'reverse';

/** Observed features of a communication pathway. */
export interface PathwayFeatures {
  readonly bandwidthMbps: number;
  readonly callsPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Fraction of failed calls, 0..1. */
  readonly errorRate: number;
  /** Event time (ms since epoch) of the last observation. */
  readonly lastSeenAt: number;
}

/** A directed communication pathway between two VMs. */
export interface Pathway {
  readonly source: string;
  readonly target: string;
  readonly kind: PathwayKind;
  readonly features: PathwayFeatures;
}

export const NEUTRAL_FEATURES: PathwayFeatures = Object.freeze({
  bandwidthMbps: 0,
  callsPerSec: 0,
  latencyP50Ms: 0,
  latencyP99Ms: 0,
  errorRate: 0,
  lastSeenAt: 0,
});

export function isPathwayKind(value: unknown): value is PathwayKind {
  return typeof value === 'string' && (PATHWAY_KINDS as readonly string[]).includes(value);
}

/** Stable key of a pathway: one pathway per (source, target, kind). */
export function pathwayKey(source: string, target: string, kind: PathwayKind): string {
  return `${source}\u0000${target}\u0000${kind}`;
}

/** Throws INVALID_FEATURE naming the field when a feature is NaN, infinite or negative (or errorRate > 1). */
export function assertPathwayFeatures(features: PathwayFeatures, where: string): void {
  for (const key of ['bandwidthMbps', 'callsPerSec', 'latencyP50Ms', 'latencyP99Ms', 'errorRate', 'lastSeenAt'] as const) {
    const v = features[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ForesightError('INVALID_FEATURE', `${where}: ${key} must be a finite number ≥ 0, got ${String(v)}`);
    }
  }
  if (features.errorRate > 1) {
    throw new ForesightError('INVALID_FEATURE', `${where}: errorRate must be ≤ 1, got ${features.errorRate}`);
  }
}

export function assertPathway(pathway: Pathway): void {
  const where = `pathway ${pathway.source} -> ${pathway.target}`;
  if (typeof pathway.source !== 'string' || pathway.source.length === 0 || typeof pathway.target !== 'string' || pathway.target.length === 0) {
    throw new ForesightError('INVALID_ARGUMENT', `${where}: source and target must be non-empty VM ids`);
  }
  if (pathway.source === pathway.target) {
    throw new ForesightError('INVALID_ARGUMENT', `${where}: a pathway cannot loop on one VM`);
  }
  if (!isPathwayKind(pathway.kind) || pathway.kind === 'CO_LOCATED') {
    throw new ForesightError('INVALID_ARGUMENT', `${where}: kind must be one of NETWORK, API_CALL, SHARED_STORAGE, got ${String(pathway.kind)}`);
  }
  assertPathwayFeatures(pathway.features, where);
}
