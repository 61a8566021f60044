import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssignerProtocol, type Cluster } from 'kafkajs';
import { partitionOfKey } from '../src/in-memory-broker.js';
import { CO_PARTITIONED_PROTOCOL, assignCoPartitioned, coPartitionedAssigner } from '../src/co-partitioned-assigner.js';

const three = (topics: string[]): Map<string, number[]> => new Map(topics.map((t) => [t, [0, 1, 2]]));

describe('co-partitioned assignment', () => {
  it('gives partition p of every topic to member p mod n, members sorted by id', () => {
    const assigned = assignCoPartitioned(['m-b', 'm-a'], three(['inventory', 'flows', 'hosts']));
    assert.deepEqual(assigned.get('m-a'), { flows: [0, 2], hosts: [0, 2], inventory: [0, 2] });
    assert.deepEqual(assigned.get('m-b'), { flows: [1], hosts: [1], inventory: [1] });
  });

  it('keeps a key of topics keyed alike on one member, for any member count', () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const members = Array.from({ length: n }, (_, i) => `member-${(i * 7919) % 101}`);
      const assigned = assignCoPartitioned(members, new Map([['inventory', [0, 1, 2, 3, 4, 5]], ['flows', [0, 1, 2, 3, 4, 5]]]));
      for (const vmId of ['vm-1', 'vm-2', 'db-0', 'x']) {
        const p = partitionOfKey(vmId, 6);
        const owners = [...assigned].filter(([, a]) => a.inventory?.includes(p) === true && a.flows?.includes(p) === true).map(([m]) => m);
        assert.equal(owners.length, 1, `${vmId} (partition ${p}) with ${n} members`);
      }
      const total = [...assigned.values()].reduce((sum, a) => sum + (a.inventory?.length ?? 0) + (a.flows?.length ?? 0), 0);
      assert.equal(total, 12, 'every partition assigned exactly once');
    }
  });

  it('leaves surplus members idle and handles no members', () => {
    const assigned = assignCoPartitioned(['a', 'b', 'c', 'd'], three(['risk']));
    assert.deepEqual(assigned.get('d'), {});
    assert.equal(assignCoPartitioned([], three(['risk'])).size, 0);
  });

  it('speaks the kafkajs assigner protocol', async () => {
    const cluster = { findTopicPartitionMetadata: (topic: string) => (topic === 'inventory' || topic === 'flows' ? [2, 0, 1].map((partitionId) => ({ partitionId })) : []) } as unknown as Cluster;
    const assigner = coPartitionedAssigner({ cluster, groupId: 'g', logger: {} as never });
    const protocol = assigner.protocol({ topics: ['inventory', 'flows'] });
    assert.equal(protocol.name, CO_PARTITIONED_PROTOCOL);
    assert.deepEqual(AssignerProtocol.MemberMetadata.decode(protocol.metadata)?.topics, ['inventory', 'flows']);
    const result = await assigner.assign({ members: [{ memberId: 'z', memberMetadata: protocol.metadata }, { memberId: 'y', memberMetadata: protocol.metadata }], topics: ['inventory', 'flows'] });
    const decoded = new Map(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment]));
    assert.deepEqual(decoded.get('y'), { flows: [0, 2], inventory: [0, 2] });
    assert.deepEqual(decoded.get('z'), { flows: [1], inventory: [1] });
  });
});
