import { KafkaPrefixAdmin, type DroppedKafkaData } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import type { StackConnection } from './stack-pipeline.js';

/**
 * Deletes what a stack run left: its consumer groups, topics and registry subjects (names starting with its topic
 * prefix), its Neo4j namespace and its Redis keys. Call after the run stopped.
 */
export async function dropStackRun(stack: StackConnection): Promise<DroppedKafkaData> {
  const admin = await KafkaPrefixAdmin.connect(stack.kafka, stack.topicPrefix);
  const graphStore = new Neo4jGraphStore({ ...stack.neo4j, namespace: stack.neo4jNamespace });
  const stateStore = new RedisStateStore({ ...stack.redis, keyPrefix: stack.redisKeyPrefix });
  try {
    const dropped = await admin.drop();
    await graphStore.dropNamespace();
    await stateStore.init();
    await stateStore.dropPrefix();
    return dropped;
  } finally {
    await Promise.allSettled([admin.close(), graphStore.close(), stateStore.close()]);
  }
}
