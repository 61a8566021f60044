import { AssignerProtocol, type Assignment, type PartitionAssigner } from 'kafkajs';

/** The name the co-partitioning protocol is announced under (every member of a group must speak it). */
export const CO_PARTITIONED_PROTOCOL = 'ForesightCoPartitioned';

/**
 * Co-partitioned assignment: partition p of every subscribed topic goes to member (p mod n), members sorted by id.
 * Topics keyed by the same id (inventory and flows by VM id) with the same partition count hash a key to the same
 * partition number, so one member sees every topic's records of that key. Pure, for tests and the assigner.
 */
export function assignCoPartitioned(memberIds: readonly string[], partitionsByTopic: ReadonlyMap<string, readonly number[]>): Map<string, Assignment> {
  const members = [...memberIds].sort();
  const result = new Map<string, Assignment>(members.map((id) => [id, {}]));
  if (members.length === 0) return result;
  for (const topic of [...partitionsByTopic.keys()].sort()) {
    for (const partition of [...(partitionsByTopic.get(topic) ?? [])].sort((a, b) => a - b)) {
      const assignment = result.get(members[partition % members.length]) as Assignment;
      (assignment[topic] ??= []).push(partition);
    }
  }
  return result;
}

/** The kafkajs assigner of `assignCoPartitioned` (`partitionAssigners: [coPartitionedAssigner]`). */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_PROTOCOL,
  version: 1,
  assign({ members, topics }) {
    const partitionsByTopic = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]));
    const assigned = assignCoPartitioned(members.map((m) => m.memberId), partitionsByTopic);
    return Promise.resolve([...assigned].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
    })));
  },
  protocol({ topics }) {
    return { name: CO_PARTITIONED_PROTOCOL, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
