import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionBacklog } from '../src/consumer-backlog.js';
import type { KafkaBus } from '../src/kafka-bus.js';
import { KafkaCatchUp } from '../src/kafka-catch-up.js';
import type { KafkaPrefixAdmin } from '../src/kafka-prefix-admin.js';

/** A bus as KafkaCatchUp sees it: acknowledged records, subscriptions, liveness. */
function fakeBus(state: { acknowledged: number; live: boolean }): KafkaBus {
  const bus = {
    get acknowledgedRecords() {
      return state.acknowledged;
    },
    subscriptions: () => [{ groupId: 'g', topics: ['p.risk'] }],
    health: () => ({ live: state.live, ready: state.live, details: {} }),
  };
  return bus as unknown as KafkaBus;
}

/** An admin answering the given backlogs in turn (the last one forever), counting reads. */
function fakeAdmin(answers: PartitionBacklog[][]): { admin: KafkaPrefixAdmin; reads: () => number } {
  let reads = 0;
  const admin = { backlog: () => Promise.resolve(answers[Math.min(reads++, answers.length - 1)]) };
  return { admin: admin as unknown as KafkaPrefixAdmin, reads: () => reads };
}

const behind = (n: number): PartitionBacklog[] => [{ groupId: 'g', topic: 'p.risk', partition: 0, behind: n }];

describe('KafkaCatchUp', () => {
  it('waits until the backlog is empty, then skips the broker while nothing new was published', async () => {
    const state = { acknowledged: 5, live: true };
    const { admin, reads } = fakeAdmin([behind(3), behind(1), []]);
    const catchUp = new KafkaCatchUp([fakeBus(state)], admin, { maxPollMs: 1 });
    await catchUp.wait();
    assert.equal(reads(), 3);
    await catchUp.wait();
    assert.equal(reads(), 3, 'nothing acknowledged since: no broker round trip');
    state.acknowledged++;
    await catchUp.wait();
    assert.equal(reads(), 4);
  });

  it('fails naming the group behind when nothing moves for the stall time-out', async () => {
    const { admin } = fakeAdmin([behind(2)]);
    const catchUp = new KafkaCatchUp([fakeBus({ acknowledged: 1, live: true })], admin, { stallTimeoutMs: 30, maxPollMs: 5 });
    await assert.rejects(catchUp.wait(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'DEPENDENCY_UNAVAILABLE');
      assert.match(error.message, /no progress on Kafka .*g behind 2 on p\.risk\/0/);
      return true;
    });
  });

  it('fails at once when a consumer crashed', async () => {
    const { admin } = fakeAdmin([behind(2)]);
    const catchUp = new KafkaCatchUp([fakeBus({ acknowledged: 1, live: false })], admin, { maxPollMs: 1 });
    await assert.rejects(catchUp.wait(), /a Kafka consumer crashed with messages left: g behind 2/);
  });
});
