import type { ModelParameters } from '../model/model-parameters.js';
import type { GrantUtilityOptions } from './learning-options.js';
import { evaluateModel, type ModelMetrics } from './model-evaluation.js';
import type { IncidentOutcome } from './outcome.js';

/** When a candidate model may replace the current one. */
export interface PublicationOptions extends GrantUtilityOptions {
  /** Held-out exposures needed before any candidate is published (default 20). */
  readonly minHeldOutExamples?: number;
  /** Also refuse a candidate with a lower AUPRC (default false: AUPRC is reported, not gated; see docs/learning-model.md). */
  readonly gateOnAuprc?: boolean;
}

/** A publication verdict with its reason and both models' held-out metrics. */
export interface PublicationDecision {
  readonly publish: boolean;
  readonly reason: string;
  readonly candidate: ModelMetrics;
  readonly current: ModelMetrics;
}

/**
 * Compares a candidate with the current model on the same held-out outcomes. It is published only if it is a later
 * version of the same model, there is enough held-out evidence, and it is worse on none of log-loss, Brier (the two
 * proper scoring rules) and grant utility; equal is allowed, so changes the metrics cannot see are not blocked.
 * NOTE: AUPRC is rank-only and jumps by ~0.01 on a few hundred exposures even when every probability got better, so it
 * gates only with `gateOnAuprc`.
 */
export function publicationDecision(
  candidate: ModelParameters,
  current: ModelParameters,
  heldOut: readonly IncidentOutcome[],
  options: PublicationOptions = {},
): PublicationDecision {
  const c = evaluateModel(candidate, heldOut, options);
  const k = evaluateModel(current, heldOut, options);
  const verdict = (publish: boolean, reason: string): PublicationDecision => ({ publish, reason, candidate: c, current: k });
  const minExamples = options.minHeldOutExamples ?? 20;
  if (candidate.modelId !== current.modelId) return verdict(false, `candidate is model ${candidate.modelId}, current is ${current.modelId}`);
  if (candidate.version <= current.version) return verdict(false, `candidate version ${candidate.version} is not after current ${current.version}`);
  if (c.examples < minExamples) return verdict(false, `only ${c.examples} held-out exposures (need ${minExamples})`);
  if (c.logLoss > k.logLoss) return verdict(false, `held-out log-loss worse: ${c.logLoss} > ${k.logLoss}`);
  if (c.brier > k.brier) return verdict(false, `held-out Brier score worse: ${c.brier} > ${k.brier}`);
  if (options.gateOnAuprc === true && c.auprc !== null && k.auprc !== null && c.auprc < k.auprc) return verdict(false, `held-out AUPRC worse: ${c.auprc} < ${k.auprc}`);
  if (c.grantUtility < k.grantUtility) return verdict(false, `held-out grant utility worse: ${c.grantUtility} < ${k.grantUtility}`);
  return verdict(true, `not worse on ${c.examples} held-out exposures (log-loss ${c.logLoss} vs ${k.logLoss})`);
}

/** True only when the candidate may be published: it never scores worse than the current model on held-out outcomes. */
export function shouldPublish(
  candidate: ModelParameters,
  current: ModelParameters,
  heldOut: readonly IncidentOutcome[],
  options: PublicationOptions = {},
): boolean {
  return publicationDecision(candidate, current, heldOut, options).publish;
}
