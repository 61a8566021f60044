import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backlogOf, type GroupOffsets, type TopicEnds } from '../src/consumer-backlog.js';

const ends = (entries: Record<string, [number, number][]>): TopicEnds =>
  new Map(Object.entries(entries).map(([topic, parts]) => [topic, parts.map(([high, low], partition) => ({ partition, high, low }))]));
const offsets = (entries: Record<string, number[]>): GroupOffsets =>
  new Map(Object.entries(entries).map(([topic, list]) => [topic, new Map(list.map((offset, partition) => [partition, offset]))]));

describe('backlogOf', () => {
  const subscriptions = [{ groupId: 'g.scorer', topics: ['p.anomalies'] }, { groupId: 'g.allocator', topics: ['p.risk', 'p.hosts'] }];

  it('is empty when every group committed every partition end and nothing grew', () => {
    const e = ends({ 'p.anomalies': [[4, 0], [0, 0]], 'p.risk': [[2, 0]], 'p.hosts': [[0, 0]] });
    const committed = new Map([['g.scorer', offsets({ 'p.anomalies': [4, -1] })], ['g.allocator', offsets({ 'p.risk': [2], 'p.hosts': [-1] })]]);
    assert.deepEqual(backlogOf(subscriptions, e, committed, e), []);
  });

  it('counts what a group has not committed, and everything when it never committed (from the earliest kept offset)', () => {
    const e = ends({ 'p.anomalies': [[4, 0], [3, 1]], 'p.risk': [[2, 0]], 'p.hosts': [[0, 0]] });
    const committed = new Map([['g.scorer', offsets({ 'p.anomalies': [1, -1] })]]);
    assert.deepEqual(backlogOf(subscriptions, e, committed, e), [
      { groupId: 'g.scorer', topic: 'p.anomalies', partition: 0, behind: 3 },
      { groupId: 'g.scorer', topic: 'p.anomalies', partition: 1, behind: 2 },
      { groupId: 'g.allocator', topic: 'p.risk', partition: 0, behind: 2 },
    ]);
  });

  it('is not empty when a partition grew between the two reads, even if the committed offsets matched the first', () => {
    // The scorer finished an anomaly and published a risk assessment after the first read of the ends: the
    // allocator's committed offset equals the old end, but the new end shows the message it has not handled.
    const before = ends({ 'p.anomalies': [[4, 0]], 'p.risk': [[2, 0]], 'p.hosts': [[0, 0]] });
    const after = ends({ 'p.anomalies': [[4, 0]], 'p.risk': [[3, 0]], 'p.hosts': [[0, 0]] });
    const committed = new Map([['g.scorer', offsets({ 'p.anomalies': [4] })], ['g.allocator', offsets({ 'p.risk': [3], 'p.hosts': [-1] })]]);
    assert.deepEqual(backlogOf(subscriptions, before, committed, after), [{ groupId: 'g.allocator', topic: 'p.risk', partition: 0, behind: 1 }]);
  });
});
