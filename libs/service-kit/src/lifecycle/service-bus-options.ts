import { kafkaConnection, type KafkaConnectionSettings } from '../config/kafka-connection.js';
import type { KafkaConsumerSettings } from '../config/kafka-consumer-settings.js';
import type { KafkaSettings } from '../config/kafka-settings.js';
import type { RegistrySettings } from '../config/registry-settings.js';
import type { Logger } from '@foresight/messaging';
import type { ServiceInstruments } from '../telemetry/service-instruments.js';
import type { ServiceConfig, ServiceContext } from './run-service.js';

/** What a service's configuration holds about its Kafka bus. */
export interface ServiceBusConfig extends ServiceConfig {
  readonly kafka: KafkaSettings;
  readonly registry: RegistrySettings;
  readonly kafkaConsumer: KafkaConsumerSettings;
  readonly topicPrefix: string;
}

/** The options serviceBusOptions gives (a part of the messaging runtime's KafkaBusOptions). */
export interface ServiceBusOptions extends KafkaConsumerSettings {
  readonly connection: KafkaConnectionSettings;
  readonly topicPrefix: string;
  readonly logger: Logger;
  readonly onConsumerLag: ServiceInstruments['recordLag'];
  readonly onDeadLetter: ServiceInstruments['recordDeadLetter'];
  /** A consumer group the broker refused for good stops the service, naming the settings to check. */
  readonly onConsumerFailure: (error: Error) => void;
}

/**
 * The KafkaBus options every service connects with: the connection (Kafka + registry), the consumer tuning, the topic
 * prefix, the service's logger, its consumer-lag gauge and its dead-letter counter. Each service adds its group, topics and idempotency.
 */
export function serviceBusOptions<C extends ServiceBusConfig>(context: ServiceContext<C>): ServiceBusOptions {
  const { config, logger, telemetry } = context;
  return {
    connection: kafkaConnection(config.kafka, config.registry),
    ...config.kafkaConsumer,
    topicPrefix: config.topicPrefix,
    logger,
    onConsumerLag: (lag) => telemetry.instruments.recordLag(lag),
    onDeadLetter: (letter) => telemetry.instruments.recordDeadLetter(letter),
    onConsumerFailure: (error) => context.fail('kafka consumers', error),
  };
}
