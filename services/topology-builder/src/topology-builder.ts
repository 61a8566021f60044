import { RuntimeError, type Logger, type MessageBus } from '@foresight/messaging';
import type { ServiceShell } from '@foresight/service-kit';
import type { GraphStore } from '@foresight/stores';
import { FleetTopology, type FleetTopologyCounts } from './fleet-topology.js';
import { flowsConsumer } from './handlers/flows.js';
import { hostsConsumer } from './handlers/hosts.js';
import { inventoryConsumer } from './handlers/inventory.js';
import { TopologyIngest, type TopologyBuilderMetrics } from './topology-ingest.js';

/** The builder's domain settings (all durations in event-time ms). */
export interface TopologyBuilderOptions {
  /** Half-life of the exponentially weighted pathway features, and of the fading of unobserved traffic. */
  readonly halfLifeMs: number;
  /** A pathway not observed for longer than this is removed. */
  readonly staleAfterMs: number;
  /** Relative feature change worth a write (0.1 = 10%). */
  readonly relativeChange: number;
  /** A lastSeenAt that advanced by this much is written even without a feature change. */
  readonly lastSeenRefreshMs: number;
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly sweepIntervalMs: number;
}

/** Defaults: 10 min half-life, removal after 30 min unseen, 10% change, flush every 5 s or 5,000 pathways, sweep every minute. */
export const DEFAULT_TOPOLOGY_BUILDER_OPTIONS: TopologyBuilderOptions = {
  halfLifeMs: 10 * 60_000,
  staleAfterMs: 30 * 60_000,
  relativeChange: 0.1,
  lastSeenRefreshMs: 5 * 60_000,
  flushIntervalMs: 5_000,
  batchSize: 5_000,
  sweepIntervalMs: 60_000,
};

/** What the topology builder is built from. */
export interface TopologyBuilderDeps {
  readonly bus: MessageBus;
  readonly graphStore: GraphStore;
  readonly logger: Logger;
  readonly options?: Partial<TopologyBuilderOptions>;
  /** Consumer group of its consumers (default: the bus's). */
  readonly groupId?: string;
  readonly metrics?: TopologyBuilderMetrics;
}

/** The topology builder, as every service looks (docs/services.md), plus a view of its topology. */
export interface TopologyBuilder extends ServiceShell {
  /** Loads the stored topology; call before the consumers start. */
  start(): Promise<void>;
  /** Advances event time to `now`: pathways fade, stale ones are removed, pending changes are flushed when due. */
  tick(now: number): Promise<void>;
  /** Flushes what is pending; the bus is closed by its owner. */
  stop(): Promise<void>;
  /** Sizes of the builder's view (VMs, hosts, pathways kept, pathways pending). */
  counts(): FleetTopologyCounts;
  /** Changes not yet written and published (pending or in the flush in flight). */
  unflushed(): number;
}

const noMetrics: TopologyBuilderMetrics = { flushed: () => undefined };

/** Throws CONFIG_INVALID naming the first bad option. */
export function resolveTopologyBuilderOptions(options: Partial<TopologyBuilderOptions> = {}): TopologyBuilderOptions {
  const resolved = { ...DEFAULT_TOPOLOGY_BUILDER_OPTIONS, ...options };
  for (const [name, value] of Object.entries(resolved)) {
    const ok = name === 'relativeChange' ? value > 0 && value < 1 : Number.isFinite(value) && value > 0;
    if (!ok) throw new RuntimeError('CONFIG_INVALID', `topology builder option ${name} is out of range: ${value}`);
  }
  if (!Number.isInteger(resolved.batchSize)) throw new RuntimeError('CONFIG_INVALID', `batchSize must be an integer, got ${resolved.batchSize}`);
  return resolved;
}

/**
 * Builds the topology builder: consumes inventory, hosts and flows; keeps the dependency graph with decayed
 * pathway features; writes meaningful changes to the graph store in batches; publishes topology-changes.
 * NOTE: several instances need co-partitioned assignment (main.ts): then one instance holds a VM's inventory and its
 * out-flows. Each instance loads the whole stored graph, but ages (sweeps) only the pathways whose source VM's flows
 * it is assigned (the bus's key ownership of `flows`); after a rebalance it takes from the store what the previous
 * owner wrote, so the pathways it inherits fade and expire from the right state.
 */
export function createTopologyBuilder(deps: TopologyBuilderDeps): TopologyBuilder {
  const options = resolveTopologyBuilderOptions(deps.options);
  const topology = new FleetTopology({
    halfLifeMs: options.halfLifeMs,
    staleAfterMs: options.staleAfterMs,
    thresholds: { relativeChange: options.relativeChange, lastSeenRefreshMs: options.lastSeenRefreshMs },
  });
  const ingest = new TopologyIngest(topology, deps.graphStore, options, deps.logger, deps.metrics ?? noMetrics, deps.bus.keyOwnership('flows'));
  let state: 'new' | 'started' | 'stopped' = 'new';
  return {
    consumers: [inventoryConsumer(ingest, deps.groupId), hostsConsumer(ingest, deps.groupId), flowsConsumer(ingest, deps.groupId)],
    async start() {
      await ingest.load();
      state = 'started';
    },
    tick: (now) => ingest.tick(now, deps.bus.publish.bind(deps.bus)),
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      try {
        await ingest.drain(deps.bus.publish.bind(deps.bus));
      } catch (error) {
        deps.logger.warn({ err: String(error) }, 'pending topology changes were not flushed at stop (flows are re-observed; inventory is redelivered)');
      }
    },
    ready: () => state === 'started',
    counts: () => topology.counts(),
    unflushed: () => ingest.unflushed(),
  };
}
