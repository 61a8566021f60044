import type { FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';
import type { KeyOwnership, Logger, Publish } from '@foresight/messaging';
import type { GraphStore } from '@foresight/stores';
import { pathwayRef, type FleetTopology, type TopologyFlush } from './fleet-topology.js';
import { topologyChangeMessages } from './topology-change-messages.js';

/** When the builder writes: coalescing of flow observations and the staleness sweep, all in event time. */
export interface FlushPolicy {
  /** Flush observed pathways at least this often (event time). */
  readonly flushIntervalMs: number;
  /** …or as soon as this many pathways are pending. */
  readonly batchSize: number;
  /** Re-evaluate every pathway (decay and staleness) this often (event time). */
  readonly sweepIntervalMs: number;
}

/** What one flush did, for metrics and tests. */
export interface FlushSummary {
  readonly at: number;
  readonly topologyVersion: number;
  readonly vmsWritten: number;
  readonly vmsRemoved: number;
  readonly hostsWritten: number;
  readonly pathwaysWritten: number;
  readonly pathwaysRemoved: number;
  readonly messages: number;
  readonly sweep: boolean;
}

/** Observes the builder's work (service-kit instruments in production, nothing in tests). */
export interface TopologyBuilderMetrics {
  flushed(summary: FlushSummary): void;
}

/**
 * Applies inventory, host and flow events to the fleet topology and decides when to flush it: inventory and host
 * changes are written through at once (they are not re-observed, so they must not wait in memory), flow
 * observations are coalesced until the flush interval or the batch size is reached. A flush writes the store first,
 * then publishes the deltas, and only then records them as written; on failure its changes are kept for the next one.
 * Flushes never overlap. With several instances, `ownership` (of the flows' keys, source VMs) says which pathways this
 * one ages in its sweeps, and when it changes (a rebalance) the next event or tick first refreshes from the store what
 * this instance has not changed itself (the VMs and pathways another instance kept current).
 */
export class TopologyIngest {
  /** The newest event time seen, and the newest but one (see clock()). */
  private newestEvent = Number.NEGATIVE_INFINITY;
  private secondEvent = Number.NEGATIVE_INFINITY;
  /** The latest tick: the edge's clock (the wall clock in a service, the simulated one in a replay). */
  private ticked = Number.NEGATIVE_INFINITY;
  private lastFlushAt: number | undefined;
  private lastSweepAt: number | undefined;
  private topologyVersion = 0;
  private flushing: Promise<void> = Promise.resolve();
  /** Changes (VMs, hosts, pathways) taken by the flush in flight and not yet written and published. */
  private inFlight = 0;

  constructor(
    private readonly topology: FleetTopology,
    private readonly graphStore: GraphStore,
    private readonly policy: FlushPolicy,
    private readonly logger: Logger,
    private readonly metrics: TopologyBuilderMetrics,
    private readonly ownership: KeyOwnership,
  ) {
    this.loadedGeneration = ownership.generation;
  }

  /** The ownership generation the held topology was last completed from the store at. */
  private loadedGeneration: number;

  /** The builder's clock (see clock()). */
  get eventTime(): number {
    return this.clock();
  }

  /**
   * The builder's clock, which flushes, sweeps, versions and published changes are stamped with: the latest tick or the
   * newest event time but one, whichever is later. One event dated far ahead (a producer's broken clock) cannot drag it:
   * it moves only once a second event, or the edge's tick, confirms the time (docs/decisions/015-event-time-bounds.md).
   * Before anything confirms a time (the first event after a start, no tick yet) it is that event's time, and no sweep
   * runs on it.
   */
  private clock(): number {
    const confirmed = this.confirmedClock();
    return confirmed > Number.NEGATIVE_INFINITY ? confirmed : this.newestEvent;
  }

  private confirmedClock(): number {
    return Math.max(this.ticked, this.secondEvent);
  }

  /** Loads the stored topology: the builder resumes decaying what it wrote before a restart. */
  async load(): Promise<void> {
    await this.graphStore.init();
    const stored = await this.graphStore.loadTopology();
    this.topology.load(stored);
    this.logger.info({ vms: stored.vms.length, hosts: stored.hosts.length, pathways: stored.pathways.length }, 'topology loaded');
  }

  /**
   * After a rebalance: refreshes from the store what this instance has not changed since its last flush (see
   * FleetTopology.load), before it applies any event of the keys it may have gained, sweeps or flushes.
   */
  private async catchUpWithOwnership(): Promise<void> {
    // NOTE: owning nothing (before a join, during a rebalance) there is nothing to catch up with yet; wait for the join.
    if (this.ownership.generation === this.loadedGeneration || !this.ownership.active) return;
    await this.serially(async () => {
      const generation = this.ownership.generation;
      if (generation === this.loadedGeneration) return;
      const stored = await this.graphStore.loadTopology();
      const refreshed = this.topology.load(stored);
      this.loadedGeneration = generation;
      this.logger.info({ generation, vmsRefreshed: refreshed.vms, pathwaysRefreshed: refreshed.pathways, pathwaysForgotten: refreshed.forgotten }, 'partitions reassigned: topology refreshed from the store');
    });
  }

  /** A VM upsert or removal: written through. */
  applyInventory(event: InventoryEvent, publish: Publish): Promise<void> {
    return this.applyInventoryRun([event], publish);
  }

  /**
   * A run of VM upserts and removals (consecutive records of a partition, in order): each applied to the topology in
   * order, then written through once (one store write and one publish for the run) before the run is acknowledged.
   */
  async applyInventoryRun(events: readonly InventoryEvent[], publish: Publish): Promise<void> {
    await this.catchUpWithOwnership();
    let changed = false;
    for (const event of events) {
      this.observeTime(event.eventTime);
      const applied = event.removed
        ? this.topology.removeVm(event.vmId)
        : this.topology.upsertVm({
          id: event.vmId, hostId: event.hostId, groupId: event.groupId, systemId: event.systemId,
          capacity: event.capacity, allocation: event.allocation, criticality: event.criticality,
        });
      changed ||= applied;
    }
    await this.writeThrough(changed, publish);
  }

  /** A host's capacity: written through. */
  applyHost(event: HostEvent, publish: Publish): Promise<void> {
    return this.applyHostRun([event], publish);
  }

  /**
   * A run of host capacities, applied in order, then written through once. A removed host is kept with zero capacity
   * (the store has no host removal).
   */
  async applyHostRun(events: readonly HostEvent[], publish: Publish): Promise<void> {
    await this.catchUpWithOwnership();
    let changed = false;
    for (const event of events) {
      this.observeTime(event.eventTime);
      const capacity = event.removed ? { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 } : event.capacity;
      changed = this.topology.upsertHost({ hostId: event.hostId, capacity }) || changed;
    }
    await this.writeThrough(changed, publish);
  }

  /**
   * Writes through before a run of inventory or host events is acknowledged: flushes when the run changed something.
   * When it changed nothing (e.g. a run redelivered after its flush failed: its changes are already held, restored
   * as pending), it still waits for the flush in flight and flushes what VM and host changes are left pending, so
   * that no acknowledged change is only in memory.
   */
  private async writeThrough(changed: boolean, publish: Publish): Promise<void> {
    if (!changed) {
      await this.flushing;
      if (this.topology.pendingWriteThrough() === 0) return;
    }
    await this.flush(publish);
  }

  /** A flow window: folded into its pathway's decayed features; flushed when due. */
  applyFlow(event: FlowEvent, publish: Publish): Promise<void> {
    return this.applyFlowRun([event], publish);
  }

  /** A run of flow windows, folded in order; flushed once after the run when due. */
  async applyFlowRun(events: readonly FlowEvent[], publish: Publish): Promise<void> {
    await this.catchUpWithOwnership();
    for (const event of events) {
      const at = Math.max(event.windowEnd, event.eventTime);
      this.observeTime(at);
      const observed = this.topology.observe(
        { source: event.source, target: event.target, kind: event.kind },
        { bandwidthMbps: event.bandwidthMbps, callsPerSec: event.callsPerSec, latencyP50Ms: event.latencyP50Ms, latencyP99Ms: event.latencyP99Ms, errorRate: event.errorRate, at },
      );
      if (!observed) this.logger.debug({ vmId: event.source, eventId: event.eventId }, 'flow from a VM to itself ignored');
    }
    if (this.flushDue()) await this.flush(publish);
  }

  /** Time-driven work at event time `now`: advances the clock (so unobserved pathways fade) and flushes when due. */
  async tick(now: number, publish: Publish): Promise<void> {
    if (now > this.ticked) this.ticked = now;
    this.lastFlushAt ??= this.clock();
    await this.catchUpWithOwnership();
    if (this.flushDue() || this.sweepDue()) await this.flush(publish);
  }

  /** Flushes whatever is pending (at shutdown). */
  async drain(publish: Publish): Promise<void> {
    await this.flushing;
    if (this.topology.hasPending()) await this.flush(publish);
  }

  /** Changes not yet written and published: pending, or taken by the flush in flight (a gauge; benchmarks wait for 0). */
  unflushed(): number {
    return this.topology.pendingChanges() + this.inFlight;
  }

  /** Waits for the flush in flight, if any. */
  idle(): Promise<void> {
    return this.flushing;
  }

  /** An event's time: the newest and the newest but one are kept (an equal time counts as a second one). */
  private observeTime(at: number): void {
    if (at > this.newestEvent) {
      this.secondEvent = this.newestEvent;
      this.newestEvent = at;
    } else if (at > this.secondEvent) {
      this.secondEvent = at;
    }
    this.lastFlushAt ??= this.clock();
  }

  private flushDue(): boolean {
    const counts = this.topology.counts();
    if (counts.pendingPathways >= this.policy.batchSize) return true;
    const since = this.clock() - (this.lastFlushAt ?? this.clock());
    // NOTE: a clock behind the last flush means that flush was stamped with an unconfirmed time (the first event after
    // a start, which a tick or the next events then showed to be far ahead): flush at the clock now.
    return this.topology.hasPending() && (since >= this.policy.flushIntervalMs || since < 0);
  }

  private sweepDue(): boolean {
    return this.lastSweepAt === undefined || this.clock() - this.lastSweepAt >= this.policy.sweepIntervalMs;
  }

  private flush(publish: Publish): Promise<void> {
    return this.serially(() => this.flushNow(publish));
  }

  /** Runs `work` after the flush or reload in flight: they never overlap. */
  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.flushing.then(work);
    // NOTE: the chain must survive a failed step; the failure itself goes to the caller through `run`.
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushNow(publish: Publish): Promise<void> {
    const now = this.clock();
    // NOTE: owning nothing (before a join, during a rebalance, unconfirmed), a sweep would decide nothing: keep it due.
    // Nor does one run on a time no second event or tick has confirmed: it could be one far ahead (clock()).
    const sweep = this.sweepDue() && this.ownership.active && this.confirmedClock() > Number.NEGATIVE_INFINITY;
    // A sweep asks once per source VM, not once per pathway (a source has several; ownership is per key).
    const owned = new Map<string, boolean>();
    const owns = (vmId: string): boolean => {
      let mine = owned.get(vmId);
      if (mine === undefined) owned.set(vmId, (mine = this.ownership.owns(vmId)));
      return mine;
    };
    const plan = this.topology.planFlush(now, sweep, owns);
    if (sweep) this.lastSweepAt = now;
    this.lastFlushAt = now;
    const taken = plan.taken;
    this.inFlight = taken.vms.size + taken.removedVms.size + taken.hosts.size + taken.pathways.size;
    try {
      const version = Math.max(this.topologyVersion + 1, Math.floor(now));
      await this.write(plan);
      const messages = topologyChangeMessages(plan, version, (vmId) => this.topology.hasVm(vmId));
      if (messages.length > 0) await publish('topology-changes', messages);
      this.topologyVersion = version;
      this.topology.commit(plan);
      const summary: FlushSummary = {
        at: now, topologyVersion: version, vmsWritten: plan.vmUpserts.length, vmsRemoved: plan.vmRemovals.length, hostsWritten: plan.hosts.length,
        pathwaysWritten: plan.pathwayUpserts.length, pathwaysRemoved: plan.pathwayRemovals.length, messages: messages.length, sweep,
      };
      this.metrics.flushed(summary);
      if (messages.length > 0) this.logger.debug({ ...summary }, 'topology flushed');
    } catch (error) {
      this.topology.restore(plan);
      throw error;
    } finally {
      this.inFlight = 0;
    }
  }

  private async write(plan: TopologyFlush): Promise<void> {
    const store = this.graphStore;
    if (plan.vmRemovals.length > 0) await store.removeVms(plan.vmRemovals);
    if (plan.vmUpserts.length > 0) await store.upsertVms(plan.vmUpserts);
    if (plan.hosts.length > 0) await store.upsertHosts(plan.hosts);
    if (plan.pathwayUpserts.length > 0) await store.upsertPathways(plan.pathwayUpserts);
    if (plan.pathwayRemovals.length > 0) await store.removePathways(plan.pathwayRemovals.map(pathwayRef));
  }
}
