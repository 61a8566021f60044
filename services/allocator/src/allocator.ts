import { defaultModel, type ModelParameters } from '@foresight/core';
import type { Logger, MessageBus } from '@foresight/messaging';
import type { ServiceShell } from '@foresight/service-kit';
import type { HasDocuments, HasIdempotency, LeaseLedger, QuotaWindows } from '@foresight/stores';
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
}

/** The allocator, as every service looks (docs/services.md). */
export interface Allocator extends ServiceShell {
  /** Sets the budget and loads what SHADOW incidents hold; call before the consumers start. */
  start(): Promise<void>;
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
  const allocator = new IncidentAllocator({ store: deps.stateStore, inventory, model, settings, logger: deps.logger, metrics, queue });
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
    async start() {
      await allocator.start();
      state = 'started';
    },
    tick: (now) => allocator.tick(now, publish),
    stop() {
      state = 'stopped';
      return Promise.resolve();
    },
    ready: () => state === 'started',
  };
}
