import type { PathwayFeatures } from './pathway.js';

/** When a pathway's features have changed enough to be written and published again. */
export interface ChangeThresholds {
  /** Relative change of any feature that counts (e.g. 0.1 = 10%). */
  readonly relativeChange: number;
  /** A lastSeenAt that moved forward by this much counts too, so stored pathways do not look stale after a restart. */
  readonly lastSeenRefreshMs: number;
}

type MeasuredFeature = Exclude<keyof PathwayFeatures, 'lastSeenAt'>;

/**
 * Below these magnitudes a feature is noise: the relative change is taken against at least this much, so an error
 * rate going from 0.0001 to 0.0002 is not a 100% change.
 */
const FEATURE_FLOORS: Readonly<Record<MeasuredFeature, number>> = {
  bandwidthMbps: 0.1,
  callsPerSec: 0.1,
  latencyP50Ms: 0.1,
  latencyP99Ms: 0.1,
  errorRate: 0.001,
};

const MEASURED = Object.keys(FEATURE_FLOORS) as MeasuredFeature[];

/** True when `next` differs meaningfully from what was last written (`previous`); always true when nothing was. */
export function isMeaningfulChange(previous: PathwayFeatures | undefined, next: PathwayFeatures, thresholds: ChangeThresholds): boolean {
  if (previous === undefined) return true;
  if (next.lastSeenAt - previous.lastSeenAt >= thresholds.lastSeenRefreshMs) return true;
  for (const feature of MEASURED) {
    const a = previous[feature];
    const b = next[feature];
    const scale = Math.max(Math.abs(a), Math.abs(b), FEATURE_FLOORS[feature]);
    if (Math.abs(a - b) / scale > thresholds.relativeChange) return true;
  }
  return false;
}
