import { pathToFileURL } from 'node:url';
import { KafkaBus, instrumentConsumers } from '@foresight/messaging';
import { addDependencyChecks, boundEventTimes, type Env, runService, serviceBusOptions, type ServiceDefinition, startTicking } from '@foresight/service-kit';
import { Neo4jGraphStore } from '@foresight/stores';
import { readTopologyBuilderConfig, type TopologyBuilderConfig } from './config.js';
import { createTopologyBuilder } from './topology-builder.js';

/** The service name: logs, telemetry and the consumer group (`<topic prefix>topology-builder`). */
export const TOPOLOGY_BUILDER = 'topology-builder';

/**
 * The composition root: Kafka, Neo4j, the builder, its consumers and a wall-clock tick (the edge's event time).
 * `onStopped` is called once the service has stopped (before the kit flushes telemetry and exits).
 */
export function topologyBuilderService(env?: Env, onStopped: () => void = () => undefined): ServiceDefinition<TopologyBuilderConfig> {
  return {
    name: TOPOLOGY_BUILDER,
    version: '0.1.0',
    loadConfig: () => readTopologyBuilderConfig(env),
    async start(context) {
      const { config, logger, telemetry } = context;
      const graphStore = new Neo4jGraphStore({ ...config.neo4j, namespace: config.neo4jNamespace });
      const bus = await context.step('kafka', () => KafkaBus.connect({
        ...serviceBusOptions(context),
        // NOTE: inventory and flows keep per-VM state: partition p of both must reach the same instance.
        partitionAssignment: 'co-partitioned',
        groupId: `${config.topicPrefix}${TOPOLOGY_BUILDER}`,
        topics: ['inventory', 'hosts', 'flows', 'topology-changes'],
      }));
      const writes = telemetry.meter.createCounter('foresight.topology.writes', { description: 'Rows written to the graph store by the topology builder, by kind.' });
      const builder = createTopologyBuilder({
        bus, graphStore, logger, options: config.builder,
        metrics: {
          flushed: (s) => {
            writes.add(s.vmsWritten, { kind: 'vm' });
            writes.add(s.vmsRemoved, { kind: 'vm_removal' });
            writes.add(s.hostsWritten, { kind: 'host' });
            writes.add(s.pathwaysWritten, { kind: 'pathway' });
            writes.add(s.pathwaysRemoved, { kind: 'pathway_removal' });
          },
        },
      });
      telemetry.meter.createObservableGauge('foresight.topology.unflushed', { description: 'Topology changes (VMs, hosts, pathways) not yet written and published: pending, or in the flush in flight.' })
        .addCallback((result) => result.observe(builder.unflushed()));
      await context.step('neo4j', () => builder.start());
      // NOTE: the wall clock is the builder's clock from the start, before the first event (topology-ingest.ts clock()).
      await builder.tick(Date.now());
      await context.step('kafka consumers', () => bus.startConsumers(boundEventTimes(instrumentConsumers(builder.consumers, telemetry.instruments), config.eventTimes)));
      addDependencyChecks(context, { bus, neo4j: () => graphStore.ping() });
      context.addReadinessCheck(TOPOLOGY_BUILDER, () => builder.ready());
      const ticking = startTicking(builder, config.tickIntervalMs, logger);
      return {
        async stop() {
          ticking.stop();
          // NOTE: flush before closing the bus: a closed bus refuses to publish the last deltas.
          await builder.stop();
          await bus.close();
          await graphStore.close();
          onStopped();
        },
      };
    },
  };
}

/** Runs the topology builder as a process until SIGTERM/SIGINT; resolves once it has stopped. */
export function runTopologyBuilder(env?: Env): Promise<void> {
  return new Promise((resolve) => runService(topologyBuilderService(env, resolve)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void runTopologyBuilder();
