import {
  featuresAt, isMeaningfulChange, observePathway, pathwayKey, restoredPathway,
  type ChangeThresholds, type DecayedPathway, type Pathway, type PathwayFeatures, type PathwayObservation, type Vm,
} from '@foresight/core';
import type { HostRecord, PathwayRef, StoredTopology } from '@foresight/stores';

/** How pathways decay, when they are dropped and what change is worth writing. */
export interface FleetTopologyOptions {
  readonly halfLifeMs: number;
  /** A pathway not seen for longer than this (event time) is removed. */
  readonly staleAfterMs: number;
  readonly thresholds: ChangeThresholds;
}

/** Changes accumulated since the last flush (taken by planFlush, given back by restore when a flush fails). */
export interface PendingChanges {
  readonly vms: Set<string>;
  readonly removedVms: Set<string>;
  /** VMs that entered the inventory: their out-pathways are announced with them. */
  readonly arrived: Set<string>;
  readonly hosts: Map<string, HostRecord>;
  /** Keys of pathways observed since the last flush. */
  readonly pathways: Set<string>;
}

/** What one flush writes to the graph store and publishes: only meaningful changes, coalesced. */
export interface TopologyFlush {
  readonly at: number;
  readonly vmUpserts: readonly Vm[];
  readonly vmRemovals: readonly string[];
  readonly hosts: readonly HostRecord[];
  readonly pathwayUpserts: readonly Pathway[];
  readonly pathwayRemovals: readonly Pathway[];
  /** Out-pathways of arrived VMs already in the store, published (not written) so scorers learn them. */
  readonly announcements: readonly Pathway[];
  /** Pathways that went stale before they were ever written: dropped without a write. */
  readonly silentDrops: readonly string[];
  readonly taken: PendingChanges;
}

/** Sizes of the builder's view. */
export interface FleetTopologyCounts {
  readonly vms: number;
  readonly hosts: number;
  readonly pathways: number;
  readonly pendingPathways: number;
}

function emptyPending(): PendingChanges {
  return { vms: new Set(), removedVms: new Set(), arrived: new Set(), hosts: new Map(), pathways: new Set() };
}

function sameVm(a: Vm, b: Vm): boolean {
  return a.hostId === b.hostId && a.groupId === b.groupId && a.systemId === b.systemId && a.criticality === b.criticality
    && a.capacity.cpuMillis === b.capacity.cpuMillis && a.capacity.memoryMiB === b.capacity.memoryMiB && a.capacity.networkMbps === b.capacity.networkMbps
    && a.allocation.cpuMillis === b.allocation.cpuMillis && a.allocation.memoryMiB === b.allocation.memoryMiB && a.allocation.networkMbps === b.allocation.networkMbps;
}

function sameHost(a: HostRecord, b: HostRecord): boolean {
  return a.capacity.cpuMillis === b.capacity.cpuMillis && a.capacity.memoryMiB === b.capacity.memoryMiB && a.capacity.networkMbps === b.capacity.networkMbps;
}

/**
 * The builder's dependency graph: the inventory, host capacities and every observed pathway with decayed features,
 * plus what has been written (the features the store and the scorers hold). Flushes are planned, then committed
 * once written and published, or their changes restored when that failed.
 */
export class FleetTopology {
  private readonly vms = new Map<string, Vm>();
  private readonly hosts = new Map<string, HostRecord>();
  private readonly pathways = new Map<string, DecayedPathway>();
  /** Features as last written, by pathway key. */
  private readonly written = new Map<string, PathwayFeatures>();
  private readonly keysByVm = new Map<string, Set<string>>();
  private pending: PendingChanges = emptyPending();

  constructor(private readonly options: FleetTopologyOptions) {}

  /**
   * Restores the stored topology: at start, and again after a rebalance, when keys another instance kept current may
   * have become this one's. The store is the truth for everything this instance has not changed since its last flush:
   * held VMs and hosts are replaced by their stored version, a held pathway by the stored one when that was seen
   * later (the other instance observed it since), and a pathway this instance had written but the store no longer
   * holds was removed by its owner and is forgotten. Pending changes (observed or inventoried since the last flush)
   * are kept as they are, and a VM whose removal is pending stays removed. Nothing becomes pending.
   */
  load(stored: StoredTopology): { readonly vms: number; readonly pathways: number; readonly forgotten: number } {
    const pending = this.pending;
    let vms = 0;
    let pathways = 0;
    const storedVms = new Set<string>();
    for (const vm of stored.vms) {
      storedVms.add(vm.id);
      if (pending.vms.has(vm.id) || pending.removedVms.has(vm.id)) continue;
      const held = this.vms.get(vm.id);
      if (held !== undefined && sameVm(held, vm)) continue;
      this.vms.set(vm.id, vm);
      vms++;
    }
    // A held VM the store no longer has, and that this instance has not inventoried since its last flush, was removed
    // by its owner (every other held VM has been written: a refresh runs after the flush in flight).
    for (const id of [...this.vms.keys()]) {
      if (storedVms.has(id) || pending.vms.has(id) || pending.arrived.has(id)) continue;
      this.vms.delete(id);
      vms++;
    }
    for (const host of stored.hosts) if (!pending.hosts.has(host.hostId)) this.hosts.set(host.hostId, host);
    const storedKeys = new Set<string>();
    for (const p of stored.pathways) {
      if (p.kind === 'CO_LOCATED') continue;
      const key = pathwayKey(p.source, p.target, p.kind);
      storedKeys.add(key);
      if (pending.pathways.has(key) || pending.removedVms.has(p.source) || pending.removedVms.has(p.target)) continue;
      const held = this.pathways.get(key);
      if (held !== undefined && held.lastSeenAt > p.features.lastSeenAt) continue;
      if (held !== undefined && held.lastSeenAt === p.features.lastSeenAt) {
        // The same observations: keep the decayed history, but what the store holds is what was last written.
        this.written.set(key, p.features);
        continue;
      }
      this.pathways.set(key, restoredPathway({ source: p.source, target: p.target, kind: p.kind }, p.features));
      this.written.set(key, p.features);
      if (held === undefined) this.index(key, p.source, p.target);
      pathways++;
    }
    let forgotten = 0;
    for (const [key, p] of [...this.pathways]) {
      if (storedKeys.has(key) || pending.pathways.has(key) || !this.written.has(key)) continue;
      this.forget(key, p);
      forgotten++;
    }
    return { vms, pathways, forgotten };
  }

  /** Inserts or replaces a VM; false when nothing changed. */
  upsertVm(vm: Vm): boolean {
    const previous = this.vms.get(vm.id);
    if (previous !== undefined && sameVm(previous, vm)) return false;
    this.vms.set(vm.id, vm);
    this.pending.vms.add(vm.id);
    if (previous === undefined) this.pending.arrived.add(vm.id);
    return true;
  }

  /** Removes a VM and every pathway touching it (as the store and the scorers do); false when it was unknown. */
  removeVm(vmId: string): boolean {
    const known = this.vms.delete(vmId);
    const keys = this.keysByVm.get(vmId);
    if (!known && keys === undefined) return false;
    for (const key of keys ?? []) {
      const p = this.pathways.get(key);
      if (p !== undefined) this.forget(key, p);
    }
    this.pending.vms.delete(vmId);
    this.pending.arrived.delete(vmId);
    this.pending.removedVms.add(vmId);
    return true;
  }

  /** Sets a host's capacity; false when unchanged. */
  upsertHost(host: HostRecord): boolean {
    const previous = this.hosts.get(host.hostId);
    if (previous !== undefined && sameHost(previous, host)) return false;
    this.hosts.set(host.hostId, host);
    this.pending.hosts.set(host.hostId, host);
    return true;
  }

  /** Folds a flow window into its pathway; false for a flow from a VM to itself (not a pathway). */
  observe(pathway: Pick<DecayedPathway, 'source' | 'target' | 'kind'>, observation: PathwayObservation): boolean {
    if (pathway.source === pathway.target) return false;
    const key = pathwayKey(pathway.source, pathway.target, pathway.kind);
    this.pathways.set(key, observePathway(this.pathways.get(key), pathway, observation, this.options.halfLifeMs));
    this.index(key, pathway.source, pathway.target);
    this.pending.pathways.add(key);
    return true;
  }

  hasVm(vmId: string): boolean {
    return this.vms.has(vmId);
  }

  /** The pathway's features at `now` (decayed), if it is kept. */
  pathwayFeatures(source: string, target: string, kind: DecayedPathway['kind'], now: number): PathwayFeatures | undefined {
    const p = this.pathways.get(pathwayKey(source, target, kind));
    return p === undefined ? undefined : featuresAt(p, now, this.options.halfLifeMs);
  }

  counts(): FleetTopologyCounts {
    return { vms: this.vms.size, hosts: this.hosts.size, pathways: this.pathways.size, pendingPathways: this.pending.pathways.size };
  }

  /** Pending VM upserts and removals, host changes and observed pathways. */
  pendingChanges(): number {
    const p = this.pending;
    return p.vms.size + p.removedVms.size + p.hosts.size + p.pathways.size;
  }

  /** Pending VM upserts and removals and host changes: what is written through (not re-observed like pathways). */
  pendingWriteThrough(): number {
    const p = this.pending;
    return p.vms.size + p.removedVms.size + p.hosts.size;
  }

  /** True when something is waiting to be flushed. */
  hasPending(): boolean {
    const p = this.pending;
    return p.vms.size + p.removedVms.size + p.hosts.size + p.pathways.size > 0;
  }

  /**
   * Takes the pending changes and decides what to write at event time `now`: observed pathways (or, with `sweep`,
   * every pathway whose source `owns` says is this instance's to age) are removed when stale, or written when their
   * decayed features changed meaningfully. Another instance's pathways are never swept here: their flows go there.
   */
  planFlush(now: number, sweep: boolean, owns: (sourceVmId: string) => boolean = () => true): TopologyFlush {
    const taken = this.pending;
    this.pending = emptyPending();
    const pathwayUpserts: Pathway[] = [];
    const pathwayRemovals: Pathway[] = [];
    const silentDrops: string[] = [];
    for (const key of sweep ? this.pathways.keys() : taken.pathways) {
      const p = this.pathways.get(key);
      if (p === undefined || (sweep && !taken.pathways.has(key) && !owns(p.source))) continue;
      const features = featuresAt(p, now, this.options.halfLifeMs);
      const pathway: Pathway = { source: p.source, target: p.target, kind: p.kind, features };
      if (now - p.lastSeenAt > this.options.staleAfterMs) {
        if (this.written.has(key)) pathwayRemovals.push(pathway);
        else silentDrops.push(key);
      } else if (isMeaningfulChange(this.written.get(key), features, this.options.thresholds)) {
        pathwayUpserts.push(pathway);
      }
    }
    const changed = new Set([...pathwayUpserts, ...pathwayRemovals].map((p) => pathwayKey(p.source, p.target, p.kind)));
    const announcements: Pathway[] = [];
    for (const vmId of taken.arrived) {
      for (const key of this.keysByVm.get(vmId) ?? []) {
        const p = this.pathways.get(key);
        const features = this.written.get(key);
        if (p === undefined || p.source !== vmId || features === undefined || changed.has(key)) continue;
        announcements.push({ source: p.source, target: p.target, kind: p.kind, features });
      }
    }
    return {
      at: now,
      vmUpserts: [...taken.vms].map((id) => this.vms.get(id)).filter((vm): vm is Vm => vm !== undefined),
      vmRemovals: [...taken.removedVms],
      hosts: [...taken.hosts.values()],
      pathwayUpserts,
      pathwayRemovals,
      announcements,
      silentDrops,
      taken,
    };
  }

  /** Records a flush as written: the store and the scorers now hold its features; stale pathways are forgotten. */
  commit(flush: TopologyFlush): void {
    for (const p of flush.pathwayUpserts) {
      const key = pathwayKey(p.source, p.target, p.kind);
      // A VM removed while the flush was in flight took its pathways with it: nothing to record.
      if (this.pathways.has(key)) this.written.set(key, p.features);
    }
    for (const p of flush.pathwayRemovals) this.dropIfUnseenSince(pathwayKey(p.source, p.target, p.kind), p.features.lastSeenAt);
    for (const key of flush.silentDrops) {
      const p = this.pathways.get(key);
      if (p !== undefined) this.dropIfUnseenSince(key, p.lastSeenAt);
    }
  }

  /** Gives a failed flush's changes back, so the next flush retries them. */
  restore(flush: TopologyFlush): void {
    const { taken } = flush;
    for (const id of taken.vms) if (this.vms.has(id)) this.pending.vms.add(id);
    for (const id of taken.removedVms) this.pending.removedVms.add(id);
    for (const id of taken.arrived) if (this.vms.has(id)) this.pending.arrived.add(id);
    for (const [id, host] of taken.hosts) if (!this.pending.hosts.has(id)) this.pending.hosts.set(id, host);
    for (const key of taken.pathways) if (this.pathways.has(key)) this.pending.pathways.add(key);
    // NOTE: a failed sweep is simply redone by the next one; its decisions need no restoring.
  }

  /** Forgets a stale pathway, unless it was observed again meanwhile (then the next flush writes it afresh). */
  private dropIfUnseenSince(key: string, lastSeenAt: number): void {
    const p = this.pathways.get(key);
    if (p !== undefined && p.lastSeenAt <= lastSeenAt) {
      this.forget(key, p);
      return;
    }
    this.written.delete(key);
  }

  private forget(key: string, p: DecayedPathway): void {
    this.pathways.delete(key);
    this.written.delete(key);
    this.pending.pathways.delete(key);
    for (const vmId of [p.source, p.target]) {
      const keys = this.keysByVm.get(vmId);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByVm.delete(vmId);
    }
  }

  private index(key: string, source: string, target: string): void {
    for (const vmId of [source, target]) {
      let keys = this.keysByVm.get(vmId);
      if (keys === undefined) this.keysByVm.set(vmId, (keys = new Set()));
      keys.add(key);
    }
  }
}

/** The reference of a pathway in the store. */
export function pathwayRef(p: Pathway): PathwayRef {
  return { source: p.source, target: p.target, kind: p.kind };
}
