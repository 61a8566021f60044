export {
  createTopologyBuilder, resolveTopologyBuilderOptions, DEFAULT_TOPOLOGY_BUILDER_OPTIONS,
  type TopologyBuilder, type TopologyBuilderDeps, type TopologyBuilderOptions,
} from './topology-builder.js';
export type { TopologyBuilderMetrics, FlushSummary } from './topology-ingest.js';
export type { FleetTopologyCounts } from './fleet-topology.js';
export { readTopologyBuilderConfig, type TopologyBuilderConfig } from './config.js';
export { topologyBuilderService, runTopologyBuilder } from './main.js';
