import { DEFAULT_TOPIC_PREFIX, type EventTimeBounds } from '@foresight/contracts';
import { ConfigError, duration, neo4jSettings, neo4jNamespaceSetting, type Neo4jSettings, float, int, kafkaConsumerSettings, kafkaSettings, list, oneOf, readConfig, redisSettings, registrySettings, serviceSettings, type Env, type KafkaConsumerSettings, type KafkaSettings, type RedisSettings, type RegistrySettings, type ServiceConfig, type ServiceSettings, type Setting, topicPrefixSetting, redisKeyPrefixSetting, tickIntervalSetting, eventTimeBoundsSettings, safeName } from '@foresight/service-kit';
import { DEGRADED_LEASES } from '@foresight/core';
import { DEFAULT_ALLOCATOR_SETTINGS as D, type AllocatorSettings } from './allocator-settings.js';

/** Everything the allocator process is configured with. */
export interface AllocatorConfig extends ServiceConfig {
  readonly service: ServiceSettings;
  readonly kafka: KafkaSettings;
  readonly kafkaConsumer: KafkaConsumerSettings;
  readonly registry: RegistrySettings;
  readonly redis: RedisSettings;
  /** The topology builder's graph: the fleet's store of record, read when the state store lost the allocator's state. */
  readonly neo4j: Neo4jSettings;
  readonly neo4jNamespace: string;
  readonly topicPrefix: string;
  readonly redisKeyPrefix: string;
  /** How often main advances event time with the wall clock (lease expiry). */
  readonly tickIntervalMs: number;
  /** The window around the wall clock that consumed event times must lie in (FORESIGHT_MAX_EVENT_FUTURE, _AGE). */
  readonly eventTimes: EventTimeBounds;
  readonly allocator: AllocatorSettings;
}


function amount(name: string, fallback: number): Setting<number> {
  return float(name, { default: fallback, min: 0 });
}

/** Reads the allocator's configuration (the only reader of process.env); ConfigError names every bad variable. */
export function readAllocatorConfig(env: Env = process.env): AllocatorConfig {
  const c = readConfig(env, {
    service: serviceSettings(),
    kafka: kafkaSettings({ clientId: 'allocator' }),
    kafkaConsumer: kafkaConsumerSettings(),
    registry: registrySettings(),
    redis: redisSettings(),
    neo4j: neo4jSettings(),
    neo4jNamespace: neo4jNamespaceSetting(),
    topicPrefix: topicPrefixSetting(DEFAULT_TOPIC_PREFIX),
    redisKeyPrefix: redisKeyPrefixSetting(),
    tickIntervalMs: tickIntervalSetting(),
    eventTimes: eventTimeBoundsSettings(),
    modelId: safeName('FORESIGHT_MODEL_ID', { default: D.modelId }),
    defaultMode: oneOf('FORESIGHT_ALLOCATOR_MODE', ['ENFORCE', 'SHADOW'], { default: D.defaultMode }),
    shadowSystems: list('FORESIGHT_ALLOCATOR_SHADOW_SYSTEMS', { default: [] }),
    enforceSystems: list('FORESIGHT_ALLOCATOR_ENFORCE_SYSTEMS', { default: [] }),
    budgetCpu: amount('FORESIGHT_ALLOCATOR_BUDGET_CPU_MILLIS', D.budget.cpuMillis),
    budgetMemory: amount('FORESIGHT_ALLOCATOR_BUDGET_MEMORY_MIB', D.budget.memoryMiB),
    budgetNetwork: amount('FORESIGHT_ALLOCATOR_BUDGET_NETWORK_MBPS', D.budget.networkMbps),
    vmCapCpu: amount('FORESIGHT_ALLOCATOR_VM_CAP_CPU_MILLIS', D.vmCap.cpuMillis),
    vmCapMemory: amount('FORESIGHT_ALLOCATOR_VM_CAP_MEMORY_MIB', D.vmCap.memoryMiB),
    vmCapNetwork: amount('FORESIGHT_ALLOCATOR_VM_CAP_NETWORK_MBPS', D.vmCap.networkMbps),
    maxGrantsPerMinute: int('FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE', { default: D.maxGrantsPerMinute, min: 1, max: 100_000 }),
    leaseTtlMs: duration('FORESIGHT_ALLOCATOR_LEASE_TTL', { default: D.policy.leaseTtlMs, min: 1 }),
    renewBeforeMs: duration('FORESIGHT_ALLOCATOR_RENEW_BEFORE', { default: D.policy.renewBeforeMs }),
    degradedLeases: oneOf('FORESIGHT_ALLOCATOR_DEGRADED_LEASES', DEGRADED_LEASES, { default: D.policy.degradedLeases }),
    defaultCriticality: float('FORESIGHT_ALLOCATOR_DEFAULT_CRITICALITY', { default: D.defaultCriticality, min: 0, max: 1 }),
  });
  if (c.renewBeforeMs >= c.leaseTtlMs) {
    throw new ConfigError([{ variable: 'FORESIGHT_ALLOCATOR_RENEW_BEFORE', reason: `must be shorter than FORESIGHT_ALLOCATOR_LEASE_TTL (${c.leaseTtlMs} ms)` }]);
  }
  return {
    service: c.service,
    kafka: c.kafka,
    kafkaConsumer: c.kafkaConsumer,
    registry: c.registry,
    redis: c.redis,
    neo4j: c.neo4j,
    neo4jNamespace: c.neo4jNamespace,
    topicPrefix: c.topicPrefix,
    redisKeyPrefix: c.redisKeyPrefix,
    tickIntervalMs: c.tickIntervalMs,
    eventTimes: c.eventTimes,
    allocator: {
      defaultMode: c.defaultMode,
      shadowSystems: c.shadowSystems,
      enforceSystems: c.enforceSystems,
      budget: { cpuMillis: c.budgetCpu, memoryMiB: c.budgetMemory, networkMbps: c.budgetNetwork },
      vmCap: { cpuMillis: c.vmCapCpu, memoryMiB: c.vmCapMemory, networkMbps: c.vmCapNetwork },
      maxGrantsPerMinute: c.maxGrantsPerMinute,
      policy: { ...D.policy, leaseTtlMs: c.leaseTtlMs, renewBeforeMs: c.renewBeforeMs, degradedLeases: c.degradedLeases },
      modelId: c.modelId,
      defaultCriticality: c.defaultCriticality,
    },
  };
}
