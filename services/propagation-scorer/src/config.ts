import { DEFAULT_TOPIC_PREFIX } from '@foresight/contracts';
import {
  duration, type Env, float, int, type KafkaConsumerSettings, type KafkaSettings, type Neo4jSettings, oneOf, readConfig, type RedisSettings, type RegistrySettings, safeName, type ServiceConfig, serviceSettings, type ServiceSettings, stackSettings, text, tickIntervalSetting,
} from '@foresight/service-kit';
import { DEFAULT_PROPAGATION_SCORER_OPTIONS as D, type PropagationScorerOptions } from './propagation-scorer.js';

/** Everything the propagation scorer process is configured with. */
export interface PropagationScorerConfig extends ServiceConfig {
  readonly service: ServiceSettings;
  readonly kafka: KafkaSettings;
  readonly kafkaConsumer: KafkaConsumerSettings;
  readonly registry: RegistrySettings;
  readonly neo4j: Neo4jSettings;
  readonly redis: RedisSettings;
  readonly topicPrefix: string;
  readonly neo4jNamespace: string;
  readonly redisKeyPrefix: string;
  /** Names this instance's own consumer group (topology-changes, model): stable across restarts of one instance. */
  readonly instanceId: string;
  /** How often main advances event time with the wall clock (time-outs, re-scores on a new model). */
  readonly tickIntervalMs: number;
  readonly scorer: PropagationScorerOptions;
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** Reads the propagation scorer's configuration (the only reader of process.env); ConfigError names every bad variable. */
export function readPropagationScorerConfig(env: Env = process.env): PropagationScorerConfig {
  const c = readConfig(env, {
    service: serviceSettings(),
    ...stackSettings({ clientId: 'propagation-scorer', defaultTopicPrefix: DEFAULT_TOPIC_PREFIX }),
    instanceId: safeName('FORESIGHT_INSTANCE_ID', { optional: true }),
    hostname: text('HOSTNAME', { optional: true }),
    tickIntervalMs: tickIntervalSetting(),
    incidentTimeoutMs: duration('FORESIGHT_INCIDENT_TIMEOUT', { default: D.incidentTimeoutMs }),
    scoreTtlMs: duration('FORESIGHT_SCORE_TTL', { default: D.scoreTtlMs }),
    maxAtRisk: int('FORESIGHT_MAX_AT_RISK', { default: D.maxAtRisk, min: 1, max: 10_000 }),
    estimator: oneOf('FORESIGHT_ESTIMATOR', ['mpp', 'multipath', 'montecarlo'], { default: D.estimator }),
    probabilityFloor: float('FORESIGHT_PROBABILITY_FLOOR', { default: D.probabilityFloor, min: 0, max: 0.999 }),
    originCount: int('FORESIGHT_ORIGIN_COUNT', { default: D.originCount, min: 1, max: 10 }),
    minOriginPosterior: float('FORESIGHT_ORIGIN_MIN_POSTERIOR', { default: D.minOriginPosterior, min: 0, max: 1 }),
    minRecompileIntervalMs: duration('FORESIGHT_SNAPSHOT_MIN_INTERVAL', { default: D.minRecompileIntervalMs }),
  });
  const instanceId = c.instanceId ?? (c.hostname !== undefined && NAME.test(c.hostname) ? c.hostname : 'local');
  return {
    service: c.service,
    kafka: c.kafka,
    kafkaConsumer: c.kafkaConsumer,
    registry: c.registry,
    neo4j: c.neo4j,
    redis: c.redis,
    topicPrefix: c.topicPrefix,
    neo4jNamespace: c.neo4jNamespace,
    redisKeyPrefix: c.redisKeyPrefix,
    instanceId,
    tickIntervalMs: c.tickIntervalMs,
    scorer: {
      ...D,
      incidentTimeoutMs: c.incidentTimeoutMs, scoreTtlMs: c.scoreTtlMs, maxAtRisk: c.maxAtRisk, estimator: c.estimator,
      probabilityFloor: c.probabilityFloor, originCount: c.originCount, minOriginPosterior: c.minOriginPosterior,
      minRecompileIntervalMs: c.minRecompileIntervalMs,
    },
  };
}
