import { RESOURCE_KEYS, ZERO_RESOURCES, addResources, type Resources, type Vm } from '@foresight/core';
import type { HostEvent, InventoryEvent } from '@foresight/contracts';
import { RuntimeError } from '@foresight/messaging';
import type { HasDocuments, HasIdempotency, HostRecord as StoredHost, LeaseLedger } from '@foresight/stores';
import type { KeyedSerialQueue } from './keyed-serial-queue.js';

/** What the inventory keeps: its documents, the claim that serialises a host's usage, and host capacities in the ledger. */
export type FleetInventoryStore = HasDocuments & HasIdempotency & Pick<LeaseLedger, 'setHostCapacity'>;

/** The fleet as the store of record holds it (the topology builder's graph: GraphStore.loadTopology). */
export interface RecordedFleet {
  readonly hosts: readonly StoredHost[];
  readonly vms: readonly Vm[];
}

const VM_KIND = 'allocator-vm';
const HOST_KIND = 'allocator-host';
const USAGE_KIND = 'allocator-host-usage';
const LOCK_TTL_MS = 10_000;

/** Where a VM runs and what it already uses, as the inventory last reported it. */
export interface VmPlacement {
  readonly vmId: string;
  readonly hostId: string;
  readonly systemId: string;
  readonly criticality: number;
  readonly allocation: Resources;
}

interface HostRecord { readonly capacity: Resources; readonly removed: boolean }
interface HostUsage { readonly vms: Readonly<Record<string, Resources>> }

function parse<T>(json: string | undefined): T | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as T);
}

/**
 * The supply side of the pool: a host offers Foresight its capacity minus what its VMs are allocated, and that
 * headroom is written to the ledger (setHostCapacity). VM placements live in one document per VM (written by the
 * inventory partition's owner); a host's usage document is shared by VMs on several partitions, so it is
 * read-modify-written under a short claim (contention → a retriable error, the runtime retries).
 */
export class FleetInventory {
  constructor(private readonly store: FleetInventoryStore, private readonly queue: KeyedSerialQueue) {}

  /** The VM's placement, or undefined when the inventory has not reported it. */
  async placement(vmId: string): Promise<VmPlacement | undefined> {
    return parse<VmPlacement>(await this.store.documents.get(VM_KIND, vmId));
  }

  /** Several VMs' placements in one read, in the order of `vmIds`. */
  async placements(vmIds: readonly string[]): Promise<(VmPlacement | undefined)[]> {
    return (await this.store.documents.getMany(VM_KIND, vmIds)).map((json) => parse<VmPlacement>(json));
  }

  /** Applies an inventory upsert or removal: host usage first (idempotent), then the placement. */
  async applyInventory(event: InventoryEvent): Promise<void> {
    const before = await this.placement(event.vmId);
    if (event.removed) {
      if (before !== undefined) await this.updateUsage(before.hostId, event.vmId, undefined);
      await this.store.documents.delete(VM_KIND, event.vmId);
      return;
    }
    if (before !== undefined && before.hostId !== event.hostId) await this.updateUsage(before.hostId, event.vmId, undefined);
    await this.updateUsage(event.hostId, event.vmId, event.allocation);
    const placement: VmPlacement = {
      vmId: event.vmId, hostId: event.hostId, systemId: event.systemId, criticality: event.criticality, allocation: event.allocation,
    };
    await this.store.documents.put(VM_KIND, event.vmId, JSON.stringify(placement));
  }

  /** Applies a host's capacity (or removal, which leaves it no headroom) and refreshes its ledger capacity. */
  async applyHost(event: HostEvent): Promise<void> {
    const record: HostRecord = { capacity: event.capacity, removed: event.removed };
    await this.store.documents.put(HOST_KIND, event.hostId, JSON.stringify(record));
    await this.updateUsage(event.hostId, undefined, undefined);
  }

  /**
   * Rebuilds what the state store lost from the fleet's store of record: the hosts, placements and host usage it no
   * longer holds, and every recorded host's ledger capacity. What the store still holds is kept (a `hosts` or
   * `inventory` event applied since the loss is newer than the record). Returns how many hosts and VMs were restored.
   */
  async restore(fleet: RecordedFleet): Promise<{ hosts: number; vms: number }> {
    const [hostDocs, vmDocs] = await Promise.all([
      this.store.documents.getMany(HOST_KIND, fleet.hosts.map((h) => h.hostId)),
      this.store.documents.getMany(VM_KIND, fleet.vms.map((v) => v.id)),
    ]);
    const hosts = fleet.hosts.filter((_, i) => hostDocs[i] === undefined);
    const vms = fleet.vms.filter((_, i) => vmDocs[i] === undefined);
    await this.store.documents.putMany(HOST_KIND, hosts.map((h) => ({ id: h.hostId, json: JSON.stringify({ capacity: h.capacity, removed: false } satisfies HostRecord) })));
    await this.store.documents.putMany(VM_KIND, vms.map((v) => ({
      id: v.id,
      json: JSON.stringify({ vmId: v.id, hostId: v.hostId, systemId: v.systemId, criticality: v.criticality, allocation: v.allocation } satisfies VmPlacement),
    })));
    // Each host's usage gains every VM placed on it that it does not list (a placement that survived, or came back by a
    // redelivered event, may have lost its usage entry), under the host's claim; its ledger capacity is rewritten.
    const placed = await this.placements(fleet.vms.map((v) => v.id));
    const byHost = new Map<string, VmPlacement[]>(fleet.hosts.map((h) => [h.hostId, []]));
    for (const p of placed) if (p !== undefined) byHost.set(p.hostId, [...(byHost.get(p.hostId) ?? []), p]);
    await Promise.all([...byHost].map(([hostId, onHost]) => this.changeUsage(hostId, (usage) => {
      const missing = onHost.filter((p) => usage[p.vmId] === undefined);
      return missing.length === 0 ? undefined : { ...usage, ...Object.fromEntries(missing.map((p) => [p.vmId, p.allocation])) };
    })));
    return { hosts: hosts.length, vms: vms.length };
  }

  // Sets (or with `allocation` undefined, removes) one VM's usage on a host and rewrites the host's ledger capacity.
  private updateUsage(hostId: string, vmId: string | undefined, allocation: Resources | undefined): Promise<void> {
    return this.changeUsage(hostId, (usage) => {
      if (vmId === undefined) return undefined;
      const next: Record<string, Resources> = { ...usage };
      if (allocation === undefined) delete next[vmId];
      else next[vmId] = allocation;
      return next;
    });
  }

  // Changes a host's usage (`change` returns the new VMs' usage, or undefined for no change) and rewrites its ledger capacity.
  private changeUsage(hostId: string, change: (vms: Readonly<Record<string, Resources>>) => Readonly<Record<string, Resources>> | undefined): Promise<void> {
    return this.queue.run(`host:${hostId}`, async () => {
      const lock = `allocator:host-lock:${hostId}`;
      if (!(await this.store.idempotency.claim(lock, LOCK_TTL_MS))) {
        throw new RuntimeError('HANDLER_RETRIABLE', `host ${hostId} usage is being updated by another instance`);
      }
      try {
        const usage = parse<HostUsage>(await this.store.documents.get(USAGE_KIND, hostId)) ?? { vms: {} };
        let vms = usage.vms;
        const next = change(usage.vms);
        if (next !== undefined) {
          vms = next;
          await this.store.documents.put(USAGE_KIND, hostId, JSON.stringify({ vms }));
        }
        const host = parse<HostRecord>(await this.store.documents.get(HOST_KIND, hostId));
        // NOTE: fail closed: a host the hosts topic has not reported takes no reservations (no capacity is set).
        if (host === undefined) return;
        await this.store.setHostCapacity(hostId, host.removed ? ZERO_RESOURCES : headroom(host.capacity, Object.values(vms)));
      } finally {
        await this.store.idempotency.release(lock);
      }
    });
  }
}

/** Capacity minus what the VMs are allocated, never below zero. */
export function headroom(capacity: Resources, allocations: readonly Resources[]): Resources {
  const used = allocations.reduce(addResources, ZERO_RESOURCES);
  const out = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
  for (const k of RESOURCE_KEYS) out[k] = Math.max(0, capacity[k] - used[k]);
  return out;
}
