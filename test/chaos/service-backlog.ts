import { topicFor, type TopicName } from '@foresight/contracts';
import type { ConsumerSubscription, KafkaPrefixAdmin, PartitionBacklog } from '@foresight/messaging';

/** Every consumer group of the four services under `prefix`, with the topics it reads (as the services declare them). */
export function serviceSubscriptions(prefix: string, scorerInstanceIds: readonly string[]): ConsumerSubscription[] {
  const group = (name: string, topics: readonly TopicName[]): ConsumerSubscription => ({ groupId: `${prefix}${name}`, topics: topics.map((t) => topicFor(prefix, t)) });
  return [
    group('topology-builder', ['inventory', 'hosts', 'flows']),
    group('propagation-scorer', ['anomalies']),
    ...scorerInstanceIds.map((id) => group(`propagation-scorer.${id}`, ['topology-changes', 'model'])),
    group('allocator', ['risk', 'hosts', 'inventory', 'allocation-outcomes', 'model']),
    group('learner', ['anomalies', 'risk', 'allocations', 'allocation-outcomes']),
  ];
}

/**
 * The services' consumer lag, from the broker (partition ends and committed offsets, read consistently by
 * KafkaPrefixAdmin.backlog): empty when every group has committed every record published so far.
 */
export async function serviceBacklog(admin: KafkaPrefixAdmin, subscriptions: readonly ConsumerSubscription[]): Promise<PartitionBacklog[]> {
  return admin.backlog(subscriptions);
}

/** `group behind N on topic/partition, …` */
export function describeServiceBacklog(backlog: readonly PartitionBacklog[], prefix: string): string {
  return backlog.map((b) => `${b.groupId.slice(prefix.length)} ${b.behind} behind on ${b.topic.slice(prefix.length)}/${b.partition}`).join(', ');
}
