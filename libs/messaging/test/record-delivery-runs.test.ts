import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topicFor, type HostEvent } from '@foresight/contracts';
import { hostEvent } from '@foresight/contracts/testing';
import { InMemoryIdempotencyStore, RuntimeError, consumerOf, silentLogger } from '../src/index.js';
import { encodeOutgoing } from '../src/outgoing-record.js';
import { RecordDelivery, type ConsumedRecord } from '../src/record-delivery.js';
import { LocalSchemaCatalog } from '../src/schema-catalog.js';

const prefix = 't.runs.';
const noWait = (): Promise<void> => Promise.resolve();

async function records(events: readonly HostEvent[]): Promise<ConsumedRecord[]> {
  const encoded = encodeOutgoing('hosts', events, await new LocalSchemaCatalog().schemaIdOf('hosts'), undefined);
  return encoded.map((r, i) => ({ fullTopic: topicFor(prefix, 'hosts'), partition: 0, offset: String(i), timestamp: 0, key: r.key, value: r.value, headers: r.headers }));
}

function delivery(handled: string[][], letters: string[], idempotency = new InMemoryIdempotencyStore(), refuse?: string, idempotentByItself = false) {
  const check = (e: HostEvent) => {
    if (e.eventId === refuse) throw new RuntimeError('HANDLER_FATAL', 'refused');
  };
  return new RecordDelivery(consumerOf({
    topic: 'hosts', keyConcurrency: 4, idempotentByItself,
    handle: (e) => {
      check(e);
      handled.push([e.eventId]);
      return Promise.resolve();
    },
    handleRun: (events) => {
      events.forEach(check);
      handled.push(events.map((e) => e.eventId));
      return Promise.resolve();
    },
  }), 'g', {
    topicPrefix: prefix, catalog: new LocalSchemaCatalog(), retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1 },
    idempotency: { store: idempotency, ttlMs: 60_000 }, logger: silentLogger, now: () => 0, isClosing: () => false, onDeadLetter: () => undefined,
    publish: () => Promise.resolve(),
    writeDeadLetter: (letter) => {
      letters.push(letter.headers['x-original-offset'] ?? '?');
      return Promise.resolve();
    },
  });
}

describe('RecordDelivery.deliverRun', () => {
  it('hands the run over at once, skipping repeats of an eventId within it and events already applied', async () => {
    const handled: string[][] = [];
    const store = new InMemoryIdempotencyStore();
    await store.claim('g:old', 60_000);
    const run = await records([hostEvent('a', 'h'), hostEvent('old', 'h'), hostEvent('b', 'h'), hostEvent('a', 'h'), hostEvent('c', 'h')]);
    const result = await delivery(handled, [], store).deliverRun(run, noWait);
    assert.equal(result.outcome.kind, 'applied');
    assert.deepEqual(handled, [['a', 'b', 'c']], 'one call; the repeat of a and the applied old are skipped');
    assert.deepEqual(result.done, [true, true, true, true, true]);
    assert.equal(await store.has('g:c'), true, 'marked applied');
  });

  it('asks a store that answers for several keys once per run: one hasMany, one claimMany, no per-record call', async () => {
    const calls: string[] = [];
    class CountingStore extends InMemoryIdempotencyStore {
      override has(key: string): Promise<boolean> { calls.push(`has ${key}`); return super.has(key); }
      override claim(key: string, ttlMs: number): Promise<boolean> { calls.push(`claim ${key}`); return super.claim(key, ttlMs); }
      override hasMany(keys: readonly string[]): Promise<boolean[]> { calls.push(`hasMany ${keys.join(',')}`); return super.hasMany(keys); }
      override claimMany(keys: readonly string[], ttlMs: number): Promise<boolean[]> { calls.push(`claimMany ${keys.join(',')}`); return super.claimMany(keys, ttlMs); }
    }
    const store = new CountingStore();
    await store.claimMany(['g:old'], 60_000);
    calls.length = 0;
    const handled: string[][] = [];
    const run = await records([hostEvent('a', 'h'), hostEvent('old', 'h'), hostEvent('b', 'h')]);
    const result = await delivery(handled, [], store).deliverRun(run, noWait);
    assert.equal(result.outcome.kind, 'applied');
    assert.deepEqual(handled, [['a', 'b']], 'the event applied before is skipped');
    assert.deepEqual(calls, ['hasMany g:a,g:old,g:b', 'claimMany g:a,g:b']);
    assert.deepEqual(await store.hasMany(['g:a', 'g:b', 'g:c']), [true, true, false]);
  });

  it('neither checks nor marks the idempotency store for a handler idempotent by itself, but still skips repeats within a run', async () => {
    const handled: string[][] = [];
    const store = new InMemoryIdempotencyStore();
    await store.claim('g:old', 60_000);
    const run = await records([hostEvent('a', 'h'), hostEvent('old', 'h'), hostEvent('a', 'h')]);
    const result = await delivery(handled, [], store, undefined, true).deliverRun(run, noWait);
    assert.equal(result.outcome.kind, 'applied');
    assert.deepEqual(handled, [['a', 'old']], 'old is handled again (the handler makes that harmless); the repeat of a is not');
    assert.equal(await store.has('g:a'), false, 'nothing marked');
    const one = await delivery(handled, [], store, undefined, true).deliver((await records([hostEvent('old', 'h')]))[0], noWait);
    assert.equal(one.kind, 'applied');
    assert.deepEqual(handled.at(-1), ['old']);
  });

  it('dead-letters a poison record alone, reports it done, and hands over the rest', async () => {
    const handled: string[][] = [];
    const letters: string[] = [];
    const run = await records([hostEvent('a', 'h'), hostEvent('b', 'h')]);
    const poison: ConsumedRecord = { ...run[0], offset: '7', value: Buffer.from('not avro') };
    const result = await delivery(handled, letters).deliverRun([run[0], poison, run[1]], noWait);
    assert.equal(result.outcome.kind, 'applied');
    assert.deepEqual(letters, ['7']);
    assert.deepEqual(handled, [['a', 'b']]);
    assert.deepEqual(result.done, [true, true, true]);
  });

  it('falls back to one by one on a fatal failure, so only the refused record is dead-lettered', async () => {
    const handled: string[][] = [];
    const letters: string[] = [];
    const run = await records([hostEvent('a', 'h'), hostEvent('bad', 'h'), hostEvent('c', 'h')]);
    const result = await delivery(handled, letters, new InMemoryIdempotencyStore(), 'bad').deliverRun(run, noWait);
    assert.equal(result.outcome.kind, 'applied');
    assert.deepEqual(handled, [['a'], ['c']]);
    assert.deepEqual(letters, ['1']);
    assert.deepEqual(result.done, [true, true, true]);
  });

  it('reports what was done when the run must be redelivered (a dead-lettered record is not dead-lettered again)', async () => {
    const handled: string[][] = [];
    const letters: string[] = [];
    const failing = new InMemoryIdempotencyStore();
    failing.has = () => Promise.reject(new Error('down'));
    const run = await records([hostEvent('a', 'h')]);
    const poison: ConsumedRecord = { ...run[0], offset: '3', value: Buffer.from('not avro') };
    const result = await delivery(handled, letters, failing).deliverRun([poison, run[0]], noWait);
    assert.equal(result.outcome.kind, 'redeliver');
    assert.deepEqual(result.done, [true, false], 'the poison record is done; the other must come again');
    assert.deepEqual(handled, []);
  });
});
