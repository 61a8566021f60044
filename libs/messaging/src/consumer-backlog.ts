/** A consumer group and the full topic names it consumes. */
export interface ConsumerSubscription {
  readonly groupId: string;
  readonly topics: readonly string[];
}

/** Messages a group has not yet finished on one partition (the partition end minus the group's committed offset). */
export interface PartitionBacklog {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly behind: number;
}

/** One partition's end: the offset the next message will get (`high`) and the earliest offset still kept (`low`). */
export interface PartitionEnd {
  readonly partition: number;
  readonly high: number;
  readonly low: number;
}

/** Partition ends by full topic name. */
export type TopicEnds = ReadonlyMap<string, readonly PartitionEnd[]>;

/** A group's committed offsets: full topic name → partition → offset (absent or -1: never committed). */
export type GroupOffsets = ReadonlyMap<string, ReadonlyMap<number, number>>;

/**
 * What the subscriptions still have to do, from partition ends read before and after the groups' committed offsets.
 * Empty only when every group has committed every partition's end and no partition grew between the two reads: a
 * handler publishes what it causes before its offset is committed, so a message caused by one the groups finished
 * shows up in `after`. Growth between the reads counts as backlog of every subscribed group.
 */
export function backlogOf(
  subscriptions: readonly ConsumerSubscription[], before: TopicEnds, committed: ReadonlyMap<string, GroupOffsets>, after: TopicEnds,
): PartitionBacklog[] {
  const backlog: PartitionBacklog[] = [];
  for (const { groupId, topics } of subscriptions) {
    for (const topic of topics) {
      const earlier = new Map((before.get(topic) ?? []).map((end) => [end.partition, end.high]));
      const offsets = committed.get(groupId)?.get(topic);
      for (const end of after.get(topic) ?? []) {
        const grew = end.high - (earlier.get(end.partition) ?? end.low);
        const position = Math.max(offsets?.get(end.partition) ?? -1, end.low);
        const behind = Math.max(0, end.high - position, grew);
        if (behind > 0) backlog.push({ groupId, topic, partition: end.partition, behind });
      }
    }
  }
  return backlog;
}
