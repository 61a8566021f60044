import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicFor } from '@foresight/contracts';
import { hostEvent } from '@foresight/contracts/testing';
import {
  DEAD_LETTER_HEADERS, InMemoryBroker, InMemoryBus, MAX_REDUCED_KEY_LENGTH, REDUCED_DEAD_LETTER_HEADERS, RuntimeError, consumerOf,
  reducedDeadLetters, silentLogger, type DeadLetter,
} from '../src/index.js';
import { RecordDelivery, type ConsumedRecord } from '../src/record-delivery.js';
import { LocalSchemaCatalog } from '../src/schema-catalog.js';

const prefix = 't.reduced.';
const noWait = (): Promise<void> => Promise.resolve();

const poisonRecord = (value: Buffer, key = 'vm-1'): ConsumedRecord => ({
  fullTopic: topicFor(prefix, 'hosts'), partition: 2, offset: '41', timestamp: Date.UTC(2026, 0, 2, 3, 4, 5), key, value, headers: { 'x-own': 'kept only in a full copy' },
});

/** A delivery of 'hosts' whose dead letters go through `write` (every attempt recorded in `attempts`). */
function delivery(write: (letter: DeadLetter) => Promise<void>, attempts: DeadLetter[]): RecordDelivery {
  return new RecordDelivery(consumerOf({ topic: 'hosts', handle: () => Promise.resolve() }), 'g', {
    topicPrefix: prefix, catalog: new LocalSchemaCatalog(), retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1 },
    idempotency: undefined, logger: silentLogger, now: () => 0, isClosing: () => false, onDeadLetter: () => undefined,
    publish: () => Promise.resolve(),
    writeDeadLetter: (letter) => {
      attempts.push(letter);
      return write(letter);
    },
  });
}

describe('reduced dead letters', () => {
  it('keep the coordinates, the reason, the size and as much of the value as the original took, then none', () => {
    const value = Buffer.alloc(10_000, 7);
    const full: DeadLetter = {
      topic: 't.dlq', key: 'vm-1', value,
      headers: { 'x-own': 'x'.repeat(50), [DEAD_LETTER_HEADERS.code]: 'NOT_AVRO', [DEAD_LETTER_HEADERS.reason]: 'not avro', [DEAD_LETTER_HEADERS.originalOffset]: '41' },
    };
    const [first, last, ...rest] = reducedDeadLetters(full, { key: 'vm-1', value, timestamp: 0 }, 'MESSAGE_TOO_LARGE');
    assert.equal(rest.length, 0);
    for (const letter of [first, last]) {
      assert.equal(letter.topic, 't.dlq');
      assert.equal(letter.key, 'vm-1');
      assert.equal(letter.headers['x-own'], undefined);
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.code], 'NOT_AVRO');
      assert.equal(letter.headers[DEAD_LETTER_HEADERS.originalOffset], '41');
      assert.equal(letter.headers[REDUCED_DEAD_LETTER_HEADERS.originalSize], '10000');
      assert.equal(letter.headers[REDUCED_DEAD_LETTER_HEADERS.originalTimestamp], '1970-01-01T00:00:00.000Z');
      assert.equal(letter.headers[REDUCED_DEAD_LETTER_HEADERS.reduced], 'MESSAGE_TOO_LARGE');
    }
    const bytes = (l: DeadLetter) => (l.value?.length ?? 0) + Object.entries(l.headers).reduce((s, [n, v]) => s + n.length + v.length, 0);
    assert.ok(bytes(first) < value.length, `the first form is smaller than the original value alone (${bytes(first)})`);
    assert.ok((first.value?.length ?? 0) > 9000, 'and keeps most of it');
    assert.deepEqual(first.value, value.subarray(0, first.value?.length));
    assert.equal(first.headers[REDUCED_DEAD_LETTER_HEADERS.payloadKept], String(first.value?.length));
    assert.equal(last.value, null);
    assert.equal(last.headers[REDUCED_DEAD_LETTER_HEADERS.payloadKept], '0');
  });

  it('cut a very long key and have no payload form for a small or empty value', () => {
    const key = 'k'.repeat(MAX_REDUCED_KEY_LENGTH * 3);
    const forms = reducedDeadLetters({ topic: 't.dlq', key, value: null, headers: {} }, { key, value: null, timestamp: 0 }, 'refused');
    assert.equal(forms.length, 1);
    assert.equal(forms[0].key?.length, MAX_REDUCED_KEY_LENGTH);
    assert.equal(forms[0].value, null);
  });
});

describe('RecordDelivery: a dead letter the broker refuses', () => {
  it('is written reduced when the refusal is for good, and the record counts as dead-lettered', async () => {
    const attempts: DeadLetter[] = [];
    const outcome = await delivery((letter) => (letter.headers['x-own'] !== undefined
      ? Promise.reject(new RuntimeError('BROKER_REFUSED', 'too large'))
      : Promise.resolve()), attempts).deliver(poisonRecord(Buffer.alloc(5000, 1)), noWait);
    assert.equal(outcome.kind, 'dead-lettered');
    assert.equal(attempts.length, 2, 'the full copy, then the first reduced form');
    assert.equal(attempts[1].headers[REDUCED_DEAD_LETTER_HEADERS.reduced], 'too large');
    assert.equal(attempts[1].headers[DEAD_LETTER_HEADERS.originalPartition], '2');
    assert.equal(attempts[1].headers[REDUCED_DEAD_LETTER_HEADERS.originalTimestamp], '2026-01-02T03:04:05.000Z');
  });

  it('falls back to the form without payload, and asks for redelivery only when even that is refused', async () => {
    const kept: DeadLetter[] = [];
    const outcome = await delivery((letter) => ((letter.value?.length ?? 0) > 0
      ? Promise.reject(new RuntimeError('BROKER_REFUSED', 'too large'))
      : Promise.resolve()), kept).deliver(poisonRecord(Buffer.alloc(5000, 1)), noWait);
    assert.equal(outcome.kind, 'dead-lettered');
    assert.equal(kept.length, 3);
    assert.equal(kept[2].value, null);

    const refused = await delivery(() => Promise.reject(new RuntimeError('BROKER_REFUSED', 'not authorized')), []).deliver(poisonRecord(Buffer.alloc(5000, 1)), noWait);
    assert.deepEqual({ kind: refused.kind, code: 'code' in refused ? refused.code : undefined }, { kind: 'redeliver', code: 'BROKER_REFUSED' });
  });

  it('is redelivered, not reduced, in an outage (a retriable failure)', async () => {
    const attempts: DeadLetter[] = [];
    const outcome = await delivery(() => Promise.reject(new RuntimeError('BROKER_UNAVAILABLE', 'connection lost')), attempts).deliver(poisonRecord(Buffer.alloc(50, 1)), noWait);
    assert.equal(outcome.kind, 'redeliver');
    assert.equal(attempts.length, 1);
    const unknown = await delivery(() => Promise.reject(new Error('something')), []).deliver(poisonRecord(Buffer.alloc(50, 1)), noWait);
    assert.equal(unknown.kind, 'redeliver', 'an error that does not say it is final is an outage');
  });
});

describe('InMemoryBus with a record size limit (as Kafka with max.message.bytes)', () => {
  it('dead-letters a record at the limit in a reduced form and handles the record behind it', async () => {
    const limit = 4096;
    const broker = new InMemoryBroker(1, Date.now, limit);
    const bus = new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'g', autoDeliver: false });
    const handled: string[] = [];
    await bus.startConsumers([consumerOf({ topic: 'hosts', handle: (m) => {
      handled.push(m.eventId);
      return Promise.resolve();
    } })]);
    const poison = Buffer.alloc(limit - 100, 0x7f);
    bus.injectRaw('hosts', poison, { key: 'vm-poison' });
    await bus.publish('hosts', [hostEvent('after', 'h-1')]);
    await bus.drain();
    assert.deepEqual(handled, ['after']);
    const [letter, ...more] = bus.deadLetters('hosts');
    assert.equal(more.length, 0);
    assert.equal(letter.key, 'vm-poison');
    assert.equal(letter.headers[DEAD_LETTER_HEADERS.code], 'NOT_AVRO');
    assert.equal(letter.headers[DEAD_LETTER_HEADERS.originalOffset], '0');
    assert.equal(letter.headers[REDUCED_DEAD_LETTER_HEADERS.originalSize], String(poison.length));
    assert.ok(Number(letter.headers[REDUCED_DEAD_LETTER_HEADERS.payloadKept]) > limit / 2);
  });

  it('refuses a publish with a record over the limit for good (BROKER_REFUSED), appending none of the call', async () => {
    const broker = new InMemoryBroker(1, Date.now, 300);
    const bus = new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'g', autoDeliver: false });
    const big = { ...hostEvent('big', 'h-'.padEnd(400, 'x')) };
    await assert.rejects(bus.publish('hosts', [hostEvent('small', 'h-1'), big]), (error: unknown) => error instanceof RuntimeError && error.code === 'BROKER_REFUSED' && !error.retriable);
    assert.equal(broker.endOffset(topicFor(prefix, 'hosts'), 0), 0);
  });
});
