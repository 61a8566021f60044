// The telemetry rules: OpenTelemetry resources and spans → Foresight's entities and call pathways (pure).
export { SPAN_KIND, type TelemetrySpan } from './telemetry-span.js';
export { identityKey, type EntityIdentity } from './entity-identity.js';
export {
  DEFAULT_PEER_ATTRIBUTES, IDENTITY_PRESETS, peerOf, resolveIdentity, virtualPeerIdentity,
  type AttributeLookup, type IdentityPrecedence, type IdentityResult, type IdentitySkipReason,
} from './identity-precedence.js';
export { LatencySample, nearestRank } from './latency-sample.js';
export { PendingSpans, callKey, type CallSide, type DepartureWhy, type PendingSpan } from './pending-spans.js';
export {
  CallPathways, DEFAULT_CALL_PATHWAY_SETTINGS,
  type CallPathwayOutput, type CallPathwaySettings, type PathwayWindow, type SpanSkipReason,
} from './call-pathways.js';
export { CAPACITY_METRICS, latestCapacities, type CapacityMetric, type CapacityReading, type CapacityTarget } from './capacity-metrics.js';
export {
  FLOW_ENDPOINT_ATTRIBUTES, NETWORK_FLOW_METRICS, NetworkPathways, flowEndpoints,
  type FlowBytesPoint, type FlowSkipReason, type NetworkPathwaySettings, type NetworkWindow,
} from './network-pathways.js';
export { RobustBaseline, type BaselineSettings, type BaselineVerdict } from './robust-baseline.js';
export {
  DETECTOR_SIGNALS, UTILISATION_METRICS, combineUtilisation, type DetectedAnomaly, type DetectorSignal, type UtilisationPoint, type UtilisationReading,
} from './detector-signals.js';
export { AnomalyRollup, type RollupSettings } from './anomaly-rollup.js';
export {
  AnomalyDetector, DEFAULT_DETECTOR_SETTINGS, type DetectorOutput, type DetectorSettings, type SignalFloor,
} from './anomaly-detector.js';
export {
  SERVICE_GRAPH_METRICS, ServiceGraphPathways, histogramQuantile,
  type ServiceGraphMeasure, type ServiceGraphPoint, type ServiceGraphSettings, type ServiceGraphSkipReason, type ServiceGraphWindow,
} from './service-graph-pathways.js';
export { serviceGraphPathways, type ServiceGraphEndSkipReason, type ServiceLookup } from './service-graph-identity.js';
