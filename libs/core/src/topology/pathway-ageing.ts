import type { PathwayFeatures, PathwayKind } from './pathway.js';

/** One flow window's measurements of a pathway, at the event time the window ended. */
export interface PathwayObservation {
  readonly bandwidthMbps: number;
  readonly callsPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly errorRate: number;
  readonly at: number;
}

/**
 * A pathway as the builder keeps it: exponentially weighted sums of every measured feature (and of the weights)
 * as of `updatedAt`, so the mean is a time-decayed mean with the configured half-life.
 */
export interface DecayedPathway {
  readonly source: string;
  readonly target: string;
  readonly kind: Exclude<PathwayKind, 'CO_LOCATED'>;
  /** Weighted sums of [bandwidthMbps, callsPerSec, latencyP50Ms, latencyP99Ms, errorRate]. */
  readonly sums: readonly [number, number, number, number, number];
  readonly weight: number;
  /** Event time the sums are decayed to (the latest observation). */
  readonly updatedAt: number;
  /** Event time of the latest observation. */
  readonly lastSeenAt: number;
}

const LN2 = Math.log(2);

/** The weight of something `ageMs` old under a half-life (1 for age ≤ 0). */
export function decayFactor(ageMs: number, halfLifeMs: number): number {
  return ageMs <= 0 ? 1 : Math.exp((-LN2 * ageMs) / halfLifeMs);
}

/**
 * Folds one observation into a pathway. In-order observations decay the old sums to their time; a late one
 * (older than `updatedAt`) enters with its own decayed weight, so the result does not depend on arrival order.
 */
export function observePathway(
  previous: DecayedPathway | undefined,
  pathway: Pick<DecayedPathway, 'source' | 'target' | 'kind'>,
  observation: PathwayObservation,
  halfLifeMs: number,
): DecayedPathway {
  const x = [observation.bandwidthMbps, observation.callsPerSec, observation.latencyP50Ms, observation.latencyP99Ms, observation.errorRate] as const;
  if (previous === undefined) {
    return { ...pathway, sums: [...x], weight: 1, updatedAt: observation.at, lastSeenAt: observation.at };
  }
  const late = observation.at < previous.updatedAt;
  const keep = late ? 1 : decayFactor(observation.at - previous.updatedAt, halfLifeMs);
  const add = late ? decayFactor(previous.updatedAt - observation.at, halfLifeMs) : 1;
  const s = previous.sums;
  return {
    source: previous.source,
    target: previous.target,
    kind: previous.kind,
    sums: [s[0] * keep + x[0] * add, s[1] * keep + x[1] * add, s[2] * keep + x[2] * add, s[3] * keep + x[3] * add, s[4] * keep + x[4] * add],
    weight: previous.weight * keep + add,
    updatedAt: Math.max(previous.updatedAt, observation.at),
    lastSeenAt: Math.max(previous.lastSeenAt, observation.at),
  };
}

/** A pathway restored from stored features (the decayed history itself is not stored: it restarts at weight 1). */
export function restoredPathway(pathway: Pick<DecayedPathway, 'source' | 'target' | 'kind'>, features: PathwayFeatures): DecayedPathway {
  return {
    ...pathway,
    sums: [features.bandwidthMbps, features.callsPerSec, features.latencyP50Ms, features.latencyP99Ms, features.errorRate],
    weight: 1,
    updatedAt: features.lastSeenAt,
    lastSeenAt: features.lastSeenAt,
  };
}

/**
 * The pathway's features at event time `now`: decayed means, with the traffic volume (bandwidth, calls/s) also
 * faded by the time since the pathway was last seen, so a pathway that is no longer observed carries less and less.
 * Latencies and the error rate are properties of the traffic, not volumes: they keep their mean.
 */
export function featuresAt(pathway: DecayedPathway, now: number, halfLifeMs: number): PathwayFeatures {
  const fade = decayFactor(now - pathway.lastSeenAt, halfLifeMs);
  const w = pathway.weight > 0 ? pathway.weight : 1;
  const [bandwidth, calls, p50, p99, errors] = pathway.sums;
  return {
    bandwidthMbps: (bandwidth / w) * fade,
    callsPerSec: (calls / w) * fade,
    latencyP50Ms: p50 / w,
    latencyP99Ms: p99 / w,
    errorRate: Math.min(1, errors / w),
    lastSeenAt: pathway.lastSeenAt,
  };
}
