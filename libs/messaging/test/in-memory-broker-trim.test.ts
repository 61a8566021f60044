import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetterTopicFor, topicFor } from '@foresight/contracts';
import { hostEvent } from '@foresight/contracts/testing';
import { InMemoryBroker, InMemoryBus, consumerOf } from '../src/index.js';

const prefix = 't.trim.';
const hosts = topicFor(prefix, 'hosts');

describe('InMemoryBroker.trimConsumed', () => {
  it('drops what every subscribed group committed, keeps offsets stable, and delivers what follows', async () => {
    const broker = new InMemoryBroker(1);
    const fast = new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'fast', autoDeliver: false });
    const slow = new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'slow', autoDeliver: false });
    const seen: string[] = [];
    await fast.startConsumers([consumerOf({ topic: 'hosts', handle: (m) => Promise.resolve(void seen.push(m.eventId)) })]);
    await fast.publish('hosts', Array.from({ length: 5 }, (_, i) => hostEvent(`a-${i}`)));
    await fast.drain();
    assert.equal(broker.trimConsumed(), 5, 'only one group subscribes: everything it committed goes');
    assert.equal(broker.records(hosts).length, 0);
    assert.equal(broker.endOffset(hosts, 0), 5, 'the next record still gets offset 5');

    await slow.startConsumers([consumerOf({ topic: 'hosts', handle: () => Promise.resolve() })]);
    await fast.publish('hosts', Array.from({ length: 3 }, (_, i) => hostEvent(`b-${i}`)));
    await fast.drain();
    assert.equal(broker.trimConsumed(), 0, 'the slow group has committed nothing yet');
    await slow.drain();
    assert.equal(broker.trimConsumed(), 3);
    assert.deepEqual(seen, ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'b-0', 'b-1', 'b-2']);
    await fast.publish('hosts', [hostEvent('c-0')]);
    await fast.drain();
    assert.deepEqual(broker.read(hosts, 0, 8, 10).map((r) => r.offset), [8]);
    await Promise.all([fast.close(), slow.close()]);
  });

  it('keeps a topic no group subscribes to (dead letters)', () => {
    const broker = new InMemoryBroker(1);
    const dlq = deadLetterTopicFor(prefix, 'hosts');
    broker.append(dlq, { key: 'k', value: null, headers: {} });
    assert.equal(broker.trimConsumed(), 0);
    assert.equal(broker.records(dlq).length, 1);
  });
});
