import type { PodMetricRow } from './pod-metrics.js';

/** The signals of a pod's metric rows the rule watches. */
export const REACH_SIGNALS = ['cpuMillis', 'memoryMiB', 'clientP99', 'serverP99'] as const;
/** One of REACH_SIGNALS. */
export type ReachSignal = (typeof REACH_SIGNALS)[number];

/**
 * The rule that says which other pods a fault reached, fixed before any predictor was scored (docs/ingestion-nezha.md):
 * a pod is reached when, in at least `minRows` of its metric rows of the `afterMs` after the injection, one signal
 * exceeds median + k × max(1.4826 × MAD, madFloorShare × |median|) of its baseline: its `baselineRows` fault-free rows nearest
 * before the injection (topped up from after the fault's effect when fewer than `minBaselineRows` precede it). A row is
 * fault-free when it ends outside (injection, injection + effectMs] of every fault of its day.
 */
export interface ReachRule {
  readonly afterMs: number;
  readonly minRows: number;
  readonly baselineRows: number;
  readonly minBaselineRows: number;
  readonly effectMs: number;
  readonly k: number;
  readonly madFloorShare: number;
}

/**
 * The rule's values. NOTE: first fixed at k 5, floor 5 %, one row; on fault-free minutes that flagged 467 of 1,350
 * pod checks (per-minute p99 latencies have heavy tails), so k, the floor and the persistence were raised on
 * fault-free minutes alone, before any predictor was scored (docs/evaluation.md).
 */
export const REACH_RULE: ReachRule = Object.freeze({
  afterMs: 3 * 60_000,
  minRows: 2,
  baselineRows: 20,
  minBaselineRows: 8,
  effectMs: 7 * 60_000,
  k: 8,
  madFloorShare: 0.2,
});

/** Normal consistency of the MAD: 1.4826 × MAD estimates σ for normal data. */
const MAD_TO_SIGMA = 1.4826;

/** One pod's metric rows of a day, oldest first. */
export interface PodSeries {
  readonly pod: string;
  readonly rows: readonly PodMetricRow[];
}

/** One signal of one row above its baseline threshold. */
export interface ReachFlag {
  readonly signal: ReachSignal;
  readonly at: number;
  readonly value: number;
  readonly threshold: number;
}

/** A pod the rule says the fault reached: its flags, the first one first. */
export interface ReachedPod {
  readonly pod: string;
  readonly flags: readonly ReachFlag[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** median + k × max(1.4826 × MAD, floorShare × |median|) of the values. */
export function robustThreshold(values: readonly number[], k: number, floorShare: number): number {
  const m = median(values);
  const mad = median(values.map((v) => Math.abs(v - m)));
  return m + k * Math.max(MAD_TO_SIGMA * mad, floorShare * Math.abs(m));
}

/** Whether a row ending at `at` lies outside the effect window of every injection. */
export function isFaultFree(at: number, injections: readonly number[], effectMs: number): boolean {
  return !injections.some((t) => at > t && at <= t + effectMs);
}

/** The baseline rows of an injection at `injectedAt` (see ReachRule). */
export function baselineRows(rows: readonly PodMetricRow[], injectedAt: number, injections: readonly number[], rule: ReachRule): PodMetricRow[] {
  const free = rows.filter((r) => isFaultFree(r.at, injections, rule.effectMs));
  const before = free.filter((r) => r.at <= injectedAt).slice(-rule.baselineRows);
  if (before.length >= rule.minBaselineRows) return before;
  const after = free.filter((r) => r.at > injectedAt + rule.effectMs).slice(0, rule.baselineRows - before.length);
  return [...before, ...after];
}

/** The flags of one pod after an injection, in time order (none when its baseline is too short to judge). */
export function reachFlags(series: PodSeries, injectedAt: number, injections: readonly number[], rule: ReachRule = REACH_RULE): ReachFlag[] {
  const baseline = baselineRows(series.rows, injectedAt, injections, rule);
  if (baseline.length < rule.minBaselineRows) return [];
  const after = series.rows.filter((r) => r.at > injectedAt && r.at <= injectedAt + rule.afterMs);
  const flags: ReachFlag[] = [];
  for (const signal of REACH_SIGNALS) {
    // NOTE: a latency is NaN in a minute without calls; such minutes neither build a baseline nor flag.
    const values = baseline.map((r) => r[signal]).filter(Number.isFinite);
    if (values.length < rule.minBaselineRows) continue;
    const threshold = robustThreshold(values, rule.k, rule.madFloorShare);
    const above = after.filter((r) => r[signal] > threshold);
    if (above.length >= rule.minRows) for (const r of above) flags.push({ signal, at: r.at, value: r[signal], threshold });
  }
  return flags.sort((a, b) => a.at - b.at);
}

/** The pods other than `faultyPod` the rule says an injection at `injectedAt` reached. */
export function reachedPods(
  day: readonly PodSeries[], faultyPod: string | undefined, injectedAt: number, injections: readonly number[], rule: ReachRule = REACH_RULE,
): ReachedPod[] {
  return day
    .filter((s) => s.pod !== faultyPod)
    .map((s) => ({ pod: s.pod, flags: reachFlags(s, injectedAt, injections, rule) }))
    .filter((r) => r.flags.length > 0);
}
