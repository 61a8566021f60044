export { ForesightError, isForesightError, type CoreErrorCode } from './errors.js';
export { SeededRandom } from './seeded-random.js';
export {
  RESOURCE_KEYS, ZERO_RESOURCES, addResources, subtractResources, minResources, scaleResources, fitsWithin, isZeroResources, assertResources,
  type Resources, type ResourceKey,
} from './resources.js';
export { assertVm, type Vm } from './topology/vm.js';
export {
  PATHWAY_KINDS, OBSERVED_PATHWAY_KINDS, PATHWAY_KIND_INDEX, NEUTRAL_FEATURES, isPathwayKind, pathwayKey, assertPathwayFeatures, assertPathway,
  type PathwayKind, type Direction, type PathwayFeatures, type Pathway,
} from './topology/pathway.js';
export { WELL_KNOWN_ANOMALY_TYPES, GENERIC_ANOMALY_TYPE, normaliseAnomalyType, type WellKnownAnomalyType } from './model/anomaly-type.js';
export type { CarrierParameters, CarrierTable, AnomalyTypeParameters, BetaPosterior, ModelParameters } from './model/model-parameters.js';
export {
  FEATURE_NAMES, FEATURE_COUNT, MAX_EDGE_PROBABILITY, featureVector, sigmoid, logit, typeParameters, carrierFor, posteriorMean, vulnerabilityOffset,
  carrierLogit, hopProbability,
} from './model/transmission.js';
export { defaultModel } from './model/default-model.js';
