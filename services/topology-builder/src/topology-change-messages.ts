import type { PathwayDelta, TopologyChangeEvent, VmState } from '@foresight/contracts';
import type { Pathway, Vm } from '@foresight/core';
import type { TopologyFlush } from './fleet-topology.js';

/** Pathway deltas per message: well under the contract's array bound (10,000). */
export const MAX_DELTAS_PER_MESSAGE = 2_000;

function vmState(vm: Vm): VmState {
  return { hostId: vm.hostId, groupId: vm.groupId, systemId: vm.systemId, capacity: vm.capacity, allocation: vm.allocation, criticality: vm.criticality };
}

function delta(p: Pathway, removed: boolean): PathwayDelta {
  const f = p.features;
  return {
    target: p.target,
    kind: p.kind === 'CO_LOCATED' ? 'NETWORK' : p.kind,
    removed,
    bandwidthMbps: f.bandwidthMbps,
    callsPerSec: f.callsPerSec,
    latencyP50Ms: f.latencyP50Ms,
    latencyP99Ms: f.latencyP99Ms,
    errorRate: f.errorRate,
    lastSeenAt: Math.round(f.lastSeenAt),
  };
}

/**
 * The compact deltas of one flush, one message per changed VM (key: vmId), removals first. A VM's message carries
 * its new state and the changed pathways it is the source of. Pathways whose source is not in the inventory are
 * not published (they are announced when the source arrives); a removed VM's pathways go with it, unlisted.
 * Event ids derive from the topology version, so a retried flush republishes the same ids.
 */
export function topologyChangeMessages(flush: TopologyFlush, topologyVersion: number, isInventoryVm: (vmId: string) => boolean): TopologyChangeEvent[] {
  const eventTime = Math.round(flush.at);
  const messages: TopologyChangeEvent[] = [];
  for (const vmId of [...flush.vmRemovals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    messages.push({ eventId: `topology:${topologyVersion}:${vmId}:removed`, eventTime, topologyVersion, vmId, vm: null, vmRemoved: true, pathways: [] });
  }
  const bySource = new Map<string, { vm: VmState | null; deltas: PathwayDelta[] }>();
  const entry = (vmId: string): { vm: VmState | null; deltas: PathwayDelta[] } => {
    let e = bySource.get(vmId);
    if (e === undefined) bySource.set(vmId, (e = { vm: null, deltas: [] }));
    return e;
  };
  for (const vm of flush.vmUpserts) entry(vm.id).vm = vmState(vm);
  const publishable = (p: Pathway): boolean => isInventoryVm(p.source);
  for (const p of flush.pathwayUpserts) if (publishable(p)) entry(p.source).deltas.push(delta(p, false));
  for (const p of flush.announcements) if (publishable(p)) entry(p.source).deltas.push(delta(p, false));
  for (const p of flush.pathwayRemovals) if (publishable(p)) entry(p.source).deltas.push(delta(p, true));
  for (const [vmId, { vm, deltas }] of [...bySource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const chunks = Math.max(1, Math.ceil(deltas.length / MAX_DELTAS_PER_MESSAGE));
    for (let c = 0; c < chunks; c++) {
      messages.push({
        eventId: `topology:${topologyVersion}:${vmId}:${c}`,
        eventTime,
        topologyVersion,
        vmId,
        vm: c === 0 ? vm : null,
        vmRemoved: false,
        pathways: deltas.slice(c * MAX_DELTAS_PER_MESSAGE, (c + 1) * MAX_DELTAS_PER_MESSAGE),
      });
    }
  }
  return messages;
}
