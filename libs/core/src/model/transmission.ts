import { GENERIC_ANOMALY_TYPE, normaliseAnomalyType } from './anomaly-type.js';
import type { AnomalyTypeParameters, BetaPosterior, CarrierParameters, ModelParameters } from './model-parameters.js';
import type { Direction, PathwayFeatures, PathwayKind } from '../topology/pathway.js';

/** Names of the entries of the feature vector, in order. */
export const FEATURE_NAMES = ['bias', 'bandwidth', 'calls', 'latencyP50', 'latencyP99', 'errorRate'] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

const LOG_SCALE = Math.log1p(10_000);
/** Edge probabilities are capped so that −log p stays strictly positive and finite. */
export const MAX_EDGE_PROBABILITY = 0.999;

/** Normalised features: log-scaled rates and latencies (≈0..1 for realistic values), error rate as is. */
export function featureVector(features: PathwayFeatures, out: Float64Array = new Float64Array(FEATURE_COUNT)): Float64Array {
  out[0] = 1;
  out[1] = Math.log1p(features.bandwidthMbps) / LOG_SCALE;
  out[2] = Math.log1p(features.callsPerSec) / LOG_SCALE;
  out[3] = Math.log1p(features.latencyP50Ms) / LOG_SCALE;
  out[4] = Math.log1p(features.latencyP99Ms) / LOG_SCALE;
  out[5] = features.errorRate;
  return out;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-9), 1 - 1e-9);
  return Math.log(q / (1 - q));
}

/** The parameters for an anomaly type, falling back to `generic` for types the model has not seen. */
export function typeParameters(model: ModelParameters, anomalyType: string): AnomalyTypeParameters {
  const t = normaliseAnomalyType(anomalyType);
  // NOTE: own entries only: a type named `constructor` must not find Object.prototype's.
  if (Object.hasOwn(model.types, t)) return model.types[t];
  const generic = model.types[GENERIC_ANOMALY_TYPE];
  if (generic === undefined) throw new Error(`model ${model.modelId} v${model.version} has no '${GENERIC_ANOMALY_TYPE}' type`);
  return generic;
}

/** The carrier for (type, kind, direction), or undefined when that pathway does not carry the type that way. */
export function carrierFor(params: AnomalyTypeParameters, kind: PathwayKind, direction: Direction): CarrierParameters | undefined {
  return params.carriers[kind]?.[direction];
}

export function posteriorMean(b: BetaPosterior): number {
  return b.alpha / (b.alpha + b.beta);
}

/** Log-odds shift of a VM's historical vulnerability relative to the prior (0 for a VM with no history). */
export function vulnerabilityOffset(model: ModelParameters, vmId: string): number {
  if (model.vulnerabilityWeight === 0 || !Object.hasOwn(model.vulnerability, vmId)) return 0;
  const own = model.vulnerability[vmId];
  return model.vulnerabilityWeight * (logit(posteriorMean(own)) - logit(posteriorMean(model.vulnerabilityPrior)));
}

/** Raw log-odds of one hop: weights · x. */
export function carrierLogit(carrier: CarrierParameters, x: Float64Array): number {
  let z = 0;
  const w = carrier.weights;
  for (let i = 0; i < FEATURE_COUNT; i++) z += (w[i] ?? 0) * (x[i] ?? 0);
  return z;
}

/** Probability that one hop transmits, capped at MAX_EDGE_PROBABILITY. */
export function hopProbability(carrier: CarrierParameters, x: Float64Array, targetOffset: number): number {
  return Math.min(sigmoid(carrierLogit(carrier, x) + targetOffset), MAX_EDGE_PROBABILITY);
}
