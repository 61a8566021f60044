// Public API of @foresight/service-kit: everything a service needs that is not domain logic.
export { ConfigError, type ConfigProblem } from './config/config-error.js';
export { formatDuration, parseDuration } from './config/duration.js';
export {
  readConfig, readSetting, refineSetting, settingsGroup,
  type Env, type Setting, type SettingResult, type SettingsOf, type SettingsShape, type VariableInfo,
} from './config/setting.js';
export {
  bool, duration, float, int, list, oneOf, port, secret, text, url,
  type ListOptions, type Presence, type RangeOptions, type Resolved, type TextOptions, type UrlOptions,
} from './config/variable-settings.js';
export {
  KAFKA_SASL_MECHANISMS, kafkaSettings,
  type FileReader, type KafkaSaslMechanism, type KafkaSettings, type KafkaSettingsOptions, type TlsMaterial,
} from './config/kafka-settings.js';
export { kafkaConsumerSettings, type KafkaConsumerSettings } from './config/kafka-consumer-settings.js';
export { registrySettings, type RegistrySettings } from './config/registry-settings.js';
export { kafkaConnection, type KafkaConnectionSettings } from './config/kafka-connection.js';
export { stackSettings } from './config/stack-settings.js';
export { redisSettings, type RedisSettings } from './config/redis-settings.js';
export { neo4jSettings, type Neo4jSettings } from './config/neo4j-settings.js';
export { DEFAULT_MAX_EVENT_FUTURE_MS, eventTimeBoundsSettings } from './config/event-time-settings.js';
export { neo4jNamespaceSetting, redisKeyPrefixSetting, safeName, tickIntervalSetting, topicPrefixSetting } from './config/deployment-settings.js';
export { LOG_LEVELS, serviceSettings, type LogLevel, type ServiceSettings } from './config/service-settings.js';
export { createLogger, type LoggerOptions } from './logging/pino-logger.js';
export { REDACTED, SECRET_FIELDS, redactionPaths } from './logging/redaction.js';
export {
  Readiness, type CheckOutcome, type CheckReport, type ReadinessCheck, type ReadinessReport,
} from './health/readiness.js';
export { startHealthServer, type HealthServer, type HealthServerOptions, type MetricsSource } from './health/health-server.js';
export { dependencyChecks, type Dependencies, type ReadinessBus } from './health/dependency-checks.js';
export { announcePrometheusTarget, type AnnouncedTarget, type PrometheusTarget } from './health/prometheus-target.js';
export { PROMETHEUS_CONTENT_TYPE, PrometheusTextReader } from './telemetry/prometheus-reader.js';
export {
  createStateGauge, type GaugeDescription, type GaugeReading, type GaugeSample, type StateGauge,
} from './telemetry/state-gauge.js';
export {
  HANDLER_DURATION_BUCKETS_MS, createServiceInstruments, type MessageAttributes, type ServiceInstruments,
} from './telemetry/service-instruments.js';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './telemetry/telemetry.js';
export { observeReadiness } from './telemetry/readiness-gauge.js';
export { withSpan } from './telemetry/with-span.js';
export { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';
export { StartupError, describeError } from './lifecycle/startup-error.js';
export { addDependencyChecks } from './lifecycle/dependency-readiness.js';
export { boundEventTimes } from './lifecycle/event-time-guard.js';
export { startTicking, type ServiceShell, type TickLoop } from './lifecycle/service-shell.js';
export { anyService, combineServices, type AnyServiceDefinition, type CombinedConfig } from './lifecycle/combine-services.js';
export {
  EXIT_FAILURE, runService,
  type RunningService, type ServiceConfig, type ServiceContext, type ServiceDefinition,
} from './lifecycle/run-service.js';
export { serviceBusOptions, type ServiceBusConfig, type ServiceBusOptions } from './lifecycle/service-bus-options.js';
