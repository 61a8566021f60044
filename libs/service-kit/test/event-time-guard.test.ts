import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostEvent } from '@foresight/contracts/testing';
import { InMemoryBroker, InMemoryBus, consumerOf, type DeadLettered } from '@foresight/messaging';
import { boundEventTimes, eventTimeBoundsSettings, readConfig } from '../src/index.js';

const NOW = 1_767_225_600_000;
const MINUTE = 60_000;

describe('event-time guard on consumers', () => {
  it('dead-letters a message dated beyond the window around the injected clock, with its reason, and applies the next one', async () => {
    const letters: DeadLettered[] = [];
    const bus = new InMemoryBus({ broker: new InMemoryBroker(1), topicPrefix: 't.event-time.', groupId: 'g', autoDeliver: false, onDeadLetter: (l) => letters.push(l) });
    const handled: string[] = [];
    let clock = NOW;
    const consumers = [consumerOf({ topic: 'hosts', handle: (m) => Promise.resolve(void handled.push(m.eventId)) })];
    await bus.startConsumers(boundEventTimes(consumers, { maxFutureMs: 5 * MINUTE, maxAgeMs: 0 }, () => clock));
    await bus.publish('hosts', [
      { ...hostEvent('future'), eventTime: NOW + 10 * 365 * 24 * 60 * MINUTE },
      { ...hostEvent('edge'), eventTime: NOW + 5 * MINUTE },
      { ...hostEvent('old'), eventTime: NOW - 7 * 24 * 60 * MINUTE },
    ]);
    await bus.drain();
    assert.deepEqual(handled, ['edge', 'old']);
    const [letter] = bus.deadLetters('hosts');
    assert.equal(bus.deadLetters('hosts').length, 1);
    assert.equal(letter.headers['x-dlq-code'], 'EVENT_TIME_OUT_OF_BOUNDS');
    assert.match(letter.headers['x-dlq-reason'], /^hosts: \$\.eventTime \d+ \(2035-.*\) is \d+ ms ahead of the consumer's clock 1767225600000 .*at most 300000 ms ahead/);
    assert.deepEqual(letters.map((l) => l.code), ['EVENT_TIME_OUT_OF_BOUNDS']);
    // The clock is the consumer's: once it has moved on, the same time is accepted.
    clock = NOW + 10 * 365 * 24 * 60 * MINUTE;
    await bus.publish('hosts', [{ ...hostEvent('later'), eventTime: clock + MINUTE }]);
    await bus.drain();
    assert.deepEqual(handled, ['edge', 'old', 'later']);
    await bus.close();
  });

  it('fails a run (handleRun) holding an out-of-window record as a whole (the runtime then delivers its records one by one)', async () => {
    const declaration = consumerOf({
      topic: 'hosts', keyConcurrency: 4,
      handle: () => Promise.resolve(),
      handleRun: () => Promise.resolve(),
    });
    const [guarded] = boundEventTimes([declaration], { maxFutureMs: MINUTE, maxAgeMs: 0 }, () => NOW) as unknown as [{
      handleRun(messages: readonly unknown[], contexts: readonly unknown[]): Promise<void>;
    }];
    const run = (messages: readonly unknown[], contexts: readonly unknown[]): Promise<void> => guarded.handleRun(messages, contexts);
    await run([{ ...hostEvent('a'), eventTime: NOW }], [{}]);
    await assert.rejects(run([{ ...hostEvent('a'), eventTime: NOW }, { ...hostEvent('b'), eventTime: NOW + 2 * MINUTE }], [{}, {}]), { code: 'EVENT_TIME_OUT_OF_BOUNDS' });
  });

  it('reads FORESIGHT_MAX_EVENT_FUTURE (default 5m) and FORESIGHT_MAX_EVENT_AGE (default 0: off); 0 turns the guard off', () => {
    assert.deepEqual(readConfig({}, { b: eventTimeBoundsSettings() }).b, { maxFutureMs: 5 * MINUTE, maxAgeMs: 0 });
    assert.deepEqual(readConfig({ FORESIGHT_MAX_EVENT_FUTURE: '30s', FORESIGHT_MAX_EVENT_AGE: '7d' }, { b: eventTimeBoundsSettings() }).b, { maxFutureMs: 30_000, maxAgeMs: 7 * 24 * 60 * MINUTE });
    assert.throws(() => readConfig({ FORESIGHT_MAX_EVENT_FUTURE: 'soon' }, { b: eventTimeBoundsSettings() }), /FORESIGHT_MAX_EVENT_FUTURE/);
    const consumers = [consumerOf({ topic: 'hosts', handle: () => Promise.resolve() })];
    assert.equal(boundEventTimes(consumers, { maxFutureMs: 0, maxAgeMs: 0 })[0], consumers[0]);
  });
});
