import type { ResolvedLearningOptions } from './learning-options.js';
import type { IncidentOutcome } from './outcome.js';

/** One predicted exposure as the grant decision saw it: its predicted probability and what happened. */
export interface GrantDecisionSample {
  readonly probability: number;
  readonly becameAnomalous: boolean;
}

/** Utility weights of a grant decision. */
export interface GrantUtility {
  readonly usefulGrantBenefit: number;
  readonly wastedGrantCost: number;
}

/** The predicted exposures of some outcomes as grant-decision samples (missed anomalies were never grantable). */
export function grantDecisionSamples(outcomes: readonly IncidentOutcome[]): GrantDecisionSample[] {
  const samples: GrantDecisionSample[] = [];
  for (const o of outcomes) for (const e of o.exposures) samples.push({ probability: e.predictedProbability, becameAnomalous: e.becameAnomalous });
  return samples;
}

/** Total utility of granting every sample with probability ≥ threshold: +benefit if it became anomalous, −cost if not. */
export function grantUtilityAt(samples: readonly GrantDecisionSample[], threshold: number, utility: GrantUtility): number {
  let u = 0;
  for (const s of samples) if (s.probability >= threshold) u += s.becameAnomalous ? utility.usefulGrantBenefit : -utility.wastedGrantCost;
  return u;
}

/**
 * The threshold in [min, max] maximising empirical grant utility. Utility is a step function of the threshold, so the
 * optimum is an interval between two predicted probabilities: if the current threshold is in it, it stays; otherwise
 * the interval's midpoint (the largest margin). Ties between intervals go to the one nearest the current threshold.
 */
export function utilityOptimalThreshold(samples: readonly GrantDecisionSample[], current: number, min: number, max: number, utility: GrantUtility): number {
  const byProbability = new Map<number, number>();
  for (const s of samples) {
    const u = s.becameAnomalous ? utility.usefulGrantBenefit : -utility.wastedGrantCost;
    byProbability.set(s.probability, (byProbability.get(s.probability) ?? 0) + u);
  }
  const values = [...byProbability.keys()].sort((a, b) => b - a);
  // Interval k grants exactly the samples with probability ≥ values[k-1]: (values[k], values[k-1]] (ends at 1 and 0).
  let best: { lo: number; hi: number; utility: number } | undefined;
  let cumulative = 0;
  for (let k = 0; k <= values.length; k++) {
    if (k > 0) cumulative += byProbability.get(values[k - 1] ?? 0) ?? 0;
    const hi = Math.min(k === 0 ? 1 : (values[k - 1] ?? 0), max);
    const lo = Math.max(k === values.length ? 0 : (values[k] ?? 0), min);
    if (lo > hi || (lo === hi && k < values.length && lo === values[k])) continue;
    const candidate = { lo, hi, utility: cumulative };
    const distance = (c: { lo: number; hi: number }): number => (current < c.lo ? c.lo - current : current > c.hi ? current - c.hi : 0);
    if (best === undefined || candidate.utility > best.utility || (candidate.utility === best.utility && distance(candidate) < distance(best))) {
      best = candidate;
    }
  }
  if (best === undefined) return Math.min(Math.max(current, min), max);
  if (current > best.lo && current <= best.hi) return current;
  return (best.lo + best.hi) / 2;
}

/**
 * Moves grantThreshold toward the utility optimum over the given outcomes by at most `thresholdStep`, within the
 * bounds, and sets releaseThreshold = grantThreshold × hysteresisRatio. With too few samples nothing moves (but the
 * pair is still clamped to the bounds). Whatever the utility says, the threshold never exceeds the recall floor
 * (recallFloorThreshold of the samples; down to `thresholdFloor`), so it cannot drift to "grant nothing".
 */
export function learnGrantThreshold(
  current: { readonly grantThreshold: number; readonly releaseThreshold: number },
  outcomes: readonly IncidentOutcome[],
  options: ResolvedLearningOptions,
): { grantThreshold: number; releaseThreshold: number } {
  const samples = grantDecisionSamples(outcomes);
  let grant = Math.min(Math.max(current.grantThreshold, options.thresholdMin), options.thresholdMax);
  if (samples.length >= options.minThresholdEvidence) {
    const target = utilityOptimalThreshold(samples, grant, options.thresholdMin, options.thresholdMax, options);
    grant += Math.min(Math.max(target - grant, -options.thresholdStep), options.thresholdStep);
    grant = Math.min(Math.max(grant, options.thresholdMin), options.thresholdMax);
  }
  const cap = recallFloorThreshold(samples, options.recallFloor);
  if (cap !== undefined && grant > cap) grant = Math.max(cap, options.thresholdFloor);
  return { grantThreshold: grant, releaseThreshold: grant * options.hysteresisRatio };
}

/**
 * The highest threshold at which the samples' grants would still catch `recall` of the listed samples (probability > 0)
 * that became anomalous: the probability of the ⌈recall × positives⌉-th positive, by probability. Undefined without positives or when
 * `recall` is 0 (no floor).
 */
export function recallFloorThreshold(samples: readonly GrantDecisionSample[], recall: number): number | undefined {
  // NOTE: listed VMs only: an exposure the assessments never listed (probability 0) was never grantable.
  const positives = samples.filter((s) => s.becameAnomalous && s.probability > 0).map((s) => s.probability).sort((a, b) => b - a);
  const k = Math.ceil(recall * positives.length);
  return k === 0 ? undefined : positives[k - 1];
}
