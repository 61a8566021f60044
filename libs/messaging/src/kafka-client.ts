import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConnectionConfig } from './kafka-config.js';
import { kafkaLogCreator } from './kafka-log.js';
import type { Logger } from './logger.js';

/** A kafkajs client on a validated connection, logging into the runtime's Logger. */
export function kafkaClient(connection: KafkaConnectionConfig, logger: Logger): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ...(connection.ssl === undefined ? {} : { ssl: connection.ssl }),
    ...(connection.sasl === undefined ? {} : { sasl: { ...connection.sasl } }),
    connectionTimeout: connection.connectionTimeoutMs ?? 3000,
    requestTimeout: connection.requestTimeoutMs ?? 30_000,
    ...(connection.connectRetries === undefined ? {} : { retry: { retries: connection.connectRetries } }),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
}
