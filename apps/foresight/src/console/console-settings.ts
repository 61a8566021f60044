import { hostname } from 'node:os';
import { DEFAULT_TOPIC_PREFIX } from '@foresight/contracts';
import {
  ConfigError, type Env, int, type KafkaConsumerSettings, type KafkaSettings, LOG_LEVELS, type LogLevel, type Neo4jSettings, oneOf, port, readConfig, type RedisSettings,
  type RegistrySettings, safeName, secret, stackSettings, text, list,
} from '@foresight/service-kit';

/** The console's default port. */
export const DEFAULT_CONSOLE_PORT = 7070;

/** Everything `foresight console` is configured with. */
export interface ConsoleConfig {
  readonly host: string;
  readonly port: number;
  /** Required of every request when set (never printed). */
  readonly token: string | undefined;
  /** The console's own consumer group: never shared, so it sees every partition of what it follows. */
  readonly groupId: string;
  readonly maxStreams: number;
  /** /metrics endpoints of allocators and learners, for the refusal counters (none: not shown). */
  readonly metricsUrls: readonly string[];
  /** A trace UI's address with `{traceId}` in it (e.g. Jaeger's http://jaeger:16686/trace/{traceId}): incidents link their trace. */
  readonly traceUrl: string | undefined;
  readonly logLevel: LogLevel;
  readonly kafka: KafkaSettings;
  readonly kafkaConsumer: KafkaConsumerSettings;
  readonly registry: RegistrySettings;
  readonly neo4j: Neo4jSettings;
  readonly redis: RedisSettings;
  readonly topicPrefix: string;
  readonly neo4jNamespace: string;
  readonly redisKeyPrefix: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Reads the console's settings (FORESIGHT_CONSOLE_*) and where the stack is (the services' FORESIGHT_* settings, so it
 * reads what they write). A non-loopback host without a token is refused: the console would show the fleet to anyone
 * who can reach it. ConfigError names every bad variable, never a secret's value.
 */
export function readConsoleConfig(env: Env, pid = process.pid): ConsoleConfig {
  const c = readConfig(env, {
    host: text('FORESIGHT_CONSOLE_HOST', { default: '127.0.0.1', pattern: /^[A-Za-z0-9.:-]{1,253}$/, description: 'a host name or IP address' }),
    port: port('FORESIGHT_CONSOLE_PORT', { default: DEFAULT_CONSOLE_PORT }),
    token: secret('FORESIGHT_CONSOLE_TOKEN', { optional: true, pattern: /^[\x21-\x7e]{16,512}$/, description: 'a token of 16 to 512 printable characters' }),
    groupId: safeName('FORESIGHT_CONSOLE_GROUP', { optional: true }),
    maxStreams: int('FORESIGHT_CONSOLE_MAX_STREAMS', { default: 100, min: 1, max: 10_000 }),
    traceUrl: text('FORESIGHT_CONSOLE_TRACE_URL', { optional: true, pattern: /^https?:\/\/[^\s"'<>`]*\{traceId\}[^\s"'<>`]*$/, description: 'an http(s) URL with {traceId} in it' }),
    metricsUrls: list('FORESIGHT_CONSOLE_METRICS_URLS', { default: [], itemPattern: /^https?:\/\/[^\s,]+$/, itemName: 'an http(s) URL' }),
    logLevel: oneOf('FORESIGHT_LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
    hostname: text('HOSTNAME', { optional: true }),
    ...stackSettings({ clientId: 'foresight-console', defaultTopicPrefix: DEFAULT_TOPIC_PREFIX }),
  });
  if (!LOOPBACK.has(c.host) && c.token === undefined) {
    throw new ConfigError([{ variable: 'FORESIGHT_CONSOLE_TOKEN', reason: `required when FORESIGHT_CONSOLE_HOST is not a loopback address (got '${c.host}')` }]);
  }
  const instance = `${(c.hostname ?? hostname()).replace(/[^A-Za-z0-9._-]/g, '-') || 'local'}-${pid}`;
  return {
    host: c.host, port: c.port, token: c.token, groupId: c.groupId ?? `${c.topicPrefix}console.${instance}`, maxStreams: c.maxStreams, metricsUrls: c.metricsUrls,
    traceUrl: c.traceUrl,
    logLevel: c.logLevel, kafka: c.kafka, kafkaConsumer: c.kafkaConsumer, registry: c.registry, neo4j: c.neo4j, redis: c.redis, topicPrefix: c.topicPrefix,
    neo4jNamespace: c.neo4jNamespace, redisKeyPrefix: c.redisKeyPrefix,
  };
}
