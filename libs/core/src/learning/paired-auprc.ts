import { SeededRandom } from '../seeded-random.js';
import { averagePrecision, type ScoredExposure } from './model-evaluation.js';

/** The paired difference in AUPRC (candidate − current) on the same held-out outcomes, with its bootstrap interval. */
export interface PairedAuprc {
  /** AUPRC(candidate) − AUPRC(current) on all held-out outcomes; null without positives. */
  readonly difference: number | null;
  /** Quantiles of the difference over incident-level bootstrap replicates (null without positives). */
  readonly lower: number | null;
  readonly upper: number | null;
  readonly replicates: number;
}

/** Options of pairedAuprc. */
export interface PairedAuprcOptions {
  /** Bootstrap replicates (default 200). */
  readonly replicates?: number;
  /** Two-sided coverage of [lower, upper] (default 0.9: each bound is a one-sided 95% bound). */
  readonly coverage?: number;
  /** Seed of the resampling (default 1): the same inputs always give the same interval. */
  readonly seed?: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (position - lo);
}

/**
 * A paired, incident-level (cluster) bootstrap of AUPRC(candidate) − AUPRC(current): each replicate draws the
 * held-out incidents with replacement and scores both models on the same draw, so what the two share (which incidents
 * were easy) cancels. `candidate` and `current` must be the same exposures in the same order (scoreHeldOut of one
 * held-out list). Replicates without a positive are skipped.
 */
export function pairedAuprc(candidate: readonly ScoredExposure[], current: readonly ScoredExposure[], incidents: number, options: PairedAuprcOptions = {}): PairedAuprc {
  if (candidate.length !== current.length) throw new RangeError(`paired AUPRC needs the same exposures: ${candidate.length} vs ${current.length}`);
  const c = averagePrecision(candidate);
  const k = averagePrecision(current);
  const replicates = options.replicates ?? 200;
  if (c === null || k === null) return { difference: null, lower: null, upper: null, replicates: 0 };
  const byIncident: number[][] = Array.from({ length: incidents }, () => []);
  candidate.forEach((s, i) => byIncident[s.incident]?.push(i));
  const random = new SeededRandom(options.seed ?? 1);
  const differences: number[] = [];
  const drawnC: ScoredExposure[] = [];
  const drawnK: ScoredExposure[] = [];
  for (let r = 0; r < replicates; r++) {
    drawnC.length = 0;
    drawnK.length = 0;
    for (let n = 0; n < incidents; n++) {
      for (const i of byIncident[random.int(incidents)] ?? []) {
        drawnC.push(candidate[i]);
        drawnK.push(current[i]);
      }
    }
    const dc = averagePrecision(drawnC);
    const dk = averagePrecision(drawnK);
    if (dc !== null && dk !== null) differences.push(dc - dk);
  }
  if (differences.length === 0) return { difference: c - k, lower: null, upper: null, replicates: 0 };
  differences.sort((a, b) => a - b);
  const tail = (1 - (options.coverage ?? 0.9)) / 2;
  return { difference: c - k, lower: quantile(differences, tail), upper: quantile(differences, 1 - tail), replicates: differences.length };
}
