import { pathToFileURL } from 'node:url';
import { defaultModel } from '@foresight/core';
import { KafkaBus, instrumentConsumers } from '@foresight/messaging';
import { addDependencyChecks, boundEventTimes, type Env, runService, serviceBusOptions, type ServiceDefinition, startTicking } from '@foresight/service-kit';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { readLearnerConfig, type LearnerConfig } from './config.js';
import { createLearner } from './learner.js';

/** The service name: logs, telemetry and the consumer group (`<topic prefix>learner`). */
export const LEARNER = 'learner';

/**
 * The composition root: Redis (documents, claims, idempotency), Neo4j (pathway features of infecting edges), Kafka,
 * the learner, its consumers and a wall-clock tick (the edge's event time) that labels and trains.
 * `onStopped` is called once the service has stopped.
 */
export function learnerService(env?: Env, onStopped: () => void = () => undefined): ServiceDefinition<LearnerConfig> {
  return {
    name: LEARNER,
    version: '0.1.0',
    loadConfig: () => readLearnerConfig(env),
    async start(context) {
      const { config, logger, telemetry } = context;
      const stateStore = new RedisStateStore({ ...config.redis, keyPrefix: config.redisKeyPrefix });
      await context.step('redis', () => stateStore.init());
      const graphStore = new Neo4jGraphStore({ ...config.neo4j, namespace: config.neo4jNamespace });
      await context.step('neo4j', () => graphStore.init());
      const bus = await context.step('kafka', () => KafkaBus.connect({
        ...serviceBusOptions(context),
        groupId: `${config.topicPrefix}${LEARNER}`,
        idempotency: { store: stateStore.idempotency },
        topics: ['anomalies', 'risk', 'allocations', 'allocation-outcomes', 'evaluations', 'model'],
      }));
      const labelled = telemetry.meter.createCounter('foresight.incidents.labelled', { description: 'Incidents judged after their horizon.' });
      const decisions = telemetry.meter.createCounter('foresight.model.decisions', { description: 'Training steps, by whether the candidate was published and the gate\'s verdict (why it was refused).' });
      const trimmed = telemetry.meter.createCounter('foresight.learner.state.trimmed', { description: 'Outcomes trimmed from the training state to keep its document within the store cap.' });
      const refused = telemetry.meter.createCounter('foresight.learner.store.refused', { description: 'Writes the state store refused (too large or invalid), by document.' });
      const learner = createLearner({
        bus, stateStore, graphStore, logger, settings: config.learner,
        ...(config.initialHorizonMs === undefined ? {} : { model: { ...defaultModel(config.learner.modelId), horizonMs: config.initialHorizonMs } }),
        metrics: {
          incidentLabelled: () => labelled.add(1),
          modelDecision: (verdict) => decisions.add(1, { published: String(verdict === 'PUBLISHED'), verdict }),
          trainingStateTrimmed: (outcomes) => trimmed.add(outcomes),
          storeRefused: (what) => refused.add(1, { document: what }),
        },
      });
      await context.step('learner state', () => learner.start());
      await context.step('kafka consumers', () => bus.startConsumers(boundEventTimes(instrumentConsumers(learner.consumers, telemetry.instruments), config.eventTimes)));
      addDependencyChecks(context, { bus, redis: () => stateStore.idempotency.has('readyz'), neo4j: () => graphStore.ping() });
      context.addReadinessCheck(LEARNER, () => learner.ready());
      const ticking = startTicking(learner, config.tickIntervalMs, logger);
      return {
        async stop() {
          ticking.stop();
          await bus.close();
          await learner.stop();
          await Promise.allSettled([graphStore.close(), stateStore.close()]);
          onStopped();
        },
      };
    },
  };
}

/** Runs the learner as a process until SIGTERM/SIGINT; resolves once it has stopped. */
export function runLearner(env?: Env): Promise<void> {
  return new Promise((resolve) => runService(learnerService(env, resolve)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void runLearner();
