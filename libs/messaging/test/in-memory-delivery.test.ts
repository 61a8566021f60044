import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractError, deadLetterTopicFor, topicFor } from '@foresight/contracts';
import { InMemoryBroker, InMemoryBus, InMemoryIdempotencyStore, RuntimeError, consumerOf, partitionOfKey, type AnyConsumerDeclaration, type MessageContext } from '../src/index.js';
import { hostEvent } from '@foresight/contracts/testing';

const prefix = 't.unit.';
const manual = (broker: InMemoryBroker, extra: Partial<ConstructorParameters<typeof InMemoryBus>[0]> = {}) =>
  new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'g', autoDeliver: false, ...extra });
const recorder = (applied: string[], onMessage?: (eventId: string, context: MessageContext) => Promise<void>) =>
  consumerOf({ topic: 'hosts', handle: async (m, context) => {
    await onMessage?.(m.eventId, context);
    applied.push(m.eventId);
  } });

describe('InMemoryBus (embedded-mode specifics)', () => {
  it('delivers nothing until drain() when autoDeliver is off, then everything, deterministically', async () => {
    const broker = new InMemoryBroker(4);
    const bus = manual(broker);
    const applied: string[] = [];
    await bus.startConsumers([recorder(applied)]);
    await bus.publish('hosts', Array.from({ length: 30 }, (_, i) => hostEvent(`m-${i}`, `h-${i % 7}`)));
    await Promise.resolve();
    assert.deepEqual(applied, []);
    await bus.drain();
    assert.equal(applied.length, 30);
    const again: string[] = [];
    const replay = manual(new InMemoryBroker(4), { groupId: 'g2' });
    await replay.startConsumers([recorder(again)]);
    await replay.publish('hosts', Array.from({ length: 30 }, (_, i) => hostEvent(`m-${i}`, `h-${i % 7}`)));
    await replay.drain();
    assert.deepEqual(again, applied, 'same inputs, same delivery order');
  });

  it('places a key on a stable partition', () => {
    assert.equal(partitionOfKey('vm-42', 3), partitionOfKey('vm-42', 3));
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[partitionOfKey(`vm-${i}`, 3)]++;
    assert.ok(counts.every((c) => c > 800), `spread: ${counts.join(',')}`);
  });

  it('redelivers what a crashed consumer handled but did not commit, to the next member of the group', async () => {
    const broker = new InMemoryBroker(1);
    const crashing = manual(broker, { maxBatchSize: 10 });
    const seen: string[] = [];
    await crashing.startConsumers([recorder(seen, (eventId) => {
      if (eventId === 'm-5') crashing.crash();
      return Promise.resolve();
    })]);
    await crashing.publish('hosts', Array.from({ length: 8 }, (_, i) => hostEvent(`m-${i}`)));
    await crashing.drain();
    assert.equal(crashing.health().live, false);
    assert.equal(broker.committed('g', topicFor(prefix, 'hosts'), 0), 0, 'nothing committed: the batch never finished');
    const successor = manual(broker);
    const redelivered: string[] = [];
    await successor.startConsumers([recorder(redelivered)]);
    await successor.drain();
    assert.deepEqual(redelivered, Array.from({ length: 8 }, (_, i) => `m-${i}`));
    await assert.rejects(crashing.publish('hosts', [hostEvent('x')]), (e: unknown) => e instanceof RuntimeError && e.code === 'BUS_CLOSED');
  });

  it('with an IdempotencyStore, a crash-redelivered message that was applied is skipped by the successor', async () => {
    const broker = new InMemoryBroker(1);
    const store = new InMemoryIdempotencyStore();
    const applied: string[] = [];
    const crashing = manual(broker, { idempotency: { store } });
    await crashing.startConsumers([recorder(applied, (eventId) => Promise.resolve(eventId === 'm-3' ? crashing.crash() : undefined))]);
    await crashing.publish('hosts', Array.from({ length: 5 }, (_, i) => hostEvent(`m-${i}`)));
    await crashing.drain();
    const successor = manual(broker, { idempotency: { store } });
    await successor.startConsumers([recorder(applied)]);
    await successor.drain();
    assert.deepEqual(applied, ['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
  });

  it('shares a topic\'s partitions among the members of a group, each message to one member', async () => {
    const broker = new InMemoryBroker(4);
    const a = manual(broker);
    const b = manual(broker);
    const byA: string[] = [];
    const byB: string[] = [];
    await a.startConsumers([recorder(byA)]);
    await b.startConsumers([recorder(byB)]);
    await a.publish('hosts', Array.from({ length: 40 }, (_, i) => hostEvent(`m-${i}`, `h-${i}`)));
    await Promise.all([a.drain(), b.drain()]);
    assert.equal(byA.length + byB.length, 40);
    assert.ok(byA.length > 0 && byB.length > 0);
    assert.equal(new Set([...byA, ...byB]).size, 40);
  });

  it('gives each consumer group its own offsets', async () => {
    const broker = new InMemoryBroker(2);
    const one: string[] = [];
    const two: string[] = [];
    const a = manual(broker, { groupId: 'one' });
    const b = manual(broker, { groupId: 'two' });
    await a.startConsumers([recorder(one)]);
    await b.startConsumers([recorder(two)]);
    await a.publish('hosts', [hostEvent('m-1'), hostEvent('m-2')]);
    await Promise.all([a.drain(), b.drain()]);
    assert.deepEqual(one, ['m-1', 'm-2']);
    assert.deepEqual(two, ['m-1', 'm-2']);
  });

  it('backs a partition off after an outage and retries it on the next drain, without dead-lettering', async () => {
    const broker = new InMemoryBroker(1);
    const bus = manual(broker);
    let down = true;
    const applied: string[] = [];
    await bus.startConsumers([recorder(applied, () => (down ? Promise.reject(new RuntimeError('DEPENDENCY_UNAVAILABLE', 'down')) : Promise.resolve()))]);
    await bus.publish('hosts', [hostEvent('m-1'), hostEvent('m-2')]);
    await bus.drain();
    assert.deepEqual(applied, []);
    assert.deepEqual(bus.health().details.backingOff, [`${topicFor(prefix, 'hosts')}/0`]);
    down = false;
    await bus.drain();
    assert.deepEqual(applied, ['m-1', 'm-2']);
    assert.equal(bus.deadLetters('hosts').length, 0);
  });

  it('dead-letters a tombstone (null value) and an injected invalid payload', async () => {
    const broker = new InMemoryBroker(1);
    const bus = manual(broker);
    await bus.startConsumers([recorder([])]);
    bus.injectRaw('hosts', null, { key: 'h-1', headers: { origin: 'test' } });
    await bus.drain();
    const [letter] = bus.deadLetters('hosts');
    assert.equal(letter.value, null);
    assert.equal(letter.headers['x-dlq-code'], 'NOT_AVRO');
    assert.equal(letter.headers.origin, 'test', 'original headers are kept');
    assert.equal(broker.records(deadLetterTopicFor(prefix, 'hosts')).length, 1);
  });

  it('rejects consumers without a group, of an unknown topic, or declared twice', async () => {
    const bus = new InMemoryBus({ topicPrefix: prefix });
    await assert.rejects(async () => bus.startConsumers([recorder([])]), (e: unknown) => e instanceof RuntimeError && e.code === 'CONFIG_INVALID');
    await assert.rejects(async () => bus.startConsumers([{ ...recorder([]), groupId: 'x', topic: 'nope' } as unknown as AnyConsumerDeclaration]), /unknown topic/);
    await assert.rejects(async () => bus.startConsumers([{ ...recorder([]), groupId: 'x' }, { ...recorder([]), groupId: 'x' }]), /two consumers/);
    assert.throws(() => new InMemoryBus({ retry: { maxAttempts: 0 } }), /retry.maxAttempts/);
  });

  it('refuses an invalid message at publish with ContractError and appends none of the call', async () => {
    const broker = new InMemoryBroker(1);
    const bus = manual(broker);
    await assert.rejects(bus.publish('hosts', [hostEvent('ok'), { ...hostEvent('bad'), hostId: 7 as unknown as string }]), ContractError);
    assert.equal(broker.records(topicFor(prefix, 'hosts')).length, 0);
  });
});
