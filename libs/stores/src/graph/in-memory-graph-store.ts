import { pathwayKey, type Pathway, type Vm } from '@foresight/core';
import { StoreError } from '../store-error.js';
import { assertStoreId } from '../store-input.js';
import {
  assertHostRecord, assertNeighbourhoodLimit, assertPathwayInput, assertPathwayRef, assertVmInput, canonicalIncident, compareIds, compareIncidents, comparePathways,
} from './graph-records.js';
import type { GraphStore, HostRecord, IncidentRecord, PathwayRef, StoredTopology, VmNeighbourhood, VulnerabilityCount } from './graph-store.js';
import { countVulnerability } from './vulnerability-counting.js';

/** The embedded GraphStore: plain maps with the Neo4j adapter's semantics (the default when no Neo4j is configured). */
export class InMemoryGraphStore implements GraphStore {
  private readonly vms = new Map<string, Vm>();
  private readonly hosts = new Map<string, HostRecord>();
  private readonly pathways = new Map<string, Pathway>();
  private readonly incidents = new Map<string, IncidentRecord>();
  private closed = false;

  init(): Promise<void> {
    return this.run(() => undefined);
  }

  upsertVms(vms: readonly Vm[]): Promise<void> {
    return this.run(() => {
      for (const vm of vms) assertVmInput(vm);
      for (const vm of vms) this.vms.set(vm.id, copyVm(vm));
    });
  }

  removeVms(vmIds: readonly string[]): Promise<void> {
    return this.run(() => {
      for (const id of vmIds) assertStoreId(id, 'vmId');
      const gone = new Set(vmIds);
      for (const id of gone) this.vms.delete(id);
      for (const [key, p] of this.pathways) if (gone.has(p.source) || gone.has(p.target)) this.pathways.delete(key);
    });
  }

  upsertHosts(hosts: readonly HostRecord[]): Promise<void> {
    return this.run(() => {
      for (const host of hosts) assertHostRecord(host);
      for (const host of hosts) this.hosts.set(host.hostId, { hostId: host.hostId, capacity: { ...host.capacity } });
    });
  }

  upsertPathways(pathways: readonly Pathway[]): Promise<void> {
    return this.run(() => {
      for (const p of pathways) assertPathwayInput(p);
      for (const p of pathways) this.pathways.set(pathwayKey(p.source, p.target, p.kind), { source: p.source, target: p.target, kind: p.kind, features: { ...p.features } });
    });
  }

  removePathways(refs: readonly PathwayRef[]): Promise<void> {
    return this.run(() => {
      for (const ref of refs) assertPathwayRef(ref);
      for (const ref of refs) this.pathways.delete(pathwayKey(ref.source, ref.target, ref.kind));
    });
  }

  loadTopology(): Promise<StoredTopology> {
    return this.run(() => ({
      vms: [...this.vms.values()].sort((a, b) => compareIds(a.id, b.id)).map(copyVm),
      hosts: [...this.hosts.values()].sort((a, b) => compareIds(a.hostId, b.hostId)).map((h) => ({ hostId: h.hostId, capacity: { ...h.capacity } })),
      pathways: [...this.pathways.values()]
        .filter((p) => this.vms.has(p.source) && this.vms.has(p.target))
        .sort(comparePathways)
        .map((p) => ({ ...p, features: { ...p.features } })),
    }));
  }

  ping(): Promise<void> {
    return this.run(() => undefined);
  }

  vmNeighbourhood(vmId: string, limit: number): Promise<VmNeighbourhood> {
    return this.run(() => {
      assertStoreId(vmId, 'vmId');
      assertNeighbourhoodLimit(limit);
      const vm = this.vms.get(vmId);
      if (vm === undefined) return { vm: undefined, pathways: [], total: 0 };
      const joined = [...this.pathways.values()]
        .filter((p) => (p.source === vmId || p.target === vmId) && this.vms.has(p.source) && this.vms.has(p.target))
        .sort(comparePathways);
      return { vm: copyVm(vm), pathways: joined.slice(0, limit).map((p) => ({ ...p, features: { ...p.features } })), total: joined.length };
    });
  }

  recordIncident(incident: IncidentRecord): Promise<void> {
    return this.run(() => {
      const canonical = canonicalIncident(incident);
      this.incidents.set(canonical.incidentId, canonical);
    });
  }

  incidentHistory(vmId?: string): Promise<readonly IncidentRecord[]> {
    return this.run(() => {
      if (vmId !== undefined) assertStoreId(vmId, 'vmId');
      return [...this.incidents.values()]
        .filter((i) => vmId === undefined || i.affectedVmIds.includes(vmId) || i.sourceVmIds.includes(vmId))
        .sort(compareIncidents);
    });
  }

  vulnerabilityCounts(): Promise<readonly VulnerabilityCount[]> {
    return this.run(() => countVulnerability(this.vms.values(), this.pathways.values(), this.incidents.values()));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  // Async like the real adapter: validation errors reject rather than throw synchronously.
  private run<T>(work: () => T): Promise<T> {
    try {
      if (this.closed) throw new StoreError('STORE_FAILURE', 'in-memory graph store is closed');
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

function copyVm(vm: Vm): Vm {
  return {
    id: vm.id, hostId: vm.hostId, groupId: vm.groupId, systemId: vm.systemId,
    capacity: { ...vm.capacity }, allocation: { ...vm.allocation }, criticality: vm.criticality,
  };
}
