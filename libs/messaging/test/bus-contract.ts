import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import avro from 'avsc';
import { ContractError, encodeFrame, topicCodec, topicFor, topicNames, type TopicMessages, type TopicName } from '@foresight/contracts';
import {
  DEAD_LETTER_HEADERS, InMemoryIdempotencyStore, RuntimeError, consumerOf, type BusOptions, type MessageBus, type MessageContext,
} from '../src/index.js';
import { hostEvent, sampleMessages } from '@foresight/contracts/testing';
import { waitFor } from './wait-for.js';

/** What a contract test owns: its topic prefix and consumer group. */
export interface ContractWorld {
  readonly topicPrefix: string;
  readonly groupId: string;
}

/** A dead letter as read back from the broker. */
export interface DeadLetterView {
  readonly key: string | undefined;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** How the contract suite drives one MessageBus implementation. */
export interface BusHarness {
  newWorld(label: string): ContractWorld;
  /** A new client of the world's broker (a second call is like a second process). */
  makeBus(world: ContractWorld, options?: Omit<BusOptions, 'topicPrefix' | 'groupId'>): Promise<MessageBus>;
  /** Appends raw bytes to a topic, bypassing the runtime's encoding. */
  injectRaw(world: ContractWorld, topic: TopicName, value: Buffer, key: string): Promise<void>;
  /** The schema id the world's buses frame a topic's messages with. */
  schemaIdOf(world: ContractWorld, topic: TopicName): Promise<number>;
  deadLetters(world: ContractWorld, topic: TopicName): Promise<readonly DeadLetterView[]>;
  cleanup?(world: ContractWorld): Promise<void>;
  /** Deadline of one awaited event (Kafka needs seconds for a group join). */
  readonly eventTimeoutMs: number;
}

const FAST_RETRY = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 100, multiplier: 2 };

/** The conformance suite every MessageBus passes: same delivery semantics in memory and on Kafka. */
export function describeBusContract(name: string, harness: BusHarness): void {
  describe(`MessageBus contract: ${name}`, () => {
    const opened: MessageBus[] = [];
    const worlds: ContractWorld[] = [];
    const testTimeout = harness.eventTimeoutMs * 4;

    const world = (label: string): ContractWorld => {
      const w = harness.newWorld(label);
      worlds.push(w);
      return w;
    };
    const open = async (w: ContractWorld, options: Omit<BusOptions, 'topicPrefix' | 'groupId'> = {}): Promise<MessageBus> => {
      const bus = await harness.makeBus(w, { retry: FAST_RETRY, ...options });
      opened.push(bus);
      return bus;
    };
    const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> => waitFor(what, probe, harness.eventTimeoutMs);
    const hostsConsumer = (handle: (message: TopicMessages['hosts'], context: MessageContext) => Promise<void>) => consumerOf({ topic: 'hosts', handle });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
      await Promise.all(worlds.splice(0).map((w) => (harness.cleanup ? harness.cleanup(w) : Promise.resolve())));
    });

    it('round-trips a sample of every topic with its key, headers and eventId', { timeout: testTimeout }, async () => {
      const w = world('roundtrip');
      const bus = await open(w);
      const received = new Map<TopicName, { message: unknown; context: MessageContext }>();
      await bus.startConsumers(topicNames.map((topic) => consumerOf({
        topic,
        handle: (message: unknown, context: MessageContext) => {
          received.set(topic, { message, context });
          return Promise.resolve();
        },
      })));
      for (const topic of topicNames) await bus.publish(topic, [sampleMessages[topic]], { headers: { 'x-test': topic } });
      await until('a message on every topic', () => (received.size === topicNames.length ? true : undefined));
      for (const topic of topicNames) {
        const { message, context } = received.get(topic)!;
        assert.deepEqual(JSON.parse(JSON.stringify(message)), sampleMessages[topic], topic);
        assert.equal(context.key, topicCodec(topic).keyOf(sampleMessages[topic]));
        assert.equal(context.headers['x-test'], topic);
        assert.equal(context.eventId, sampleMessages[topic].eventId);
        assert.equal(context.fullTopic, topicFor(w.topicPrefix, topic));
        assert.equal(context.attempt, 1);
      }
    });

    it('keeps the order of messages with the same key', { timeout: testTimeout }, async () => {
      const w = world('order');
      const bus = await open(w);
      const seen = new Map<string, string[]>();
      await bus.startConsumers([hostsConsumer((message) => {
        seen.set(message.hostId, [...(seen.get(message.hostId) ?? []), message.eventId]);
        return Promise.resolve();
      })]);
      const keys = ['h-a', 'h-b', 'h-c', 'h-d', 'h-e'];
      const expected = new Map(keys.map((k) => [k, [] as string[]]));
      for (let round = 0; round < 8; round++) {
        const batch = keys.flatMap((k) => [0, 1, 2, 3, 4].map((i) => hostEvent(`${k}-${round * 5 + i}`, k)));
        for (const m of batch) expected.get(m.hostId)!.push(m.eventId);
        await bus.publish('hosts', batch);
      }
      await until('every message', () => ([...seen.values()].flat().length >= 200 ? true : undefined));
      for (const k of keys) assert.deepEqual(seen.get(k), expected.get(k), `order of ${k}`);
    });

    it('commits offsets: a second consumer in the same group does not re-read', { timeout: testTimeout }, async () => {
      const w = world('offsets');
      const first = await open(w);
      const seenFirst: string[] = [];
      await first.startConsumers([hostsConsumer((m) => Promise.resolve(void seenFirst.push(m.eventId)))]);
      await first.publish('hosts', [1, 2, 3, 4, 5].map((i) => hostEvent(`old-${i}`)));
      await until('the first consumer to handle 5', () => (seenFirst.length === 5 ? true : undefined));
      await first.close();
      const second = await open(w);
      await second.publish('hosts', [1, 2, 3].map((i) => hostEvent(`new-${i}`)));
      const seenSecond: string[] = [];
      await second.startConsumers([hostsConsumer((m) => Promise.resolve(void seenSecond.push(m.eventId)))]);
      await until('the second consumer to handle the new ones', () => (seenSecond.includes('new-3') ? true : undefined));
      assert.deepEqual(seenSecond, ['new-1', 'new-2', 'new-3']);
    });

    it('redelivers a message whose handler hit an outage (at least once, in order)', { timeout: testTimeout }, async () => {
      const w = world('redeliver');
      const bus = await open(w);
      const attempts: string[] = [];
      const applied: string[] = [];
      let failedOnce = false;
      await bus.startConsumers([hostsConsumer((m) => {
        attempts.push(m.eventId);
        if (m.eventId === 'm-2' && !failedOnce) {
          failedOnce = true;
          return Promise.reject(new RuntimeError('DEPENDENCY_UNAVAILABLE', 'graph store down'));
        }
        applied.push(m.eventId);
        return Promise.resolve();
      })]);
      await bus.publish('hosts', [1, 2, 3, 4].map((i) => hostEvent(`m-${i}`)));
      await until('all four applied', () => (applied.length === 4 ? true : undefined));
      assert.deepEqual(applied, ['m-1', 'm-2', 'm-3', 'm-4']);
      assert.equal(attempts.filter((id) => id === 'm-2').length, 2);
      assert.equal((await harness.deadLetters(w, 'hosts')).length, 0);
    });

    it('retries a retriable error in place, then succeeds', { timeout: testTimeout }, async () => {
      const w = world('retry');
      const bus = await open(w);
      const attempts: number[] = [];
      const applied: string[] = [];
      await bus.startConsumers([hostsConsumer((m, context) => {
        if (m.eventId === 'm-1') {
          attempts.push(context.attempt);
          if (context.attempt < 3) return Promise.reject(new RuntimeError('HANDLER_RETRIABLE', 'try again'));
        }
        applied.push(m.eventId);
        return Promise.resolve();
      })]);
      await bus.publish('hosts', [hostEvent('m-1'), hostEvent('m-2')]);
      await until('both applied', () => (applied.length === 2 ? true : undefined));
      assert.deepEqual(attempts, [1, 2, 3]);
      assert.deepEqual(applied, ['m-1', 'm-2']);
      assert.equal((await harness.deadLetters(w, 'hosts')).length, 0);
    });

    it('dead-letters a message after its retries are exhausted and goes on', { timeout: testTimeout }, async () => {
      const w = world('exhausted');
      const bus = await open(w);
      const applied: string[] = [];
      await bus.startConsumers([hostsConsumer((m) => {
        if (m.eventId === 'm-1') return Promise.reject(new Error('flaky dependency'));
        applied.push(m.eventId);
        return Promise.resolve();
      })]);
      await bus.publish('hosts', [hostEvent('m-1'), hostEvent('m-2')]);
      await until('m-2 applied', () => (applied.includes('m-2') ? true : undefined));
      const [letter] = await until('a dead letter', async () => ((await harness.deadLetters(w, 'hosts')).length === 1 ? harness.deadLetters(w, 'hosts') : undefined));
      assert.match(letter.headers[DEAD_LETTER_HEADERS.reason], /retries exhausted after 3 attempts: flaky dependency/);
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.code], 'HANDLER_RETRIABLE');
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.attempts], '3');
      assert.deepEqual(topicCodec('hosts').decode(letter.value!.subarray(5)).eventId, 'm-1');
    });

    it('dead-letters a fatal handler error at once', { timeout: testTimeout }, async () => {
      const w = world('fatal');
      const bus = await open(w);
      let calls = 0;
      await bus.startConsumers([hostsConsumer(() => {
        calls++;
        return Promise.reject(new RuntimeError('HANDLER_FATAL', 'host unknown to the inventory'));
      })]);
      await bus.publish('hosts', [hostEvent('m-1')]);
      const letters = await until('a dead letter', async () => ((await harness.deadLetters(w, 'hosts')).length === 1 ? harness.deadLetters(w, 'hosts') : undefined));
      assert.equal(calls, 1);
      assert.equal(letters[0].headers[DEAD_LETTER_HEADERS.code], 'HANDLER_FATAL');
      assert.equal(letters[0].headers[DEAD_LETTER_HEADERS.reason], 'host unknown to the inventory');
      assert.equal(letters[0].headers[DEAD_LETTER_HEADERS.attempts], '1');
    });

    it('dead-letters poison bytes with the reason in headers, bytes untouched, and processes the next message', { timeout: testTimeout }, async () => {
      const w = world('poison');
      const bus = await open(w);
      const applied: string[] = [];
      await bus.startConsumers([hostsConsumer((m) => Promise.resolve(void applied.push(m.eventId)))]);
      const notAvro = Buffer.from('{"definitely":"json"}');
      const unknownSchema = encodeFrame(0x7ffffff0, topicCodec('hosts').encode(hostEvent('x')));
      const outOfBounds = encodeFrame(await harness.schemaIdOf(w, 'hosts'),
        avro.Type.forSchema(JSON.parse(topicCodec('hosts').schemaText) as avro.Schema).toBuffer({ ...hostEvent('bad'), capacity: { cpuMillis: -5, memoryMiB: 1, networkMbps: 1 } }));
      for (const poison of [notAvro, unknownSchema, outOfBounds]) await harness.injectRaw(w, 'hosts', poison, 'h-1');
      await bus.publish('hosts', [hostEvent('after-poison')]);
      await until('the message after the poison', () => (applied.includes('after-poison') ? true : undefined));
      const letters = await until('three dead letters', async () => {
        const found = await harness.deadLetters(w, 'hosts');
        return found.length === 3 ? found : undefined;
      });
      assert.deepEqual(applied, ['after-poison']);
      assert.deepEqual(letters.map((l) => l.headers[DEAD_LETTER_HEADERS.code]), ['NOT_AVRO', 'UNKNOWN_SCHEMA', 'INVALID_MESSAGE']);
      assert.deepEqual(letters.map((l) => l.value), [notAvro, unknownSchema, outOfBounds]);
      for (const [i, letter] of letters.entries()) {
        assert.equal(letter.key, 'h-1');
        assert.equal(letter.headers[DEAD_LETTER_HEADERS.originalTopic], topicFor(w.topicPrefix, 'hosts'));
        assert.match(letter.headers[DEAD_LETTER_HEADERS.originalPartition], /^\d+$/);
        assert.equal(letter.headers[DEAD_LETTER_HEADERS.originalOffset], String(i));
        assert.ok(letter.headers[DEAD_LETTER_HEADERS.reason].length > 0);
      }
    });

    it('rejects an invalid message at publish and sends nothing of that call', { timeout: testTimeout }, async () => {
      const w = world('invalid');
      const bus = await open(w);
      const applied: string[] = [];
      await bus.startConsumers([hostsConsumer((m) => Promise.resolve(void applied.push(m.eventId)))]);
      const invalid = { ...hostEvent('bad'), capacity: { cpuMillis: Number.NaN, memoryMiB: 1, networkMbps: 1 } };
      await assert.rejects(bus.publish('hosts', [hostEvent('good-before'), invalid]), (error: unknown) => error instanceof ContractError && error.code === 'INVALID_MESSAGE');
      await bus.publish('hosts', [hostEvent('sentinel')]);
      await until('the sentinel', () => (applied.includes('sentinel') ? true : undefined));
      assert.deepEqual(applied, ['sentinel']);
    });

    it('does not apply a redelivered event twice when an IdempotencyStore is given', { timeout: testTimeout }, async () => {
      const w = world('idempotent');
      const store = new InMemoryIdempotencyStore();
      const bus = await open(w, { idempotency: { store } });
      const applied: string[] = [];
      await bus.startConsumers([hostsConsumer((m) => Promise.resolve(void applied.push(m.eventId)))]);
      await bus.publish('hosts', [hostEvent('m-1'), hostEvent('m-2')]);
      await bus.publish('hosts', [hostEvent('m-1'), hostEvent('m-3')]);
      await until('m-3 applied', () => (applied.includes('m-3') ? true : undefined));
      assert.deepEqual(applied, ['m-1', 'm-2', 'm-3']);
      assert.equal(await store.has(`${w.groupId}:m-1`), true);
    });

    it('propagates W3C trace context from publish to handler and on to what the handler publishes', { timeout: testTimeout }, async () => {
      const w = world('trace');
      const bus = await open(w);
      const traceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
      const seen: { topic: string; traceparent: string | undefined; traceId: string | undefined }[] = [];
      await bus.startConsumers([
        hostsConsumer(async (m, context) => {
          seen.push({ topic: 'hosts', traceparent: context.headers.traceparent, traceId: trace.getSpanContext(context.traceContext)?.traceId });
          await context.publish('inventory', [{ ...sampleMessages.inventory, eventId: `follow-${m.eventId}` }]);
        }),
        consumerOf({
          topic: 'inventory',
          handle: (_m, context) => Promise.resolve(void seen.push({ topic: 'inventory', traceparent: context.headers.traceparent, traceId: trace.getSpanContext(context.traceContext)?.traceId })),
        }),
      ]);
      await bus.publish('hosts', [hostEvent('traced')], { traceContext: parent });
      await until('the follow-up message', () => (seen.length === 2 ? true : undefined));
      assert.equal(seen[0].traceparent, `00-${traceId}-${spanId}-01`);
      assert.deepEqual(seen.map((s) => s.traceId), [traceId, traceId]);
      assert.match(seen[1].traceparent!, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    });

    it('closes gracefully: finishes the in-flight message, commits it, and a successor goes on from the next', { timeout: testTimeout }, async () => {
      const w = world('close');
      const first = await open(w);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      const started: string[] = [];
      const finished: string[] = [];
      await first.startConsumers([hostsConsumer(async (m) => {
        started.push(m.eventId);
        if (m.eventId === 'm-1') await gate;
        finished.push(m.eventId);
      })]);
      await first.publish('hosts', [1, 2, 3].map((i) => hostEvent(`m-${i}`)));
      await until('m-1 in flight', () => (started.includes('m-1') ? true : undefined));
      const closing = first.close();
      release();
      await closing;
      assert.deepEqual(finished, ['m-1']);
      assert.equal(first.health().ready, false);
      await assert.rejects(first.publish('hosts', [hostEvent('late')]), (error: unknown) => error instanceof RuntimeError && error.code === 'BUS_CLOSED');
      const second = await open(w);
      const seenSecond: string[] = [];
      await second.startConsumers([hostsConsumer((m) => Promise.resolve(void seenSecond.push(m.eventId)))]);
      await until('the successor to finish the rest', () => (seenSecond.includes('m-3') ? true : undefined));
      assert.deepEqual(seenSecond, ['m-2', 'm-3']);
    });

    it('partitions key ownership among the members of a group, delivers each key to its owner, and hands keys over when one leaves', { timeout: testTimeout * 2 }, async () => {
      const w = world('ownership');
      const a = await open(w);
      const b = await open(w);
      const keys = Array.from({ length: 30 }, (_, i) => `host-${i}`);
      assert.equal(a.keyOwnership('hosts').owns(keys[0]), false, 'nothing is owned before consuming');
      assert.equal(a.keyOwnership('hosts').active, false);
      const handledBy = new Map<string, string>();
      for (const [name, bus] of [['a', a], ['b', b]] as const) {
        await bus.startConsumers([hostsConsumer((m) => Promise.resolve(void handledBy.set(m.hostId, name)))]);
      }
      const [ownA, ownB] = [a.keyOwnership('hosts'), b.keyOwnership('hosts')];
      await until('every key owned by exactly one member', () =>
        (a.health().ready && b.health().ready && keys.every((k) => ownA.owns(k) !== ownB.owns(k)) ? true : undefined));
      const generation = ownA.generation;
      assert.ok(keys.some((k) => ownA.owns(k)) && keys.some((k) => ownB.owns(k)), 'both members own keys');
      assert.ok(ownA.active && ownB.active, 'both members are active owners');
      await a.publish('hosts', keys.map((k, i) => hostEvent(`own-${i}`, k)));
      await until('every key handled', () => (handledBy.size === keys.length ? true : undefined));
      if (ownA.generation === generation) {
        for (const k of keys) assert.equal(handledBy.get(k), ownA.owns(k) ? 'a' : 'b', `${k} went to a member that does not own it`);
      }
      await b.close();
      await until('the remaining member to own every key', () => (keys.every((k) => ownA.owns(k)) ? true : undefined));
      assert.notEqual(ownA.generation, generation, 'a rebalance changes the generation');
      assert.equal(ownB.owns(keys[0]), false, 'a closed bus owns nothing');
      assert.equal(ownB.active, false);
      assert.equal(ownA.active, true);
    });

    it('reports health: live and ready while consuming, not ready after close', { timeout: testTimeout }, async () => {
      const w = world('health');
      const bus = await open(w);
      await bus.startConsumers([hostsConsumer(() => Promise.resolve())]);
      await until('ready', () => (bus.health().ready ? true : undefined));
      assert.equal(bus.health().live, true);
      await bus.close();
      assert.equal(bus.health().ready, false);
    });
  });
}
