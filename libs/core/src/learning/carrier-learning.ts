import type { AnomalyTypeParameters, CarrierParameters, ModelParameters } from '../model/model-parameters.js';
import { carrierFor } from '../model/transmission.js';
import type { ResolvedLearningOptions } from './learning-options.js';
import { fitLogistic } from './logistic-fit.js';
import type { CarrierEvidence, TransmissionEvidence } from './transmission-evidence.js';

/**
 * Exponentially weighted mean of hop delays at batch granularity: n observations move the delay by
 * 1 − (1 − rate)^n of the way to their mean, by at most a factor `maxDelayStepFactor`, within [minDelayMs, horizonMs].
 */
export function learnDelay(current: number, hopDelaysMs: readonly number[], options: ResolvedLearningOptions, horizonMs: number): number {
  if (hopDelaysMs.length === 0) return current;
  let sum = 0;
  for (const d of hopDelaysMs) sum += d;
  const target = sum / hopDelaysMs.length;
  const eta = 1 - Math.pow(1 - options.delayLearningRate, hopDelaysMs.length);
  const proposed = current + eta * (target - current);
  const stepBounded = Math.min(Math.max(proposed, current / options.maxDelayStepFactor), current * options.maxDelayStepFactor);
  return Math.min(Math.max(stepBounded, options.minDelayMs), Math.max(horizonMs, options.minDelayMs));
}

function learnCarrier(
  current: CarrierParameters,
  anchor: CarrierParameters,
  evidence: CarrierEvidence,
  options: ResolvedLearningOptions,
  horizonMs: number,
): CarrierParameters {
  const weights = fitLogistic(evidence.examples, anchor.weights, { l2: options.l2, maxSteps: options.maxNewtonSteps, maxAbsWeight: options.maxAbsWeight });
  return { weights, delayMs: learnDelay(current.delayMs, evidence.hopDelaysMs, options, horizonMs) };
}

/**
 * New per-type parameters with every carrier that has evidence refitted: weights by L2-regularised logistic
 * regression toward the prior's weights (the current ones by default), delay by an exponentially weighted mean.
 * Types and carriers without evidence are shared with the input, never mutated.
 */
export function learnCarriers(model: ModelParameters, evidence: TransmissionEvidence, options: ResolvedLearningOptions): Record<string, AnomalyTypeParameters> {
  const types: Record<string, AnomalyTypeParameters> = { ...evidence.types };
  const prior = options.prior ?? model;
  for (const ev of evidence.carriers.values()) {
    const params = types[ev.anomalyType];
    if (params === undefined) continue;
    const current = carrierFor(params, ev.kind, ev.direction);
    if (current === undefined) continue;
    const priorType = prior.types[ev.anomalyType];
    const anchor = (priorType === undefined ? undefined : carrierFor(priorType, ev.kind, ev.direction)) ?? current;
    const learned = learnCarrier(current, anchor, ev, options, model.horizonMs);
    types[ev.anomalyType] = {
      ...params,
      carriers: { ...params.carriers, [ev.kind]: { ...params.carriers[ev.kind], [ev.direction]: learned } },
    };
  }
  return types;
}
