import type { FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';
import {
  buildTopologySnapshot, NEUTRAL_FEATURES, pathwayKey, type Pathway, type PathwayFeatures, type Resources, type ResourcePool, type TopologySnapshot, type Vm,
} from '@foresight/core';

/** What Foresight knows of the fleet: built only from telemetry (inventory, hosts, flow windows). */
export interface ObservedTopology {
  readonly vms: readonly Vm[];
  readonly vmById: ReadonlyMap<string, Vm>;
  readonly pathways: readonly Pathway[];
  /** Observed pathway features by pathwayKey(source, target, kind). */
  readonly features: ReadonlyMap<string, PathwayFeatures>;
  readonly snapshot: TopologySnapshot;
  /** The same pathways with neutral features (the uniform-edge-weight ablation). */
  readonly uniformSnapshot: TopologySnapshot;
  /** Undirected neighbours (pathways both ways and co-located VMs) with a traffic weight, for the graph baselines. */
  readonly neighbours: ReadonlyMap<string, readonly { readonly vmId: string; readonly weight: number }[]>;
  /** Free host capacity (host capacity − Σ VM capacity) and the proactive budget. */
  readonly pool: ResourcePool;
}

const LOG_SCALE = Math.log1p(10_000);

/** Proactive budget as a share of the fleet's free host capacity. */
const BUDGET_SHARE = 0.25;
const VM_CAP: Resources = { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 };

/**
 * Builds Foresight's view: VMs from inventory, one pathway per (source, target, kind) with the mean of its flow
 * windows' features (lastSeenAt = latest window end), host free capacity from host events minus VM capacities.
 */
export function observeTopology(inventory: readonly InventoryEvent[], hosts: readonly HostEvent[], flows: readonly FlowEvent[]): ObservedTopology {
  const vms: Vm[] = inventory.filter((e) => !e.removed).map((e) => ({
    id: e.vmId, hostId: e.hostId, groupId: e.groupId, systemId: e.systemId, capacity: e.capacity, allocation: e.allocation, criticality: e.criticality,
  }));
  const vmById = new Map(vms.map((vm) => [vm.id, vm]));
  const sums = new Map<string, { flow: FlowEvent; n: number; bw: number; calls: number; p50: number; p99: number; err: number; last: number }>();
  for (const f of flows) {
    if (!vmById.has(f.source) || !vmById.has(f.target)) continue;
    const key = pathwayKey(f.source, f.target, f.kind);
    const s = sums.get(key) ?? { flow: f, n: 0, bw: 0, calls: 0, p50: 0, p99: 0, err: 0, last: 0 };
    s.n++;
    s.bw += f.bandwidthMbps;
    s.calls += f.callsPerSec;
    s.p50 += f.latencyP50Ms;
    s.p99 += f.latencyP99Ms;
    s.err += f.errorRate;
    s.last = Math.max(s.last, f.windowEnd);
    sums.set(key, s);
  }
  const pathways: Pathway[] = [];
  const features = new Map<string, PathwayFeatures>();
  for (const [key, s] of sums) {
    const f: PathwayFeatures = {
      bandwidthMbps: s.bw / s.n, callsPerSec: s.calls / s.n, latencyP50Ms: s.p50 / s.n, latencyP99Ms: s.p99 / s.n, errorRate: Math.min(1, s.err / s.n), lastSeenAt: s.last,
    };
    features.set(key, f);
    pathways.push({ source: s.flow.source, target: s.flow.target, kind: s.flow.kind, features: f });
  }
  const snapshot = buildTopologySnapshot(vms, pathways);
  const uniformSnapshot = buildTopologySnapshot(vms, pathways.map((p) => ({ ...p, features: { ...NEUTRAL_FEATURES, lastSeenAt: p.features.lastSeenAt } })));

  const neighbours = new Map<string, { vmId: string; weight: number }[]>(vms.map((vm) => [vm.id, []]));
  const link = (a: string, b: string, weight: number): void => {
    neighbours.get(a)?.push({ vmId: b, weight });
    neighbours.get(b)?.push({ vmId: a, weight });
  };
  for (const p of pathways) link(p.source, p.target, 1 + Math.log1p(p.features.callsPerSec) / LOG_SCALE + Math.log1p(p.features.bandwidthMbps) / LOG_SCALE);
  const byHost = new Map<string, string[]>();
  for (const vm of vms) byHost.set(vm.hostId, [...(byHost.get(vm.hostId) ?? []), vm.id]);
  for (const members of byHost.values()) for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) link(members[i], members[j], 1);

  const used = new Map<string, Resources>();
  for (const vm of vms) {
    const u = used.get(vm.hostId) ?? { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
    used.set(vm.hostId, { cpuMillis: u.cpuMillis + vm.capacity.cpuMillis, memoryMiB: u.memoryMiB + vm.capacity.memoryMiB, networkMbps: u.networkMbps + vm.capacity.networkMbps });
  }
  const hostFree: Record<string, Resources> = {};
  const total = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
  for (const h of hosts) {
    if (h.removed) continue;
    const u = used.get(h.hostId) ?? { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
    const free = {
      cpuMillis: Math.max(0, h.capacity.cpuMillis - u.cpuMillis), memoryMiB: Math.max(0, h.capacity.memoryMiB - u.memoryMiB), networkMbps: Math.max(0, h.capacity.networkMbps - u.networkMbps),
    };
    hostFree[h.hostId] = free;
    total.cpuMillis += free.cpuMillis;
    total.memoryMiB += free.memoryMiB;
    total.networkMbps += free.networkMbps;
  }
  const budget = { cpuMillis: Math.floor(total.cpuMillis * BUDGET_SHARE), memoryMiB: Math.floor(total.memoryMiB * BUDGET_SHARE), networkMbps: Math.floor(total.networkMbps * BUDGET_SHARE) };
  return { vms, vmById, pathways, features, snapshot, uniformSnapshot, neighbours, pool: { hostFree, budget, vmCaps: { default: VM_CAP } } };
}
