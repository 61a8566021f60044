import { defaultModel, logit, sigmoid, type BetaPosterior, type ModelParameters } from '@foresight/core';
import type { TrueParameters } from '@foresight/sim';

/** Pseudo-count of the Beta posteriors that encode the true offsets (large: the truth is certain). */
const CERTAIN = 1000;

/**
 * The hidden truth written as Foresight model parameters: the true carriers and delays, and each VM's true offset as
 * a Beta posterior whose vulnerabilityOffset equals it. Scoring with it measures the engine's own error (features are
 * still the observed, noisy ones), apart from what learning has yet to find.
 */
export function trueModel(truth: TrueParameters): ModelParameters {
  const base = defaultModel('truth');
  const m0 = base.vulnerabilityPrior.alpha / (base.vulnerabilityPrior.alpha + base.vulnerabilityPrior.beta);
  const vulnerability: Record<string, BetaPosterior> = {};
  for (const [vmId, offset] of truth.vulnerability) {
    const mean = sigmoid(logit(m0) + offset);
    vulnerability[vmId] = { alpha: CERTAIN * mean, beta: CERTAIN * (1 - mean) };
  }
  const types = { ...base.types };
  for (const [name, params] of Object.entries(truth.types)) types[name] = { ...params, grantSize: base.types[name]?.grantSize ?? params.grantSize };
  return { ...base, types, vulnerability: Object.fromEntries(Object.entries(vulnerability)), vulnerabilityWeight: 1 };
}
