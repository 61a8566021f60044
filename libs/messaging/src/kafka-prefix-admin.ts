import type { Admin } from 'kafkajs';
import { DEFAULT_TOPIC_PREFIX } from '@foresight/contracts';
import { backlogOf, type ConsumerSubscription, type GroupOffsets, type PartitionBacklog, type TopicEnds } from './consumer-backlog.js';
import { kafkaClient } from './kafka-client.js';
import { validateKafkaConnection, type KafkaConnectionConfig } from './kafka-config.js';
import { silentLogger, type Logger } from './logger.js';
import { RuntimeError } from './runtime-error.js';
import { SchemaRegistryClient } from './schema-registry-client.js';

/** What drop() removed. */
export interface DroppedKafkaData {
  readonly topics: readonly string[];
  readonly groups: readonly string[];
  /** Registry subjects of the topics (`<topic>-value`). */
  readonly subjects: readonly string[];
}

/**
 * Admin operations on everything named with one topic prefix (one run, one test): how far its consumer groups are
 * behind, and dropping its topics, groups and registry subjects when the run is thrown away.
 */
export class KafkaPrefixAdmin {
  private constructor(private readonly admin: Admin, private readonly registry: SchemaRegistryClient, readonly topicPrefix: string) {}

  /** Connects an admin client; BROKER_UNAVAILABLE when Kafka cannot be reached. */
  static async connect(connection: KafkaConnectionConfig, topicPrefix: string, logger: Logger = silentLogger): Promise<KafkaPrefixAdmin> {
    const admin = kafkaClient(validateKafkaConnection(connection), logger).admin();
    try {
      await admin.connect();
    } catch (cause) {
      await admin.disconnect().catch(() => undefined);
      throw new RuntimeError('BROKER_UNAVAILABLE', `cannot connect to Kafka at ${connection.brokers.join(',')}: ${(cause as Error).message}`, { cause });
    }
    return new KafkaPrefixAdmin(admin, new SchemaRegistryClient(connection.registry), topicPrefix);
  }

  /**
   * What the subscribed groups have not finished yet, read consistently (partition ends, committed offsets, ends
   * again: see backlogOf). Empty when every message published so far has been handled by every group.
   */
  async backlog(subscriptions: readonly ConsumerSubscription[]): Promise<PartitionBacklog[]> {
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    const before = await this.ends(topics);
    const committed = new Map(await Promise.all(subscriptions.map(async (s) => [s.groupId, await this.committed(s.groupId, s.topics)] as const)));
    const after = await this.ends(topics);
    return backlogOf(subscriptions, before, committed, after);
  }

  /**
   * Deletes every consumer group, topic and registry subject whose name starts with the prefix (call once their
   * consumers have stopped). Refuses the empty and the default prefix: this is for throwaway runs, never a deployment.
   */
  async drop(): Promise<DroppedKafkaData> {
    if (this.topicPrefix === '' || this.topicPrefix === DEFAULT_TOPIC_PREFIX) {
      throw new RuntimeError('CONFIG_INVALID', `refusing to drop every topic under '${this.topicPrefix}': only a run's own prefix is dropped`);
    }
    const groups = (await this.admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(this.topicPrefix));
    if (groups.length > 0) await this.admin.deleteGroups(groups);
    const topics = (await this.admin.listTopics()).filter((t) => t.startsWith(this.topicPrefix));
    if (topics.length > 0) await this.admin.deleteTopics({ topics, timeout: 30_000 });
    const subjects = (await this.registry.subjects()).filter((s) => s.startsWith(this.topicPrefix));
    for (const subject of subjects) await this.registry.deleteSubject(subject);
    return { topics, groups, subjects };
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }

  private async ends(topics: readonly string[]): Promise<TopicEnds> {
    const ends = await Promise.all(topics.map(async (topic) => {
      const partitions = await this.admin.fetchTopicOffsets(topic);
      return [topic, partitions.map((p) => ({ partition: p.partition, high: Number(p.high), low: Number(p.low) }))] as const;
    }));
    return new Map(ends);
  }

  private async committed(groupId: string, topics: readonly string[]): Promise<GroupOffsets> {
    const offsets = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    return new Map(offsets.map((t) => [t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]))]));
  }
}
