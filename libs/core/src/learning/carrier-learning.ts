import type { AnomalyTypeParameters, CarrierParameters, ModelParameters } from '../model/model-parameters.js';
import { carrierFor, sigmoid } from '../model/transmission.js';
import type { ResolvedLearningOptions } from './learning-options.js';
import { fitLogistic } from './logistic-fit.js';
import type { CarrierEvidence, ExposureTarget, TransmissionEvidence } from './transmission-evidence.js';

/**
 * E[sample median] / mean for n draws of an exponential: E[X_(j)] = mean · Σ_{i=1..j} 1/(n − i + 1) (Rényi); the
 * average of the two middle order statistics for even n. 1 for n = 1, → ln 2 as n grows.
 */
export function exponentialMedianFactor(n: number): number {
  const expected = (j: number): number => {
    let sum = 0;
    for (let i = 1; i <= j; i++) sum += 1 / (n - i + 1);
    return sum;
  };
  return n % 2 === 1 ? expected((n + 1) / 2) : (expected(n / 2) + expected(n / 2 + 1)) / 2;
}

/** The batch's estimate of a mean hop delay: its median over the exponential's median factor (unbiased for any n). */
export function robustMeanDelay(hopDelaysMs: readonly number[]): number {
  const sorted = [...hopDelaysMs].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? (sorted[(n - 1) / 2] ?? 0) : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2;
  return median / exponentialMedianFactor(n);
}

/**
 * The batch's robust mean (robustMeanDelay) pooled with the prior's delay in log space, the prior counting as
 * `priorHops` observations: n hops move the estimate n / (n + priorHops) of the way (in log) from the prior.
 */
export function shrunkDelay(priorDelayMs: number, hopDelaysMs: readonly number[], priorHops: number): number {
  const observed = Math.max(robustMeanDelay(hopDelaysMs), 1);
  const n = hopDelaysMs.length;
  const share = n / (n + priorHops);
  return Math.exp((1 - share) * Math.log(Math.max(priorDelayMs, 1)) + share * Math.log(observed));
}

/**
 * Exponentially weighted estimate of a carrier's mean hop delay at batch granularity: n observations move the delay by
 * 1 − (1 − rate)^n of the way to the batch's target, by at most a factor `maxDelayStepFactor`, within
 * [minDelayMs, horizonMs]. The target is the batch's robust mean (robustMeanDelay: hop delays taken as exponential, as
 * in the continuous-time independent cascade, so a few misattributed hops hours long do not drag the mean) shrunk
 * toward `priorDelayMs` by `delayPriorHops` pseudo-hops (shrunkDelay; default: no prior given, the current delay).
 */
export function learnDelay(current: number, hopDelaysMs: readonly number[], options: ResolvedLearningOptions, horizonMs: number, priorDelayMs = current): number {
  if (hopDelaysMs.length === 0) return current;
  const target = shrunkDelay(priorDelayMs, hopDelaysMs, options.delayPriorHops);
  const eta = 1 - Math.pow(1 - options.delayLearningRate, hopDelaysMs.length);
  const proposed = current + eta * (target - current);
  const stepBounded = Math.min(Math.max(proposed, current / options.maxDelayStepFactor), current * options.maxDelayStepFactor);
  return Math.min(Math.max(stepBounded, options.minDelayMs), Math.max(horizonMs, options.minDelayMs));
}

/** EM stops when no weight moves more than this in one iteration. */
const EM_TOLERANCE = 1e-4;

/**
 * E-step of the joint (noisy-or) fit: for each affected target with several exposing edges, each edge's label becomes
 * its posterior probability of having transmitted, p_e / (1 − Π(1 − p_j)) under `weights` (Saito et al.'s EM for the
 * independent cascade model). Non-affected targets stay negatives for every edge; single-edge targets keep y = 1.
 */
function assignResponsibilities(targets: readonly ExposureTarget[], weights: ReadonlyMap<CarrierEvidence, readonly number[]>): void {
  const p: number[] = [];
  for (const target of targets) {
    if (!target.affected || target.edges.length < 2) continue;
    p.length = 0;
    let none = 1;
    for (const { carrier, example } of target.edges) {
      const e = carrier.examples[example];
      const w = weights.get(carrier) ?? [];
      let z = e.offset;
      for (let i = 0; i < w.length; i++) z += (w[i] ?? 0) * (e.x[i] ?? 0);
      const pe = sigmoid(z);
      p.push(pe);
      none *= 1 - pe;
    }
    const any = 1 - none;
    target.edges.forEach(({ carrier, example }, i) => {
      carrier.examples[example].y = any > 0 ? Math.min(1, (p[i] ?? 0) / any) : 1 / target.edges.length;
    });
  }
}

/** One carrier refitted in a batch: its evidence, its current parameters and the anchor of its L2 prior. */
interface CarrierFit {
  readonly evidence: CarrierEvidence;
  readonly current: CarrierParameters;
  readonly anchor: CarrierParameters;
}

/**
 * Carriers of the same pathway kind and direction refitted in one batch for two or more anomaly types: the groups
 * whose updates are partially pooled (a Gaussian prior toward the group's mean update, precision `typePooling`).
 */
function poolingGroups(entries: readonly CarrierFit[]): CarrierFit[][] {
  const groups = new Map<string, CarrierFit[]>();
  for (const entry of entries) {
    const key = `${entry.evidence.kind}\u0000${entry.evidence.direction}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [entry]);
    else group.push(entry);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/**
 * Per coefficient, the group's mean update (current weights − anchor): the maximiser of the pooled objective given
 * the weights.
 */
function meanUpdate(group: readonly CarrierFit[], weights: ReadonlyMap<CarrierEvidence, readonly number[]>): number[] {
  const n = group[0]?.anchor.weights.length ?? 0;
  const mean = new Array<number>(n).fill(0);
  for (const entry of group) {
    const w = weights.get(entry.evidence) ?? entry.anchor.weights;
    for (let i = 0; i < n; i++) mean[i] = (mean[i] ?? 0) + ((w[i] ?? 0) - (entry.anchor.weights[i] ?? 0)) / group.length;
  }
  return mean;
}

/** The lower bounds of the weights: slopes at 0 under the `non-negative` constraint, the intercept free. */
function slopeBounds(entries: readonly CarrierFit[], options: ResolvedLearningOptions): { lowerBounds?: (number | undefined)[] } {
  if (options.slopeConstraint === 'none') return {};
  const n = entries[0]?.anchor.weights.length ?? 0;
  return { lowerBounds: Array.from({ length: n }, (_, i) => (i === 0 ? undefined : 0)) };
}

/**
 * Carrier weights fitted jointly on the batch: MAP logistic regression per carrier (L2 toward its anchor); where a
 * target was exposed by several edges, EM on the noisy-or likelihood, starting from the current weights; and where
 * several anomaly types' carriers of one pathway kind and direction are refitted together, partial pooling of their
 * updates: each update (weights − anchor) is also pulled toward the group's mean update with precision `typePooling`.
 * For fixed responsibilities the pooled objective is convex; each iteration refits every carrier given the group means,
 * then the means given the weights (block coordinate descent), until no weight moves by EM_TOLERANCE or
 * maxEmIterations. Without joint targets or groups this is one logistic fit per carrier.
 */
function fitCarrierWeights(entries: readonly CarrierFit[], targets: readonly ExposureTarget[], options: ResolvedLearningOptions): Map<CarrierEvidence, number[]> {
  const fit = { l2: options.l2, maxSteps: options.maxNewtonSteps, maxAbsWeight: options.maxAbsWeight, ...slopeBounds(entries, options) };
  const joint = targets.some((t) => t.affected && t.edges.length > 1);
  const groups = options.typePooling > 0 ? poolingGroups(entries) : [];
  const weights = new Map<CarrierEvidence, number[]>();
  if (!joint && groups.length === 0) {
    for (const { evidence, anchor } of entries) weights.set(evidence, fitLogistic(evidence.examples, anchor.weights, fit));
    return weights;
  }
  const pooledAnchor = new Map<CarrierEvidence, number[]>();
  const l2 = options.l2;
  const tau = options.typePooling;
  for (const { evidence, current } of entries) weights.set(evidence, [...current.weights]);
  for (let iteration = 0; iteration < options.maxEmIterations; iteration++) {
    if (joint) assignResponsibilities(targets, weights);
    for (const group of groups) {
      const mean = meanUpdate(group, weights);
      // The two Gaussian terms (anchor a, precision l2; a + mean update, precision tau) are one centred at
      // a + tau·mean / (l2 + tau) with precision l2 + tau.
      for (const entry of group) pooledAnchor.set(entry.evidence, entry.anchor.weights.map((a, i) => a + (tau * (mean[i] ?? 0)) / (l2 + tau)));
    }
    let moved = 0;
    for (const { evidence, anchor } of entries) {
      const previous = weights.get(evidence) ?? anchor.weights;
      const pooled = pooledAnchor.get(evidence);
      const next = pooled === undefined
        ? fitLogistic(evidence.examples, anchor.weights, { ...fit, start: previous })
        : fitLogistic(evidence.examples, pooled, { ...fit, l2: l2 + tau, start: previous });
      for (let i = 0; i < next.length; i++) moved = Math.max(moved, Math.abs((next[i] ?? 0) - (previous[i] ?? 0)));
      weights.set(evidence, next);
    }
    if (moved < EM_TOLERANCE) break;
  }
  return weights;
}

/**
 * New per-type parameters with every carrier that has evidence refitted: weights by L2-regularised logistic
 * regression toward the prior's weights (the current ones by default), jointly over the carriers where exposures had
 * several edges, with the types' updates partially pooled per pathway kind and direction (fitCarrierWeights); delay by
 * an exponentially weighted move toward the batch's robust mean (learnDelay). Types and carriers without evidence are
 * shared with the input, never mutated.
 */
export function learnCarriers(model: ModelParameters, evidence: TransmissionEvidence, options: ResolvedLearningOptions): Record<string, AnomalyTypeParameters> {
  const types: Record<string, AnomalyTypeParameters> = { ...evidence.types };
  const prior = options.prior ?? model;
  const entries: CarrierFit[] = [];
  for (const ev of evidence.carriers.values()) {
    const params = types[ev.anomalyType];
    if (params === undefined) continue;
    const current = carrierFor(params, ev.kind, ev.direction);
    if (current === undefined) continue;
    const priorType = prior.types[ev.anomalyType];
    const anchor = (priorType === undefined ? undefined : carrierFor(priorType, ev.kind, ev.direction)) ?? current;
    entries.push({ evidence: ev, current, anchor });
  }
  const weights = fitCarrierWeights(entries, evidence.targets, options);
  for (const { evidence: ev, current, anchor } of entries) {
    const params = types[ev.anomalyType];
    if (params === undefined) continue;
    const learned: CarrierParameters = { weights: weights.get(ev) ?? anchor.weights, delayMs: learnDelay(current.delayMs, ev.hopDelaysMs, options, model.horizonMs, anchor.delayMs) };
    types[ev.anomalyType] = {
      ...params,
      carriers: { ...params.carriers, [ev.kind]: { ...params.carriers[ev.kind], [ev.direction]: learned } },
    };
  }
  return types;
}
