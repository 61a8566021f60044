import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kafka } from 'kafkajs';
import { COORDINATOR_MISSES_BEFORE_REFUSAL, KafkaConsumerGroup, type ConsumerGroupSettings } from '../src/kafka-consumer-group.js';
import type { RuntimeError } from '../src/runtime-error.js';
import { waitFor } from './wait-for.js';
import { silentLogger } from '../src/logger.js';
import type { RecordDelivery } from '../src/record-delivery.js';

/** A kafkajs consumer stand-in: records the listeners so the test can play the broker's events. */
function fakeKafka() {
  const listeners = new Map<string, ((event: { payload: Record<string, unknown> }) => void)[]>();
  const events = { GROUP_JOIN: 'join', HEARTBEAT: 'heartbeat', REBALANCING: 'rebalancing', CRASH: 'crash' };
  const calls: string[] = [];
  const consumer = {
    events,
    on: (name: string, listener: (event: { payload: Record<string, unknown> }) => void) => void listeners.set(name, [...(listeners.get(name) ?? []), listener]),
    connect: () => { calls.push('connect'); return Promise.resolve(); },
    subscribe: () => { calls.push('subscribe'); return Promise.resolve(); },
    run: () => { calls.push('run'); return Promise.resolve(); },
    disconnect: () => { calls.push('disconnect'); return Promise.resolve(); },
  };
  const emit = (name: string, payload: Record<string, unknown> = {}): void => {
    for (const listener of listeners.get(name) ?? []) listener({ payload });
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, emit, calls };
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

function restartSettings(brokersAnswer: boolean, failures: RuntimeError[]): ConsumerGroupSettings {
  return {
    fromBeginning: true, partitionsConsumedConcurrently: 1, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxBytesPerPartition: 1 << 20,
    maxWaitTimeMs: 100, commitEveryMessages: 100, commitEveryMs: 1_000, partitionAssignment: 'round-robin', retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1 },
    logger: silentLogger, brokersAnswer: () => Promise.resolve(brokersAnswer), onFailure: (error) => failures.push(error), restartBackoffMs: { first: 5, max: 20 },
  };
}

/** kafkajs' error for a group FindCoordinator gave no coordinator for (a refused group, or a broker restarting). */
function coordinatorMiss(): Error {
  const error = new Error('Failed to find group coordinator');
  error.name = 'KafkaJSGroupCoordinatorNotFound';
  return error;
}

const runs = (calls: readonly string[]): number => calls.filter((c) => c === 'run').length;

test('a group kafkajs gave up on after it had joined restarts itself (runs again) and is live again once it rejoins', async () => {
  const { kafka, emit, calls } = fakeKafka();
  const failures: RuntimeError[] = [];
  const group = new KafkaConsumerGroup(kafka, 'g', new Map([['t.flows', {} as RecordDelivery]]), restartSettings(true, failures));
  await group.start();
  emit('join', { memberAssignment: { 't.flows': [0] } });
  emit('crash', { error: coordinatorMiss(), restart: false });
  assert.equal(group.status().crashed, true);
  await waitFor('run again after the backoff', () => (runs(calls) === 2 ? true : undefined), 5_000);
  emit('join', { memberAssignment: { 't.flows': [0] } });
  assert.equal(group.status().crashed, false, 'live again after the rejoin');
  assert.deepEqual(failures, [], 'no failure reported: the service keeps running');
  await group.stop();
});

test('a group that finds no coordinator while the brokers answer, before it ever joined, is refused after three tries', async () => {
  const { kafka, emit, calls } = fakeKafka();
  const failures: RuntimeError[] = [];
  const group = new KafkaConsumerGroup(kafka, 'g', new Map([['t.flows', {} as RecordDelivery]]), restartSettings(true, failures));
  await group.start();
  for (let attempt = 1; attempt <= COORDINATOR_MISSES_BEFORE_REFUSAL; attempt += 1) {
    await waitFor(`run ${attempt}`, () => (runs(calls) === attempt ? true : undefined), 5_000);
    emit('crash', { error: coordinatorMiss(), restart: false });
  }
  await waitFor('the refusal reported', () => (failures.length === 1 ? true : undefined), 5_000);
  assert.equal(failures[0].code, 'BROKER_REFUSED');
  assert.match(failures[0].message, /consumer group 'g' stopped for good: .*not authorized to access the group/);
  assert.equal(runs(calls), COORDINATOR_MISSES_BEFORE_REFUSAL, 'not run again after the refusal');
  await group.stop();
});

test('a group that finds no coordinator while the brokers do not answer (an outage) keeps restarting and reports nothing', async () => {
  const { kafka, emit, calls } = fakeKafka();
  const failures: RuntimeError[] = [];
  const group = new KafkaConsumerGroup(kafka, 'g', new Map([['t.flows', {} as RecordDelivery]]), restartSettings(false, failures));
  await group.start();
  for (let attempt = 1; attempt <= COORDINATOR_MISSES_BEFORE_REFUSAL + 2; attempt += 1) {
    await waitFor(`run ${attempt}`, () => (runs(calls) === attempt ? true : undefined), 5_000);
    emit('crash', { error: coordinatorMiss(), restart: false });
  }
  await waitFor('still restarting', () => (runs(calls) === COORDINATOR_MISSES_BEFORE_REFUSAL + 3 ? true : undefined), 5_000);
  assert.deepEqual(failures, []);
  await group.stop();
});
