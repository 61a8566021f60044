import { neo4jNamespaceSetting, redisKeyPrefixSetting, topicPrefixSetting } from './deployment-settings.js';
import { kafkaConsumerSettings } from './kafka-consumer-settings.js';
import { kafkaSettings } from './kafka-settings.js';
import { neo4jSettings } from './neo4j-settings.js';
import { redisSettings } from './redis-settings.js';
import { registrySettings } from './registry-settings.js';

/**
 * Every part of the stack a process uses all of (Kafka with its consumer tuning, the schema registry, Neo4j, Redis)
 * and the deployment's names in it (topic prefix, Neo4j namespace, Redis key prefix): spread into a readConfig spec.
 */
export function stackSettings(options: { readonly clientId: string; readonly defaultTopicPrefix: string }) {
  return {
    kafka: kafkaSettings({ clientId: options.clientId }),
    kafkaConsumer: kafkaConsumerSettings(),
    registry: registrySettings(),
    neo4j: neo4jSettings(),
    redis: redisSettings(),
    topicPrefix: topicPrefixSetting(options.defaultTopicPrefix),
    neo4jNamespace: neo4jNamespaceSetting(),
    redisKeyPrefix: redisKeyPrefixSetting(),
  };
}
