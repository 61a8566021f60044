import type { TopologyChangeEvent } from '@foresight/contracts';
import { pathwayKey, TopologyGraph, type Pathway, type TopologySnapshot } from '@foresight/core';
import type { StoredTopology } from '@foresight/stores';

/** How often the view recompiles and how many pathways may wait for a VM it does not know yet. */
export interface TopologyViewOptions {
  /** Recompile a dirty graph at most this often (event time), unless scoring needs a VM only the graph knows. */
  readonly minRecompileIntervalMs: number;
  readonly maxParkedPathways: number;
}

/**
 * The scorer's topology: a mutable TopologyGraph fed by the stored topology and topology-changes, and the last
 * compiled snapshot, which is what scoring uses (double buffering: a snapshot is never changed once handed out).
 * A pathway delta may arrive before one of its VMs (deltas are keyed by source VM, so the target's own message can
 * be on another partition): it is parked until that VM arrives, and dropped if the VM is removed.
 */
export class TopologyView {
  private readonly graph = new TopologyGraph();
  private readonly parked = new Map<string, Pathway>();
  private readonly parkedByVm = new Map<string, Set<string>>();
  private compiled: TopologySnapshot | undefined;
  private compiledAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: TopologyViewOptions) {}

  /** Replaces nothing: adds the stored VMs and pathways (at start, before following the changes). */
  load(stored: StoredTopology): void {
    for (const vm of stored.vms) this.graph.upsertVm(vm);
    for (const pathway of stored.pathways) this.upsertPathway(pathway);
  }

  /** Applies one topology-change message: VM removal, VM upsert, pathway deltas (whose source is the message's VM). */
  apply(change: TopologyChangeEvent): void {
    const vmId = change.vmId;
    if (change.vmRemoved) {
      this.graph.removeVm(vmId);
      for (const key of [...(this.parkedByVm.get(vmId) ?? [])]) this.unpark(key);
      return;
    }
    if (change.vm !== null) {
      this.graph.upsertVm({ id: vmId, ...change.vm });
      this.releaseParked(vmId);
    }
    for (const d of change.pathways) {
      if (d.removed) {
        this.graph.removePathway(vmId, d.target, d.kind);
        this.unpark(pathwayKey(vmId, d.target, d.kind));
        continue;
      }
      this.upsertPathway({
        source: vmId,
        target: d.target,
        kind: d.kind,
        features: {
          bandwidthMbps: d.bandwidthMbps, callsPerSec: d.callsPerSec, latencyP50Ms: d.latencyP50Ms, latencyP99Ms: d.latencyP99Ms,
          errorRate: d.errorRate, lastSeenAt: d.lastSeenAt,
        },
      });
    }
  }

  /**
   * The snapshot to score with at event time `now`: the last compiled one, recompiled first when the graph changed
   * and either `minRecompileIntervalMs` has passed or one of `needed` is in the graph but not in that snapshot.
   */
  snapshot(now: number, needed: readonly string[] = []): TopologySnapshot {
    const current = this.compiled;
    const dirty = current === undefined || current.version !== this.graph.version;
    if (dirty && (current === undefined || now - this.compiledAt >= this.options.minRecompileIntervalMs || needed.some((id) => this.graph.hasVm(id) && !current.hasVm(id)))) {
      this.compiled = this.graph.compile();
      this.compiledAt = now;
    }
    return this.compiled ?? this.graph.compile();
  }

  /** True when the graph (not necessarily the last snapshot) knows the VM. */
  hasVm(vmId: string): boolean {
    return this.graph.hasVm(vmId);
  }

  /** How many pathways wait for a VM. */
  get parkedCount(): number {
    return this.parked.size;
  }

  private upsertPathway(pathway: Pathway): void {
    if (this.graph.hasVm(pathway.source) && this.graph.hasVm(pathway.target)) {
      this.graph.upsertPathway(pathway);
      this.unpark(pathwayKey(pathway.source, pathway.target, pathway.kind));
      return;
    }
    const key = pathwayKey(pathway.source, pathway.target, pathway.kind);
    this.unpark(key);
    this.parked.set(key, pathway);
    for (const vmId of [pathway.source, pathway.target]) {
      let keys = this.parkedByVm.get(vmId);
      if (keys === undefined) this.parkedByVm.set(vmId, (keys = new Set()));
      keys.add(key);
    }
    // NOTE: bounded: the oldest parked pathway goes first (its VM may never be inventoried).
    if (this.parked.size > this.options.maxParkedPathways) {
      const oldest = this.parked.keys().next();
      if (oldest.done !== true) this.unpark(oldest.value);
    }
  }

  private releaseParked(vmId: string): void {
    for (const key of [...(this.parkedByVm.get(vmId) ?? [])]) {
      const pathway = this.parked.get(key);
      if (pathway !== undefined && this.graph.hasVm(pathway.source) && this.graph.hasVm(pathway.target)) {
        this.unpark(key);
        this.graph.upsertPathway(pathway);
      }
    }
  }

  private unpark(key: string): void {
    const pathway = this.parked.get(key);
    if (pathway === undefined) return;
    this.parked.delete(key);
    for (const vmId of [pathway.source, pathway.target]) {
      const keys = this.parkedByVm.get(vmId);
      keys?.delete(key);
      if (keys?.size === 0) this.parkedByVm.delete(vmId);
    }
  }
}
