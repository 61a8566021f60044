import { GENERIC_ANOMALY_TYPE } from './anomaly-type.js';
import type { AnomalyTypeParameters, CarrierParameters, ModelParameters } from './model-parameters.js';

// Weights are [bias, bandwidth, calls, latencyP50, latencyP99, errorRate] over featureVector (transmission.ts).
function carrier(bias: number, delayMs: number, rest: Partial<Record<'bandwidth' | 'calls' | 'latencyP50' | 'latencyP99' | 'errorRate', number>> = {}): CarrierParameters {
  return {
    weights: [bias, rest.bandwidth ?? 0, rest.calls ?? 0, rest.latencyP50 ?? 0, rest.latencyP99 ?? 0, rest.errorRate ?? 0],
    delayMs,
  };
}

const SECOND = 1000;

/**
 * Prior knowledge of how each anomaly type travels (docs/propagation-model.md): latency and errors go from callee
 * to caller (against API_CALL edges), CPU and memory contention between co-located VMs, congestion along network
 * flows, I/O along shared storage. Unknown types use `generic`: every pathway, both ways, weakly.
 */
const DEFAULT_TYPES: Record<string, AnomalyTypeParameters> = {
  latency: {
    carriers: {
      API_CALL: { reverse: carrier(-2.0, 30 * SECOND, { calls: 2.0, latencyP99: 1.5 }) },
      NETWORK: { reverse: carrier(-3.5, 45 * SECOND, { bandwidth: 1.0 }) },
      CO_LOCATED: { forward: carrier(-3.5, 60 * SECOND) },
    },
    grantSize: { cpuMillis: 500, memoryMiB: 256, networkMbps: 50 },
  },
  error_rate: {
    carriers: {
      API_CALL: { reverse: carrier(-1.8, 20 * SECOND, { calls: 1.5, errorRate: 3.0 }) },
    },
    grantSize: { cpuMillis: 250, memoryMiB: 256, networkMbps: 0 },
  },
  cpu_saturation: {
    carriers: {
      CO_LOCATED: { forward: carrier(-1.2, 60 * SECOND) },
      API_CALL: { reverse: carrier(-3.0, 45 * SECOND, { calls: 1.5 }) },
    },
    grantSize: { cpuMillis: 1000, memoryMiB: 0, networkMbps: 0 },
  },
  memory_pressure: {
    carriers: {
      CO_LOCATED: { forward: carrier(-2.0, 120 * SECOND) },
      API_CALL: { reverse: carrier(-3.5, 90 * SECOND, { calls: 1.0 }) },
    },
    grantSize: { cpuMillis: 0, memoryMiB: 1024, networkMbps: 0 },
  },
  network_congestion: {
    carriers: {
      NETWORK: { forward: carrier(-2.5, 45 * SECOND, { bandwidth: 2.5 }), reverse: carrier(-3.5, 60 * SECOND, { bandwidth: 1.5 }) },
      CO_LOCATED: { forward: carrier(-2.0, 45 * SECOND) },
    },
    grantSize: { cpuMillis: 0, memoryMiB: 0, networkMbps: 200 },
  },
  disk_io: {
    carriers: {
      SHARED_STORAGE: { forward: carrier(-1.0, 90 * SECOND), reverse: carrier(-1.0, 90 * SECOND) },
      CO_LOCATED: { forward: carrier(-2.5, 90 * SECOND) },
    },
    grantSize: { cpuMillis: 500, memoryMiB: 512, networkMbps: 0 },
  },
  [GENERIC_ANOMALY_TYPE]: {
    carriers: {
      API_CALL: { forward: carrier(-3.0, 60 * SECOND), reverse: carrier(-2.5, 60 * SECOND, { calls: 1.0 }) },
      NETWORK: { forward: carrier(-3.0, 60 * SECOND), reverse: carrier(-3.0, 60 * SECOND) },
      SHARED_STORAGE: { forward: carrier(-2.5, 60 * SECOND), reverse: carrier(-2.5, 60 * SECOND) },
      CO_LOCATED: { forward: carrier(-2.5, 60 * SECOND) },
    },
    grantSize: { cpuMillis: 500, memoryMiB: 512, networkMbps: 50 },
  },
};

/** The model Foresight starts with before it has learned anything. */
export function defaultModel(modelId = 'foresight', createdAt = 0): ModelParameters {
  return {
    modelId,
    version: 1,
    parentVersion: null,
    createdAt,
    types: DEFAULT_TYPES,
    vulnerabilityWeight: 1,
    vulnerabilityPrior: { alpha: 1, beta: 4 },
    vulnerability: {},
    grantThreshold: 0.3,
    releaseThreshold: 0.15,
    horizonMs: 30 * 60 * SECOND,
  };
}
