import { hostname } from 'node:os';
import { DEFAULT_TOPIC_PREFIX, type EventTimeBounds } from '@foresight/contracts';
import {
  duration, type Env, float, int, type KafkaConsumerSettings, type KafkaSettings, type Neo4jSettings, oneOf, readConfig, type RedisSettings, type RegistrySettings, safeName, type ServiceConfig, serviceSettings, type ServiceSettings, stackSettings, text, tickIntervalSetting, eventTimeBoundsSettings,
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
  /**
   * Names this instance's own consumer group (`<prefix>propagation-scorer.<instanceId>`, topics topology-changes and
   * model), through which it reads every partition. FORESIGHT_INSTANCE_ID, else `<host>-<pid>` (defaultInstanceId).
   */
  readonly instanceId: string;
  /** How often main advances event time with the wall clock (time-outs, re-scores on a new model). */
  readonly tickIntervalMs: number;
  /** The window around the wall clock that consumed event times must lie in (FORESIGHT_MAX_EVENT_FUTURE, _AGE). */
  readonly eventTimes: EventTimeBounds;
  readonly scorer: PropagationScorerOptions;
}

/**
 * The instance id when FORESIGHT_INSTANCE_ID is unset: `<host>-<pid>`, unique per live process, so two scorers on one
 * host (or in one container image with the same HOSTNAME) never share the per-instance group, which would split the
 * partitions of topology-changes and model between them and leave each with part of the changes.
 * A restart therefore joins a new group. That is safe because start() first loads the whole topology and the stored
 * model from the stores, and a new group starts at the earliest retained offset (KafkaBus `fromBeginning`, default
 * true): the retained changes are replayed over the loaded graph in partition order (per-VM upserts and removals, so
 * it ends where the store is) and older model versions are ignored. Starting at the latest offset instead would lose
 * the changes published between the load and the group's join. The groups of stopped processes are left behind and
 * expire with the broker's `offsets.retention.minutes` (7 days by default) once they have no members.
 * The host is `HOSTNAME` (when exported), else the OS host name; characters outside `A-Za-z0-9._-` become `-`.
 */
export function defaultInstanceId(host: string | undefined, pid: number): string {
  const name = (host ?? '').trim().replace(/[^A-Za-z0-9._-]/g, '-');
  return `${name === '' ? 'local' : name}-${pid}`;
}

/** Reads the propagation scorer's configuration (the only reader of process.env); ConfigError names every bad variable. */
export function readPropagationScorerConfig(env: Env = process.env): PropagationScorerConfig {
  const c = readConfig(env, {
    service: serviceSettings(),
    ...stackSettings({ clientId: 'propagation-scorer', defaultTopicPrefix: DEFAULT_TOPIC_PREFIX }),
    instanceId: safeName('FORESIGHT_INSTANCE_ID', { optional: true }),
    hostname: text('HOSTNAME', { optional: true }),
    tickIntervalMs: tickIntervalSetting(),
    eventTimes: eventTimeBoundsSettings(),
    // NOTE: positive (resolvePropagationScorerOptions refuses 0 too, but naming an option, not the variable).
    incidentTimeoutMs: duration('FORESIGHT_INCIDENT_TIMEOUT', { default: D.incidentTimeoutMs, min: 1 }),
    scoreTtlMs: duration('FORESIGHT_SCORE_TTL', { default: D.scoreTtlMs, min: 1 }),
    maxAtRisk: int('FORESIGHT_MAX_AT_RISK', { default: D.maxAtRisk, min: 1, max: 10_000 }),
    estimator: oneOf('FORESIGHT_ESTIMATOR', ['mpp', 'multipath', 'montecarlo'], { default: D.estimator }),
    probabilityFloor: float('FORESIGHT_PROBABILITY_FLOOR', { default: D.probabilityFloor, min: 0, max: 0.999 }),
    originCount: int('FORESIGHT_ORIGIN_COUNT', { default: D.originCount, min: 1, max: 10 }),
    minOriginPosterior: float('FORESIGHT_ORIGIN_MIN_POSTERIOR', { default: D.minOriginPosterior, min: 0, max: 1 }),
    // NOTE: 0 is allowed: recompile whenever the graph changed (a throttle, not a timer).
    minRecompileIntervalMs: duration('FORESIGHT_SNAPSHOT_MIN_INTERVAL', { default: D.minRecompileIntervalMs }),
  });
  // NOTE: an explicit FORESIGHT_INSTANCE_ID wins; it must be unique per live scorer (see defaultInstanceId).
  const instanceId = c.instanceId ?? defaultInstanceId(c.hostname ?? hostname(), process.pid);
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
    eventTimes: c.eventTimes,
    scorer: {
      ...D,
      incidentTimeoutMs: c.incidentTimeoutMs, scoreTtlMs: c.scoreTtlMs, maxAtRisk: c.maxAtRisk, estimator: c.estimator,
      probabilityFloor: c.probabilityFloor, originCount: c.originCount, minOriginPosterior: c.minOriginPosterior,
      minRecompileIntervalMs: c.minRecompileIntervalMs,
    },
  };
}
