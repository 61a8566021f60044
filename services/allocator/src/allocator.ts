import { defaultModel, type ModelParameters } from '@foresight/core';
import type { Logger, MessageBus } from '@foresight/messaging';
import type { ServiceShell } from '@foresight/service-kit';
import type { GraphStore, HasDocuments, HasIdempotency, LeaseLedger, QuotaWindows } from '@foresight/stores';
import { NO_ALLOCATOR_METRICS, type AllocatorMetrics } from './allocator-metrics.js';
import { DEFAULT_ALLOCATOR_SETTINGS, type AllocatorSettings } from './allocator-settings.js';
import { CurrentModel } from './current-model.js';
import { FleetInventory } from './fleet-inventory.js';
import { allocationOutcomesConsumer } from './handlers/allocation-outcomes.js';
import { hostsConsumer } from './handlers/hosts.js';
import { inventoryConsumer } from './handlers/inventory.js';
import { modelConsumer } from './handlers/model.js';
import { riskConsumer } from './handlers/risk.js';
import { IncidentAllocator } from './incident-allocator.js';
import { KeyedSerialQueue } from './keyed-serial-queue.js';
import { StateEpoch } from './state-epoch.js';

/** What the allocator is built from. */
export interface AllocatorDeps {
  readonly bus: MessageBus;
  /** The ledger, grant quotas, documents and inventory claims (one RedisStateStore or InMemoryStateStore in practice). */
  readonly stateStore: LeaseLedger & QuotaWindows & HasDocuments & HasIdempotency;
  readonly logger: Logger;
  readonly settings?: Partial<AllocatorSettings>;
  /** The model to plan with until a version is published (default: the core's default model). */
  readonly model?: ModelParameters;
  /** Consumer group of its consumers (default: the bus's). */
  readonly groupId?: string;
  readonly metrics?: AllocatorMetrics;
  /**
   * The fleet's store of record (the topology builder's graph): when the state store has lost the allocator's state,
   * hosts, placements and host capacities are rebuilt from it. Without it only `hosts` and `inventory` events that
   * arrive afterwards restore them.
   */
  readonly fleetRecord?: Pick<GraphStore, 'loadTopology'>;
}

/** The allocator, as every service looks (docs/services.md). */
export interface Allocator extends ServiceShell {
  /**
   * Sets the budget, builds the state when the store holds none (a first start, or data lost while stopped; event time
   * `now`, default 0, starts its epoch) and loads what SHADOW incidents hold; call before the consumers start.
   */
  start(now?: number): Promise<void>;
  /** Expires leases due at event time `now` and publishes their RELEASEs. */
  tick(now: number): Promise<void>;
  /** Nothing to flush: every effect is in the ledger or the incident documents; the bus is closed by its owner. */
  stop(): Promise<void>;
}

/**
 * Builds the allocator: consumes risk, hosts, inventory, allocation-outcomes and model; keeps the resource-pool
 * ledger in the StateStore and publishes GRANT / ADJUST / RELEASE commands on `allocations`. Instances may split
 * partitions: the ledger is atomic, per-incident state is written by the risk partition's owner, and the rate limit
 * is counted in the store.
 */
export function createAllocator(deps: AllocatorDeps): Allocator {
  const settings: AllocatorSettings = { ...DEFAULT_ALLOCATOR_SETTINGS, ...deps.settings };
  const metrics = deps.metrics ?? NO_ALLOCATOR_METRICS;
  const queue = new KeyedSerialQueue();
  const inventory = new FleetInventory(deps.stateStore, queue);
  const model = new CurrentModel(deps.stateStore, settings.modelId, deps.model ?? defaultModel(settings.modelId));
  const epoch = new StateEpoch(deps.stateStore, async () => {
    await deps.stateStore.setBudget(settings.budget);
    await model.restore();
    const fleet = deps.fleetRecord === undefined ? { hosts: 0, vms: 0 } : await inventory.restore(await deps.fleetRecord.loadTopology());
    return { restoredHosts: fleet.hosts, restoredVms: fleet.vms };
  }, deps.logger, metrics, queue);
  const allocator = new IncidentAllocator({ store: deps.stateStore, inventory, model, settings, logger: deps.logger, metrics, queue, epoch });
  const publish = deps.bus.publish.bind(deps.bus);
  let state: 'new' | 'started' | 'stopped' = 'new';
  return {
    consumers: [
      riskConsumer(allocator, deps.groupId),
      hostsConsumer(inventory, deps.groupId),
      inventoryConsumer(inventory, deps.groupId),
      allocationOutcomesConsumer(allocator, deps.groupId),
      modelConsumer(model, deps.logger, deps.groupId),
    ],
    async start(now = 0) {
      await allocator.start(now);
      state = 'started';
    },
    tick: (now) => allocator.tick(now, publish),
    stop() {
      state = 'stopped';
      return Promise.resolve();
    },
    ready: () => state === 'started' && epoch.healthy(),
  };
}
