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
    maxWaitTimeMs: 100, commitEveryMessages: 100, commitEveryMs: 1_000, commitDelayMs: 100, partitionAssignment: 'co-partitioned', retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1 },
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
    maxWaitTimeMs: 100, commitEveryMessages: 100, commitEveryMs: 1_000, commitDelayMs: 100, partitionAssignment: 'round-robin', retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1 },
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

/** A consumer stand-in that keeps run()'s options and the commits made through it. */
function committingKafka() {
  const calls: string[] = [];
  let runOptions: { autoCommit?: boolean; eachBatch?: (payload: unknown) => Promise<void> } = {};
  const consumer = {
    events: { GROUP_JOIN: 'join', HEARTBEAT: 'heartbeat', REBALANCING: 'rebalancing', CRASH: 'crash' },
    on: () => undefined,
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: (options: typeof runOptions) => { runOptions = options; return Promise.resolve(); },
    commitOffsets: (offsets: { topic: string; partition: number; offset: string }[]) => {
      calls.push(`commitOffsets ${offsets.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(',')}`);
      committed = true;
      return Promise.resolve();
    },
    disconnect: () => { calls.push('disconnect'); return Promise.resolve(); },
  };
  let committed = false;
  /** One fetched batch of `count` records of t.flows/0, as kafkajs hands it to eachBatch (offsets resolved → uncommitted). */
  const batch = async (count: number): Promise<void> => {
    let resolved: string | undefined;
    committed = false;
    const uncommitted = () => ({ topics: resolved === undefined || committed ? [] : [{ topic: 't.flows', partitions: [{ partition: '0', offset: String(Number(resolved) + 1) }] }] });
    await runOptions.eachBatch?.({
      batch: {
        topic: 't.flows', partition: 0, highWatermark: String(count), firstOffset: () => '0',
        messages: Array.from({ length: count }, (_, i) => ({ offset: String(i), key: null, value: Buffer.from('x'), headers: {}, timestamp: '0' })),
      },
      resolveOffset: (offset: string) => { resolved = offset; },
      heartbeat: () => Promise.resolve(),
      commitOffsetsIfNecessary: (offsets?: unknown) => {
        calls.push(offsets === undefined ? 'commitIfNecessary' : `commit ${JSON.stringify(offsets)}`);
        if (offsets !== undefined) committed = true;
        return Promise.resolve();
      },
      uncommittedOffsets: uncommitted,
      isRunning: () => true,
      isStale: () => false,
    });
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, calls, batch, runOptions: () => runOptions };
}

function commitSettings(commitDelayMs: number): ConsumerGroupSettings {
  return { ...restartSettings(true, []), commitDelayMs };
}

const applying = { keyConcurrency: 1, maxRunLength: 1, deliver: () => Promise.resolve({ kind: 'applied' }) } as unknown as RecordDelivery;

test('offsets are not committed after every batch: at the thresholds, within commitDelayMs of the batch, and at a stop', async () => {
  const { kafka, calls, batch, runOptions } = committingKafka();
  const group = new KafkaConsumerGroup(kafka, 'g', new Map([['t.flows', applying]]), commitSettings(20));
  await group.start();
  assert.equal(runOptions().autoCommit, false, "kafkajs's own commit after every batch is off");
  await batch(2);
  assert.deepEqual(calls, ['commitIfNecessary'], 'only the thresholds are checked right after the batch');
  await waitFor('the delayed commit', () => (calls.includes('commitOffsets t.flows/0@2') ? true : undefined), 5_000);
  await batch(1);
  await group.stop();
  assert.deepEqual(calls.slice(-2), ['commitOffsets t.flows/0@1', 'disconnect'], 'what waits is committed before leaving the group');
});

test('commitDelayMs 0 leaves the commits to kafkajs: after every batch and at a rebalance', async () => {
  const { kafka, calls, batch, runOptions } = committingKafka();
  const group = new KafkaConsumerGroup(kafka, 'g', new Map([['t.flows', applying]]), commitSettings(0));
  await group.start();
  assert.equal(runOptions().autoCommit, true);
  await batch(3);
  await group.stop();
  assert.deepEqual(calls, ['disconnect'], 'nothing committed by the group itself');
});
