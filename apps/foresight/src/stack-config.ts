import { DEFAULT_TOPIC_PREFIX } from '@foresight/contracts';
import type { StackConnection, StackDependency } from './index.js';
import { type Env, kafkaConnection, readConfig, stackSettings } from '@foresight/service-kit';

/** Which settings say where each part of the stack is (named in the message when it does not answer). */
export const STACK_SETTINGS: Readonly<Record<StackDependency, readonly string[]>> = {
  kafka: ['FORESIGHT_KAFKA_BROKERS'],
  'schema-registry': ['FORESIGHT_SCHEMA_REGISTRY_URL'],
  neo4j: ['FORESIGHT_NEO4J_URI'],
  redis: ['FORESIGHT_REDIS_HOST', 'FORESIGHT_REDIS_PORT'],
};

/** What names a stack run: its seed and an id the shell generates (or `--run-id` gives). */
export interface StackRun {
  readonly seed: number;
  readonly runId: string;
}

/** The run's own suffix: `sim-<seed>-<runId>`. */
function stackRunName(run: StackRun): string {
  return `sim-${run.seed}-${run.runId}`;
}

/**
 * Reads where the stack is exactly as the services do (FORESIGHT_KAFKA_*, _SCHEMA_REGISTRY_*, _NEO4J_*, _REDIS_*, the
 * consumer tuning), and names the run's own world under the configured ones so runs never collide:
 * topics and groups `<FORESIGHT_TOPIC_PREFIX>sim-<seed>-<runId>.`, Neo4j namespace
 * `<FORESIGHT_NEO4J_NAMESPACE>.sim-<seed>-<runId>`, Redis keys `<FORESIGHT_REDIS_KEY_PREFIX>sim-<seed>-<runId>:`.
 * ConfigError names every bad variable.
 */
export function readStackConnection(env: Env, run: StackRun): StackConnection {
  const c = readConfig(env, {
    ...stackSettings({ clientId: 'foresight-simulation', defaultTopicPrefix: DEFAULT_TOPIC_PREFIX }),
  });
  const name = stackRunName(run);
  return {
    kafka: kafkaConnection(c.kafka, c.registry),
    consumer: c.kafkaConsumer,
    neo4j: c.neo4j,
    redis: c.redis,
    topicPrefix: `${c.topicPrefix}${name}.`,
    neo4jNamespace: `${c.neo4jNamespace}.${name}`,
    redisKeyPrefix: `${c.redisKeyPrefix}${name}:`,
  };
}
