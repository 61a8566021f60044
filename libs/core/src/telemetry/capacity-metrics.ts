import type { ResourceKey } from '../resources.js';

/** What a capacity metric sizes: the VM (pod, machine) its resource is, or the host (node) its resource runs on. */
export type CapacityTarget = 'vm' | 'host';

/** How one OpenTelemetry metric maps to a capacity: target, resource and the factor to Foresight's unit. */
export interface CapacityMetric {
  readonly target: CapacityTarget;
  readonly resource: ResourceKey;
  /** Multiplies the metric's value (cores → millicores ×1000, bytes → MiB ÷2^20). */
  readonly factor: number;
}

const MIB = 1 / (1024 * 1024);

/**
 * The capacity metrics the gateway reads (semantic conventions and the Collector's kubeletstats, k8s_cluster and
 * hostmetrics receivers). Several data points of one target at one time are summed (a pod's containers).
 */
export const CAPACITY_METRICS: Readonly<Record<string, CapacityMetric>> = Object.freeze({
  'k8s.container.cpu_limit': { target: 'vm', resource: 'cpuMillis', factor: 1000 },
  'k8s.container.memory_limit': { target: 'vm', resource: 'memoryMiB', factor: MIB },
  'system.cpu.logical.count': { target: 'vm', resource: 'cpuMillis', factor: 1000 },
  'system.memory.limit': { target: 'vm', resource: 'memoryMiB', factor: MIB },
  'k8s.node.allocatable_cpu': { target: 'host', resource: 'cpuMillis', factor: 1000 },
  'k8s.node.allocatable_memory': { target: 'host', resource: 'memoryMiB', factor: MIB },
});

/** One capacity data point, its target named. */
export interface CapacityReading {
  readonly target: CapacityTarget;
  readonly id: string;
  readonly resource: ResourceKey;
  readonly value: number;
  readonly timeMs: number;
}

/**
 * The capacities a batch of readings states: per target and resource the sum of the readings at the latest time
 * seen (a pod's containers report separately at one scrape). Non-finite or negative readings are ignored.
 */
export function latestCapacities(readings: Iterable<CapacityReading>): Map<string, { target: CapacityTarget; id: string; capacity: Partial<Record<ResourceKey, number>> }> {
  const sums = new Map<string, { target: CapacityTarget; id: string; resource: ResourceKey; timeMs: number; value: number }>();
  for (const r of readings) {
    if (!Number.isFinite(r.value) || r.value < 0) continue;
    const key = `${r.target}\u0000${r.id}\u0000${r.resource}`;
    const known = sums.get(key);
    if (known === undefined || r.timeMs > known.timeMs) sums.set(key, { ...r });
    else if (r.timeMs === known.timeMs) known.value += r.value;
  }
  const out = new Map<string, { target: CapacityTarget; id: string; capacity: Partial<Record<ResourceKey, number>> }>();
  for (const s of sums.values()) {
    const key = `${s.target}\u0000${s.id}`;
    let entry = out.get(key);
    if (entry === undefined) out.set(key, (entry = { target: s.target, id: s.id, capacity: {} }));
    entry.capacity[s.resource] = s.value;
  }
  return out;
}
