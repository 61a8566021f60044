import { DEFAULT_TOPIC_PREFIX, type EventTimeBounds } from '@foresight/contracts';
import {
  duration, type Env, float, int, type KafkaConsumerSettings, type KafkaSettings, type Neo4jSettings, readConfig, type RedisSettings, type RegistrySettings, safeName, type ServiceConfig, serviceSettings, type ServiceSettings, stackSettings, tickIntervalSetting, eventTimeBoundsSettings,
} from '@foresight/service-kit';
import { DEFAULT_LEARNER_SETTINGS as D, type LearnerSettings } from './learner-settings.js';

/** Everything the learner process is configured with. */
export interface LearnerConfig extends ServiceConfig {
  readonly service: ServiceSettings;
  readonly kafka: KafkaSettings;
  readonly kafkaConsumer: KafkaConsumerSettings;
  readonly registry: RegistrySettings;
  readonly neo4j: Neo4jSettings;
  readonly redis: RedisSettings;
  readonly topicPrefix: string;
  readonly neo4jNamespace: string;
  readonly redisKeyPrefix: string;
  /** How often main advances event time with the wall clock (labelling, training). */
  readonly tickIntervalMs: number;
  /** The window around the wall clock that consumed event times must lie in (FORESIGHT_MAX_EVENT_FUTURE, _AGE). */
  readonly eventTimes: EventTimeBounds;
  readonly learner: LearnerSettings;
  /** Horizon of the model the learner starts from (before it publishes one); unset: the default model's. */
  readonly initialHorizonMs?: number;
}


/** Reads the learner's configuration (the only reader of process.env); ConfigError names every bad variable. */
export function readLearnerConfig(env: Env = process.env): LearnerConfig {
  const c = readConfig(env, {
    service: serviceSettings(),
    ...stackSettings({ clientId: 'learner', defaultTopicPrefix: DEFAULT_TOPIC_PREFIX }),
    tickIntervalMs: tickIntervalSetting(),
    eventTimes: eventTimeBoundsSettings(),
    modelId: safeName('FORESIGHT_MODEL_ID', { default: D.modelId }),
    minIncidentsPerStep: int('FORESIGHT_LEARNER_MIN_INCIDENTS', { default: D.minIncidentsPerStep, min: 1, max: 100_000 }),
    predictionThreshold: float('FORESIGHT_LEARNER_PREDICTION_THRESHOLD', { default: D.predictionThreshold, min: 0, max: 1 }),
    // NOTE: positive: a zero retention forgets every onset, a zero claim TTL is refused by Redis at the first step.
    onsetRetentionMs: duration('FORESIGHT_LEARNER_ONSET_RETENTION', { default: D.onsetRetentionMs, min: 1 }),
    trainingClaimTtlMs: duration('FORESIGHT_LEARNER_TRAINING_CLAIM_TTL', { default: D.trainingClaimTtlMs, min: 1 }),
    minHeldOutExamples: int('FORESIGHT_LEARNER_MIN_HELD_OUT_EXAMPLES', { default: 20, min: 1, max: 1_000_000 }),
    minHeldOutPositives: int('FORESIGHT_LEARNER_MIN_HELD_OUT_POSITIVES', { default: 10, min: 1, max: 1_000_000 }),
    auprcTolerance: float('FORESIGHT_LEARNER_AUPRC_TOLERANCE', { default: 0.01, min: 0, max: 1 }),
    trainingCapacity: int('FORESIGHT_LEARNER_TRAINING_CAPACITY', { default: D.state.trainingCapacity ?? 500, min: 1, max: 10_000 }),
    initialHorizonMs: duration('FORESIGHT_LEARNER_INITIAL_HORIZON', { optional: true, min: 1 }),
    windowCapacity: int('FORESIGHT_LEARNER_WINDOW', { default: D.state.windowCapacity ?? 400, min: 1, max: 10_000 }),
    minRefitIncidents: int('FORESIGHT_LEARNER_MIN_REFIT_INCIDENTS', { default: D.minRefitIncidents, min: 1, max: 10_000 }),
    typePooling: float('FORESIGHT_LEARNER_TYPE_POOLING', { default: D.typePooling, min: 0, max: 1_000_000 }),
    heldOutCapacity: int('FORESIGHT_LEARNER_HELD_OUT_CAPACITY', { default: D.state.heldOutCapacity ?? 200, min: 1, max: 10_000 }),
  });
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
    tickIntervalMs: c.tickIntervalMs,
    eventTimes: c.eventTimes,
    learner: {
      ...D,
      modelId: c.modelId,
      minIncidentsPerStep: c.minIncidentsPerStep,
      predictionThreshold: c.predictionThreshold,
      onsetRetentionMs: c.onsetRetentionMs,
      trainingClaimTtlMs: c.trainingClaimTtlMs,
      typePooling: c.typePooling,
      minRefitIncidents: c.minRefitIncidents,
      state: { ...D.state, trainingCapacity: c.trainingCapacity, heldOutCapacity: c.heldOutCapacity, windowCapacity: c.windowCapacity },
      publication: { ...D.publication, minHeldOutExamples: c.minHeldOutExamples, minHeldOutPositives: c.minHeldOutPositives, auprcTolerance: c.auprcTolerance },
    },
    ...(c.initialHorizonMs === undefined ? {} : { initialHorizonMs: c.initialHorizonMs }),
  };
}
