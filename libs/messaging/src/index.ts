export { redactUrl, REDACTED_CREDENTIAL } from './redact-url.js';
export { RuntimeError, classifyFailure, isDependencyOutage, type RuntimeErrorCode, type FailureDisposition, type ClassifiedFailure } from './runtime-error.js';
export { silentLogger, type Logger } from './logger.js';
export { consumerOf, type MessageBus, type MessageContext, type ConsumerDeclaration, type AnyConsumerDeclaration, type Publish, type PublishOptions, type BusHealth, type KeyOwnership } from './message-bus.js';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, type RetryPolicy } from './retry-policy.js';
export type { IdempotencyStore } from './idempotency-store.js';
export { InMemoryIdempotencyStore } from './in-memory-idempotency-store.js';
export { DEAD_LETTER_HEADERS, type DeadLetter, type DeadLettered, type DeadLetterListener } from './dead-letter.js';
export { MAX_REDUCED_KEY_LENGTH, REDUCED_DEAD_LETTER_HEADERS, reducedDeadLetters, type ReducedOriginal } from './reduced-dead-letter.js';
export {
  TRACEPARENT_HEADER, TRACESTATE_HEADER, contextFromHeaders, messageHeadersGetter, messageHeadersSetter, traceHeadersOf, type MessageHeaders,
} from './trace-context.js';
export { DEFAULT_IDEMPOTENCY_TTL_MS, type BusOptions } from './bus-options.js';
export { LocalSchemaCatalog, type SchemaCatalog, type PayloadDecoder } from './schema-catalog.js';
export { SchemaRegistryClient, type RegistryCompatibility, type RegistryConfig } from './schema-registry-client.js';
export { RegistrySchemaCatalog } from './registry-schema-catalog.js';
export { InMemoryBroker, partitionOfKey, type AppendedRecord, type StoredRecord } from './in-memory-broker.js';
export { InMemoryBus, type InMemoryBusOptions } from './in-memory-bus.js';
export { validateKafkaConnection, type KafkaConnectionConfig, type KafkaSaslConfig } from './kafka-config.js';
export { KafkaBus, type KafkaBusOptions, type PartitionAssignment } from './kafka-bus.js';
export type { ConsumerLag, ConsumerLagListener } from './kafka-consumer-group.js';
export { PartitionProgress, type PartitionObservation, type StalledPartition } from './partition-progress.js';
export { KafkaPrefixAdmin, type DroppedKafkaData } from './kafka-prefix-admin.js';
export { KafkaCatchUp, type CatchUpOptions } from './kafka-catch-up.js';
export type { ConsumerSubscription, PartitionBacklog } from './consumer-backlog.js';
export { CO_PARTITIONED_PROTOCOL, assignCoPartitioned, coPartitionedAssigner } from './co-partitioned-assigner.js';
export { closeOnSignals, type ShutdownOptions } from './shutdown-signals.js';
export { instrumentConsumers, type HandlerRecorder } from './instrumented-consumers.js';
export { KafkaRawTopics, type KafkaRawTopicsOptions, type RawBatchHandler, type RawDeadLetter, type RawRecord } from './kafka-raw-topics.js';
