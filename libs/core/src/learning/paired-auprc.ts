import { SeededRandom } from '../seeded-random.js';
import { averagePrecision, type ScoredExposure } from './model-evaluation.js';

/** A paired difference (candidate − current) on the same held-out incidents, with its bootstrap interval. */
export interface PairedDifference {
  /** The difference on all held-out incidents; null when the statistic is undefined (e.g. AUPRC without positives). */
  readonly difference: number | null;
  /** Quantiles of the difference over incident-level bootstrap replicates (null when none was defined). */
  readonly lower: number | null;
  readonly upper: number | null;
  readonly replicates: number;
}

/** The AUPRC form of a paired difference. */
export type PairedAuprc = PairedDifference;

/** Options of a paired bootstrap. */
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
 * A paired, incident-level (cluster) bootstrap of a difference between two models: each replicate draws the held-out
 * incidents with replacement and `difference` scores both models on the same draw (a list of incident indices), so
 * what the two share (which incidents were easy) cancels. Replicates where it is undefined (null) are skipped.
 */
export function pairedBootstrap(incidents: number, difference: (draw: readonly number[]) => number | null, options: PairedAuprcOptions = {}): PairedDifference {
  const all = Array.from({ length: incidents }, (_, i) => i);
  const point = difference(all);
  if (point === null || incidents === 0) return { difference: point, lower: null, upper: null, replicates: 0 };
  const random = new SeededRandom(options.seed ?? 1);
  const differences: number[] = [];
  const draw = new Array<number>(incidents);
  for (let r = 0; r < (options.replicates ?? 200); r++) {
    for (let n = 0; n < incidents; n++) draw[n] = random.int(incidents);
    const d = difference(draw);
    if (d !== null) differences.push(d);
  }
  if (differences.length === 0) return { difference: point, lower: null, upper: null, replicates: 0 };
  differences.sort((a, b) => a - b);
  const tail = (1 - (options.coverage ?? 0.9)) / 2;
  return { difference: point, lower: quantile(differences, tail), upper: quantile(differences, 1 - tail), replicates: differences.length };
}

/**
 * pairedBootstrap of AUPRC(candidate) − AUPRC(current). `candidate` and `current` must be the same exposures in the
 * same order (scoreHeldOut of one held-out list).
 */
export function pairedAuprc(candidate: readonly ScoredExposure[], current: readonly ScoredExposure[], incidents: number, options: PairedAuprcOptions = {}): PairedAuprc {
  if (candidate.length !== current.length) throw new RangeError(`paired AUPRC needs the same exposures: ${candidate.length} vs ${current.length}`);
  const byIncident: number[][] = Array.from({ length: incidents }, () => []);
  candidate.forEach((s, i) => byIncident[s.incident]?.push(i));
  const drawnC: ScoredExposure[] = [];
  const drawnK: ScoredExposure[] = [];
  return pairedBootstrap(incidents, (draw) => {
    drawnC.length = 0;
    drawnK.length = 0;
    for (const n of draw) {
      for (const i of byIncident[n] ?? []) {
        drawnC.push(candidate[i]);
        drawnK.push(current[i]);
      }
    }
    const c = averagePrecision(drawnC);
    const k = averagePrecision(drawnK);
    return c === null || k === null ? null : c - k;
  }, options);
}
