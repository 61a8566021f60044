import type { KafkaSettings } from './kafka-settings.js';
import type { RegistrySettings } from './registry-settings.js';

/** The Kafka settings with the schema registry's, shaped as the messaging runtime's connection (basic auth when set). */
export interface KafkaConnectionSettings extends KafkaSettings {
  readonly registry: { readonly url: string; readonly auth?: { readonly username: string; readonly password: string }; readonly ca?: string };
}

/** Joins the Kafka and schema-registry settings into one connection for KafkaBus.connect. */
export function kafkaConnection(kafka: KafkaSettings, registry: RegistrySettings): KafkaConnectionSettings {
  const { url, username, password, ca } = registry;
  return {
    ...kafka,
    registry: { url, ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}), ...(ca !== undefined ? { ca } : {}) },
  };
}
