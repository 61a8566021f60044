import type { IncidentScores } from './metrics.js';

/** A score (and, when the estimator gives one, an ETA) per VM. */
export interface Prediction {
  readonly probability: ReadonlyMap<string, number>;
  readonly etaAt?: ReadonlyMap<string, number>;
}

/** One estimator on one incident, ready to be pooled. */
export interface EstimatorIncident {
  readonly scores: IncidentScores;
  readonly positives: number;
  readonly candidates: number;
  readonly flaggedTp: number;
  readonly flaggedFp: number;
  /** Flagged positives whose onset was at least the actuation latency after the prediction. */
  readonly usefulTp: number;
  readonly brierSum: number;
  readonly leadMinutes: readonly number[];
  readonly etaErrorMinutes: readonly number[];
}

/** What one incident's prediction is judged against. */
export interface JudgingContext {
  readonly vmIds: readonly string[];
  /** VMs known anomalous at prediction time: not candidates. */
  readonly sources: ReadonlySet<string>;
  /** Truly affected VMs within the horizon → onset. */
  readonly onsetOf: ReadonlyMap<string, number>;
  readonly predictedAt: number;
  readonly actuationLatencyMs: number;
}

/**
 * Judges one prediction over every VM except the sources (unscored = 0): the pooled-ranking entries, Brier sum,
 * precision and recall at `threshold`, useful recall, lead times and ETA errors of flagged positives.
 */
export function judgePrediction(prediction: Prediction, threshold: number, ctx: JudgingContext): EstimatorIncident {
  const entries: { p: number; y: boolean }[] = [];
  let brierSum = 0;
  let flaggedTp = 0;
  let flaggedFp = 0;
  let usefulTp = 0;
  const leadMinutes: number[] = [];
  const etaErrorMinutes: number[] = [];
  for (const [vmId, raw] of prediction.probability) {
    if (ctx.sources.has(vmId) || !(raw > 0)) continue;
    const p = Math.min(1, raw);
    const onset = ctx.onsetOf.get(vmId);
    const y = onset !== undefined;
    entries.push({ p, y });
    brierSum += (p - (y ? 1 : 0)) ** 2;
    if (p < threshold) continue;
    if (!y) {
      flaggedFp++;
      continue;
    }
    flaggedTp++;
    const lead = onset - ctx.predictedAt;
    leadMinutes.push(lead / 60_000);
    if (lead >= ctx.actuationLatencyMs) usefulTp++;
    const eta = prediction.etaAt?.get(vmId);
    if (eta !== undefined) etaErrorMinutes.push(Math.abs(eta - onset) / 60_000);
  }
  let positives = 0;
  let zeroPositives = 0;
  for (const vmId of ctx.onsetOf.keys()) {
    if (ctx.sources.has(vmId)) continue;
    positives++;
    if (!((prediction.probability.get(vmId) ?? 0) > 0)) zeroPositives++;
  }
  brierSum += zeroPositives;
  const candidates = ctx.vmIds.length - ctx.sources.size;
  return {
    scores: { entries, zeroPositives, zeroNegatives: candidates - entries.length - zeroPositives },
    positives, candidates, flaggedTp, flaggedFp, usefulTp, brierSum, leadMinutes, etaErrorMinutes,
  };
}
