// The messaging runtime reports each group's lag per partition (records behind the partition end) as it consumes:
// the source of the services' foresight.consumer.lag gauge.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hostEvent } from '@foresight/contracts/testing';
import { KafkaBus, consumerOf, type ConsumerLag } from '@foresight/messaging';
import { eventually, newTestWorld } from '../support/test-world.js';
import { deleteTopicsUnder, rawKafka, stackConnection } from './fixtures/messaging-stack.js';

const world = newTestWorld('lag');
const buses: KafkaBus[] = [];

after(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()));
  const admin = rawKafka('consumer-lag-cleanup').admin();
  await admin.connect();
  await deleteTopicsUnder(admin, world.topicPrefix);
  await admin.disconnect();
});

test('a consumer group reports how far behind the partition end it is, down to 0 once it has caught up', { timeout: 120_000 }, async () => {
  const lags: ConsumerLag[] = [];
  const bus = await KafkaBus.connect({
    connection: stackConnection(`lag-${world.id}`), topicPrefix: world.topicPrefix, groupId: world.groupId, partitions: 1, topics: ['hosts'],
    onConsumerLag: (lag) => lags.push(lag),
  });
  buses.push(bus);
  const COUNT = 40;
  await bus.publish('hosts', Array.from({ length: COUNT }, (_, i) => hostEvent(`lag-${i}`, 'h-1')));

  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let handled = 0;
  await bus.startConsumers([consumerOf({
    topic: 'hosts',
    handle: async () => {
      if (handled === 0) await gate; // hold the first record: the whole backlog is still ahead
      handled++;
    },
  })]);

  const behindAtStart = await eventually('the lag when the first batch arrives', () => lags.find((l) => l.behind > 0));
  assert.equal(behindAtStart.groupId, world.groupId);
  assert.equal(behindAtStart.topic, `${world.topicPrefix}hosts`);
  assert.equal(behindAtStart.partition, 0);
  assert.ok(behindAtStart.behind <= COUNT, `at most the ${COUNT} published records are behind, got ${behindAtStart.behind}`);
  assert.equal(handled, 0, 'reported before the held record was done');

  release();
  await eventually('every record handled', () => (handled === COUNT ? true : undefined));
  await eventually('the lag back to 0', () => (lags.at(-1)?.behind === 0 ? true : undefined));
  const seen = lags.map((l) => l.behind);
  assert.ok(seen.every((b, i) => i === 0 || b <= seen[i - 1]), `lag only falls while the backlog drains: ${seen.join(',')}`);
});
