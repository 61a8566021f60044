import { pathToFileURL } from 'node:url';
import { KafkaBus, instrumentConsumers } from '@foresight/messaging';
import { addDependencyChecks, boundEventTimes, type Env, runService, serviceBusOptions, type ServiceDefinition, startTicking } from '@foresight/service-kit';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { readPropagationScorerConfig, type PropagationScorerConfig } from './config.js';
import { createPropagationScorer } from './propagation-scorer.js';

/** The service name: logs, telemetry and the consumer group (`<topic prefix>propagation-scorer`). */
export const PROPAGATION_SCORER = 'propagation-scorer';

/**
 * The composition root: Redis, Neo4j, Kafka, the scorer, its consumers and a wall-clock tick (the edge's event
 * time). Anomalies are consumed by the shared group; topology-changes and model by this instance's own group.
 * `onStopped` is called once the service has stopped (before the kit flushes telemetry and exits).
 */
export function propagationScorerService(env?: Env, onStopped: () => void = () => undefined): ServiceDefinition<PropagationScorerConfig> {
  return {
    name: PROPAGATION_SCORER,
    version: '0.1.0',
    loadConfig: () => readPropagationScorerConfig(env),
    async start(context) {
      const { config, logger, telemetry } = context;
      const stateStore = new RedisStateStore({ ...config.redis, keyPrefix: config.redisKeyPrefix });
      await context.step('redis', () => stateStore.init());
      const graphStore = new Neo4jGraphStore({ ...config.neo4j, namespace: config.neo4jNamespace });
      const groupId = `${config.topicPrefix}${PROPAGATION_SCORER}`;
      const bus = await context.step('kafka', () => KafkaBus.connect({
        ...serviceBusOptions(context),
        groupId,
        idempotency: { store: stateStore.idempotency },
        topics: ['anomalies', 'topology-changes', 'model', 'risk'],
      }));
      const ignored = telemetry.meter.createCounter('foresight.anomalies.ignored', { description: 'Anomalies that changed no incident, by reason.' });
      const published = telemetry.meter.createCounter('foresight.risk.published', { description: 'Risk assessments published, by status.' });
      const stateLost = telemetry.meter.createCounter('foresight.scorer.state_lost', { description: 'Times the state store held no scorer state (epoch marker gone), by cause (lost: seen while running; missing_at_start).' });
      const restored = telemetry.meter.createCounter('foresight.scorer.incidents_restored', { description: 'Open incidents put back from memory after the state store lost them.' });
      const scorer = createPropagationScorer({
        bus, stateStore, graphStore, logger, options: config.scorer, groupId, instanceGroupId: `${groupId}.${config.instanceId}`,
        metrics: {
          incidents: (open, atRisk) => {
            telemetry.instruments.openIncidents.set(open);
            telemetry.instruments.atRiskVms.set(atRisk);
          },
          anomalyIgnored: (reason) => ignored.add(1, { reason }),
          published: (status) => published.add(1, { status }),
          stateLost: (cause, count) => {
            stateLost.add(1, { cause });
            restored.add(count);
          },
        },
      });
      await context.step('neo4j', () => scorer.start());
      await context.step('kafka consumers', () => bus.startConsumers(boundEventTimes(instrumentConsumers(scorer.consumers, telemetry.instruments), config.eventTimes)));
      addDependencyChecks(context, { bus, redis: () => stateStore.idempotency.has('readyz'), neo4j: () => graphStore.ping() });
      context.addReadinessCheck(PROPAGATION_SCORER, () => scorer.ready());
      const ticking = startTicking(scorer, config.tickIntervalMs, logger);
      return {
        async stop() {
          ticking.stop();
          await bus.close();
          await scorer.stop();
          await Promise.allSettled([graphStore.close(), stateStore.close()]);
          onStopped();
        },
      };
    },
  };
}

/** Runs the propagation scorer as a process until SIGTERM/SIGINT; resolves once it has stopped. */
export function runPropagationScorer(env?: Env): Promise<void> {
  return new Promise((resolve) => runService(propagationScorerService(env, resolve)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void runPropagationScorer();
