export { TIERS, type Tier, type SimService, type SimHost, type World } from './world.js';
export { generateTopology, DEFAULT_TOPOLOGY_SHAPE, type TopologyOptions, type TopologyShape } from './topology-generator.js';
export { loadGraphologyJson, loadCsvEdgeList } from './topology-loader.js';
export {
  trueParameters, scaledDetection, DEFAULT_DETECTION_NOISE, DEFAULT_GRANT_EFFECT, TRUE_TYPES, TRUE_TYPE_MIX,
  type TrueParameters, type TruthOverrides, type TrueImpact, type DetectionNoise, type GrantEffect,
} from './true-parameters.js';
export { compileTruthGraph, type TruthGraph, type Traversal } from './truth-graph.js';
export { simulateCascade, infectionProbabilities, MIN_HOP_DELAY_MS, type CascadeSeed, type Infection, type InfectionProbabilities } from './cascade.js';
export { generateIncidents, type Incident, type AffectedVm, type IncidentStreamOptions } from './incident-stream.js';
export { inventoryEvents, hostEvents, flowEvents, type FlowTelemetryOptions } from './telemetry.js';
export { grantCoverage, degradedMinutes } from './impact.js';
export {
  worldFamily, meanBranching, isHeldOut, WORLD_FAMILY_NAMES, WORLD_FAMILY_TRAITS, WORLD_SPLITS, HELD_OUT_FAMILIES, HELD_OUT_SEED_FROM,
  type WorldFamily, type WorldFamilyName, type WorldFamilyTraits, type WorldSpec,
} from './world-families.js';
