import { pathToFileURL } from 'node:url';
import { KafkaBus, instrumentConsumers } from '@foresight/messaging';
import { addDependencyChecks, boundEventTimes, type Env, runService, serviceBusOptions, type ServiceDefinition, type ServiceInstruments, startTicking } from '@foresight/service-kit';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import type { AllocatorMetrics } from './allocator-metrics.js';
import { createAllocator } from './allocator.js';
import { readAllocatorConfig, type AllocatorConfig } from './config.js';

/** The service name: logs, telemetry and the consumer group (`<topic prefix>allocator`). */
export const ALLOCATOR = 'allocator';

function allocatorMetrics(
  instruments: ServiceInstruments, counters: { commands: (action: string, mode: string) => void; refused: (reason: string) => void; stateLost: (cause: string) => void },
): AllocatorMetrics {
  return {
    commandPublished: (action, mode) => counters.commands(action, mode),
    grantRefused: (reason) => counters.refused(reason),
    stateLost: (cause) => counters.stateLost(cause),
    ledgerObserved: (activeGrants, reserved) => {
      instruments.activeGrants.set(activeGrants);
      instruments.reservedResources.set(reserved.cpuMillis, { resource: 'cpu_millis' });
      instruments.reservedResources.set(reserved.memoryMiB, { resource: 'memory_mib' });
      instruments.reservedResources.set(reserved.networkMbps, { resource: 'network_mbps' });
    },
  };
}

/**
 * The composition root: Redis (ledger, documents, idempotency), Kafka, Neo4j (read only when Redis lost the allocator's
 * state: the fleet is rebuilt from it), the allocator, its consumers and a wall-clock tick (the edge's event time)
 * that expires leases and checks the state. `onStopped` is called once the service has stopped.
 */
export function allocatorService(env?: Env, onStopped: () => void = () => undefined): ServiceDefinition<AllocatorConfig> {
  return {
    name: ALLOCATOR,
    version: '0.1.0',
    loadConfig: () => readAllocatorConfig(env),
    async start(context) {
      const { config, logger, telemetry } = context;
      const stateStore = new RedisStateStore({ ...config.redis, keyPrefix: config.redisKeyPrefix });
      await context.step('redis', () => stateStore.init());
      // NOTE: no init(): the allocator only reads the graph (the topology builder owns its constraints), and only to rebuild.
      const graph = new Neo4jGraphStore({ ...config.neo4j, namespace: config.neo4jNamespace });
      const bus = await context.step('kafka', () => KafkaBus.connect({
        ...serviceBusOptions(context),
        groupId: `${config.topicPrefix}${ALLOCATOR}`,
        idempotency: { store: stateStore.idempotency },
        topics: ['risk', 'hosts', 'inventory', 'allocation-outcomes', 'model', 'allocations'],
      }));
      const commands = telemetry.meter.createCounter('foresight.allocations.published', { description: 'Allocation commands published, by action and mode.' });
      const refused = telemetry.meter.createCounter('foresight.grants.refused', { description: 'Grants the policy wanted but did not make, by reason.' });
      const stateLost = telemetry.meter.createCounter('foresight.allocator.state_lost', { description: 'Times the state store held no allocator state and it was rebuilt, by cause (lost, missing_at_start).' });
      const allocator = createAllocator({
        bus, stateStore, logger, settings: config.allocator, fleetRecord: graph,
        metrics: allocatorMetrics(telemetry.instruments, {
          commands: (action, mode) => commands.add(1, { action, mode }),
          refused: (reason) => refused.add(1, { reason }),
          stateLost: (cause) => stateLost.add(1, { cause }),
        }),
      });
      await context.step('allocator state', () => allocator.start(Date.now()));
      await context.step('kafka consumers', () => bus.startConsumers(boundEventTimes(instrumentConsumers(allocator.consumers, telemetry.instruments), config.eventTimes)));
      addDependencyChecks(context, { bus, redis: () => stateStore.idempotency.has('readyz'), neo4j: () => graph.ping() });
      context.addReadinessCheck(ALLOCATOR, () => allocator.ready());
      const ticking = startTicking(allocator, config.tickIntervalMs, logger);
      return {
        async stop() {
          ticking.stop();
          await bus.close();
          await allocator.stop();
          await stateStore.close();
          await graph.close();
          onStopped();
        },
      };
    },
  };
}

/** Runs the allocator as a process until SIGTERM/SIGINT; resolves once it has stopped. */
export function runAllocator(env?: Env): Promise<void> {
  return new Promise((resolve) => runService(allocatorService(env, resolve)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void runAllocator();
