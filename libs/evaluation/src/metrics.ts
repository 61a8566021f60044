import { SeededRandom } from '@foresight/core';

/** One scored candidate: score and whether it truly became anomalous. */
export interface Scored {
  readonly p: number;
  readonly y: boolean;
}

/** Average precision (area under the precision–recall curve): Σ over distinct scores (desc) of Δrecall × precision. */
export function averagePrecision(items: readonly Scored[]): number | null {
  return new PooledRanking([{ entries: items, zeroPositives: 0, zeroNegatives: 0 }]).averagePrecision();
}

/** Mean squared error of the scores against the 0/1 outcomes. */
export function brierScore(items: readonly Scored[]): number {
  if (items.length === 0) return 0;
  let sum = 0;
  for (const s of items) sum += (s.p - (s.y ? 1 : 0)) ** 2;
  return sum / items.length;
}

/** One incident's candidates: the scored ones (p > 0) and counts of unscored (p = 0) positives and negatives. */
export interface IncidentScores {
  readonly entries: readonly Scored[];
  readonly zeroPositives: number;
  readonly zeroNegatives: number;
}

/**
 * Candidates of many incidents pooled and sorted once, so that average precision under any incident weighting
 * (a bootstrap replicate) costs one linear pass. Unscored candidates share the lowest threshold (0).
 */
export class PooledRanking {
  private readonly scores: Float64Array;
  private readonly labels: Uint8Array;
  private readonly incident: Int32Array;
  private readonly zeroPositives: Float64Array;
  private readonly zeroNegatives: Float64Array;
  readonly incidents: number;

  constructor(perIncident: readonly IncidentScores[]) {
    this.incidents = perIncident.length;
    const all: { p: number; y: boolean; i: number }[] = [];
    perIncident.forEach((inc, i) => {
      for (const e of inc.entries) all.push({ p: e.p, y: e.y, i });
    });
    all.sort((a, b) => b.p - a.p);
    this.scores = Float64Array.from(all, (e) => e.p);
    this.labels = Uint8Array.from(all, (e) => (e.y ? 1 : 0));
    this.incident = Int32Array.from(all, (e) => e.i);
    this.zeroPositives = Float64Array.from(perIncident, (x) => x.zeroPositives);
    this.zeroNegatives = Float64Array.from(perIncident, (x) => x.zeroNegatives);
  }

  /** Average precision with each incident counted `weights[i]` times (default once); null without positives. */
  averagePrecision(weights?: Float64Array): number | null {
    const w = (i: number): number => (weights === undefined ? 1 : weights[i]);
    let positives = 0;
    for (let k = 0; k < this.scores.length; k++) if (this.labels[k] === 1) positives += w(this.incident[k]);
    let zeroPos = 0;
    let zeroNeg = 0;
    for (let i = 0; i < this.incidents; i++) {
      zeroPos += this.zeroPositives[i] * w(i);
      zeroNeg += this.zeroNegatives[i] * w(i);
    }
    positives += zeroPos;
    if (positives === 0) return null;
    let tp = 0;
    let fp = 0;
    let ap = 0;
    let previousRecall = 0;
    const n = this.scores.length;
    for (let k = 0; k < n; k++) {
      const weight = w(this.incident[k]);
      if (this.labels[k] === 1) tp += weight;
      else fp += weight;
      if (k + 1 < n && this.scores[k + 1] === this.scores[k]) continue;
      if (tp + fp === 0) continue;
      const recall = tp / positives;
      ap += (recall - previousRecall) * (tp / (tp + fp));
      previousRecall = recall;
    }
    if (zeroPos > 0) {
      tp += zeroPos;
      fp += zeroNeg;
      ap += (tp / positives - previousRecall) * (tp / (tp + fp));
    }
    return ap;
  }
}

/** A point estimate with a percentile bootstrap 95% interval. */
export interface Interval {
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Percentile bootstrap over incidents: each replicate draws `incidents` incidents with replacement (as per-incident
 * counts) and evaluates `statistic`; null replicates (e.g. no positives) are skipped. Reproducible from `seed`.
 */
export function bootstrapInterval(
  statistic: (weights: Float64Array | undefined) => number | null, incidents: number, replicates: number, seed: number,
): Interval | null {
  const value = statistic(undefined);
  if (value === null) return null;
  const random = new SeededRandom(seed);
  const values: number[] = [];
  const weights = new Float64Array(incidents);
  for (let r = 0; r < replicates; r++) {
    weights.fill(0);
    for (let k = 0; k < incidents; k++) weights[random.int(incidents)]++;
    const v = statistic(weights);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return { value, lo: value, hi: value };
  values.sort((a, b) => a - b);
  const at = (q: number): number => values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))];
  return { value, lo: at(0.025), hi: at(0.975) };
}

/**
 * Median of the values pooled over incidents, each incident's values counted `weights[i]` times (all once when
 * `weights` is undefined): a bootstrap statistic for pooled medians. Null when no value has weight.
 */
export function weightedMedian(perIncident: readonly (readonly number[])[], weights: Float64Array | undefined): number | null {
  const pairs: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < perIncident.length; i++) {
    const w = weights === undefined ? 1 : weights[i];
    if (w === 0) continue;
    for (const v of perIncident[i]) {
      pairs.push([v, w]);
      total += w;
    }
  }
  if (total === 0) return null;
  pairs.sort((a, b) => a[0] - b[0]);
  // The lower and upper middle values (equal unless the total weight is even and splits between two values).
  const lowerAt = (total - 1) / 2;
  const upperAt = total / 2;
  let seen = 0;
  let lower: number | undefined;
  for (const [v, w] of pairs) {
    if (lower === undefined && seen + w > lowerAt) lower = v;
    if (seen + w > upperAt) return (lower! + v) / 2;
    seen += w;
  }
  return lower ?? pairs[pairs.length - 1][0];
}

/** Ratio of weighted sums Σ w·num / Σ w·den (null when the denominator is 0): the statistic of most rates. */
export function weightedRatio(num: ArrayLike<number>, den: ArrayLike<number>, weights: Float64Array | undefined): number | null {
  let a = 0;
  let b = 0;
  for (let i = 0; i < num.length; i++) {
    const w = weights === undefined ? 1 : weights[i];
    a += w * num[i];
    b += w * den[i];
  }
  return b === 0 ? null : a / b;
}
