import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { KafkaConsumerGroup, type ConsumerGroupSettings } from '../src/kafka-consumer-group.js';
import { silentLogger } from '../src/logger.js';
import type { RecordDelivery } from '../src/record-delivery.js';

/** A kafkajs consumer stand-in: records the listeners so the test can play the broker's events. */
function fakeKafka() {
  const listeners = new Map<string, ((event: { payload: Record<string, unknown> }) => void)[]>();
  const events = { GROUP_JOIN: 'join', HEARTBEAT: 'heartbeat', REBALANCING: 'rebalancing', CRASH: 'crash' };
  const consumer = { events, on: (name: string, listener: (event: { payload: Record<string, unknown> }) => void) => void listeners.set(name, [...(listeners.get(name) ?? []), listener]) };
  const emit = (name: string, payload: Record<string, unknown> = {}): void => {
    for (const listener of listeners.get(name) ?? []) listener({ payload });
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, emit };
}

test('a member owns its assigned partitions while the broker confirms it, none during a rebalance or once unconfirmed for a session', () => {
  let clock = 1_000_000;
  const { kafka, emit } = fakeKafka();
  const settings = {
    fromBeginning: true, partitionsConsumedConcurrently: 3, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxBytesPerPartition: 1 << 20,
    maxWaitTimeMs: 100, commitEveryMessages: 100, commitEveryMs: 1_000, partitionAssignment: 'co-partitioned', retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1 },
    logger: silentLogger, now: () => clock,
  } satisfies ConsumerGroupSettings;
  const group = new KafkaConsumerGroup(kafka, 'g', new Map([['t.flows', {} as RecordDelivery]]), settings);
  assert.equal(group.assignment('t.flows').partitions.size, 0, 'nothing before the first join');

  emit('join', { memberAssignment: { 't.flows': [0, 2] } });
  const joined = group.assignment('t.flows');
  assert.deepEqual([...joined.partitions], [0, 2]);

  clock += 5_000;
  emit('heartbeat');
  clock += 5_000;
  assert.deepEqual([...group.assignment('t.flows').partitions], [0, 2], 'confirmed by a heartbeat 5 s ago');

  clock += 1_001;
  assert.equal(group.assignment('t.flows').partitions.size, 0, 'unconfirmed for longer than the session timeout: maybe expelled');
  emit('heartbeat');
  assert.deepEqual([...group.assignment('t.flows').partitions], [0, 2], 'confirmed again');

  emit('rebalancing');
  const during = group.assignment('t.flows');
  assert.equal(during.partitions.size, 0, 'nothing during a rebalance');
  assert.notEqual(during.generation, joined.generation);
  emit('join', { memberAssignment: { 't.flows': [1] } });
  assert.deepEqual([...group.assignment('t.flows').partitions], [1]);

  emit('crash', { error: new Error('boom'), restart: true });
  assert.equal(group.assignment('t.flows').partitions.size, 0, 'nothing after a crash');
});
