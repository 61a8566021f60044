import { DEFAULT_TOPIC_PREFIX, type EventTimeBounds } from '@foresight/contracts';
import { duration, kafkaConsumerSettings, float, int, kafkaSettings, neo4jSettings, readConfig, registrySettings, serviceSettings, type Env, type KafkaConsumerSettings, type KafkaSettings, type Neo4jSettings, type RegistrySettings, type ServiceConfig, type ServiceSettings, topicPrefixSetting, neo4jNamespaceSetting, tickIntervalSetting, eventTimeBoundsSettings } from '@foresight/service-kit';
import { DEFAULT_TOPOLOGY_BUILDER_OPTIONS as D, type TopologyBuilderOptions } from './topology-builder.js';

/** Everything the topology builder process is configured with. */
export interface TopologyBuilderConfig extends ServiceConfig {
  readonly service: ServiceSettings;
  readonly kafka: KafkaSettings;
  readonly kafkaConsumer: KafkaConsumerSettings;
  readonly registry: RegistrySettings;
  readonly neo4j: Neo4jSettings;
  readonly topicPrefix: string;
  readonly neo4jNamespace: string;
  /** How often main advances event time with the wall clock (fading, staleness, flushes). */
  readonly tickIntervalMs: number;
  /** The window around the wall clock that consumed event times must lie in (FORESIGHT_MAX_EVENT_FUTURE, _AGE). */
  readonly eventTimes: EventTimeBounds;
  readonly builder: TopologyBuilderOptions;
}


/** Reads the topology builder's configuration (the only reader of process.env); ConfigError names every bad variable. */
export function readTopologyBuilderConfig(env: Env = process.env): TopologyBuilderConfig {
  const c = readConfig(env, {
    service: serviceSettings(),
    kafka: kafkaSettings({ clientId: 'topology-builder' }),
    kafkaConsumer: kafkaConsumerSettings(),
    registry: registrySettings(),
    neo4j: neo4jSettings(),
    topicPrefix: topicPrefixSetting(DEFAULT_TOPIC_PREFIX),
    neo4jNamespace: neo4jNamespaceSetting(),
    tickIntervalMs: tickIntervalSetting(),
    eventTimes: eventTimeBoundsSettings(),
    // NOTE: every duration must be positive (resolveTopologyBuilderOptions refuses 0 too, but naming an option, not the
    // variable); the flush and sweep intervals are at least 10ms, like the tick that drives them.
    halfLifeMs: duration('FORESIGHT_TOPOLOGY_HALF_LIFE', { default: D.halfLifeMs, min: 1 }),
    staleAfterMs: duration('FORESIGHT_TOPOLOGY_STALE_AFTER', { default: D.staleAfterMs, min: 1 }),
    relativeChange: float('FORESIGHT_TOPOLOGY_CHANGE_THRESHOLD', { default: D.relativeChange, min: 0.000001, max: 0.999999 }),
    lastSeenRefreshMs: duration('FORESIGHT_TOPOLOGY_LAST_SEEN_REFRESH', { default: D.lastSeenRefreshMs, min: 1 }),
    flushIntervalMs: duration('FORESIGHT_TOPOLOGY_FLUSH_INTERVAL', { default: D.flushIntervalMs, min: 10 }),
    batchSize: int('FORESIGHT_TOPOLOGY_BATCH_SIZE', { default: D.batchSize, min: 1 }),
    sweepIntervalMs: duration('FORESIGHT_TOPOLOGY_SWEEP_INTERVAL', { default: D.sweepIntervalMs, min: 10 }),
  });
  return {
    service: c.service,
    kafka: c.kafka,
    kafkaConsumer: c.kafkaConsumer,
    registry: c.registry,
    neo4j: c.neo4j,
    topicPrefix: c.topicPrefix,
    neo4jNamespace: c.neo4jNamespace,
    tickIntervalMs: c.tickIntervalMs,
    eventTimes: c.eventTimes,
    builder: {
      halfLifeMs: c.halfLifeMs, staleAfterMs: c.staleAfterMs, relativeChange: c.relativeChange, lastSeenRefreshMs: c.lastSeenRefreshMs,
      flushIntervalMs: c.flushIntervalMs, batchSize: c.batchSize, sweepIntervalMs: c.sweepIntervalMs,
    },
  };
}
