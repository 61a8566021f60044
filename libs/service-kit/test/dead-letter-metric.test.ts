import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostEvent } from '@foresight/contracts/testing';
import { InMemoryBroker, InMemoryBus, RuntimeError, consumerOf } from '@foresight/messaging';
import { startTelemetry } from '../src/index.js';

/** The value of foresight.messages.dead_lettered for one topic and reason in a /metrics scrape (0 when absent). */
function deadLettered(scrape: string, topic: string, reason: string): number {
  const line = scrape.split('\n').find((l) => l.startsWith('foresight_messages_dead_lettered') && l.includes(`topic="${topic}"`) && l.includes(`reason="${reason}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('foresight.messages.dead_lettered', () => {
  it('counts a record refused before any handler (malformed) and a handler\'s poison, by topic and reason', async () => {
    const telemetry = startTelemetry({ serviceName: 'dead-letter-metric-test' });
    try {
      const bus = new InMemoryBus({
        broker: new InMemoryBroker(1), topicPrefix: 't.dlq-metric.', groupId: 'g', autoDeliver: false,
        onDeadLetter: (letter) => telemetry.instruments.recordDeadLetter(letter),
      });
      const handled: string[] = [];
      await bus.startConsumers([consumerOf({ topic: 'hosts', handle: (m) => {
        if (m.eventId === 'poison') return Promise.reject(new RuntimeError('HANDLER_FATAL', 'cannot apply this host'));
        handled.push(m.eventId);
        return Promise.resolve();
      } })]);
      bus.injectRaw('hosts', Buffer.from('{"definitely":"json"}'), { key: 'h-1' });
      bus.injectRaw('hosts', null, { key: 'h-1' });
      await bus.publish('hosts', [hostEvent('poison'), hostEvent('fine')]);
      await bus.drain();
      assert.deepEqual(handled, ['fine']);
      assert.equal(bus.deadLetters('hosts').length, 3);
      const scrape = await telemetry.metrics.scrape();
      assert.equal(deadLettered(scrape, 'hosts', 'NOT_AVRO'), 2, scrape);
      assert.equal(deadLettered(scrape, 'hosts', 'HANDLER_FATAL'), 1, scrape);
      await bus.close();
    } finally {
      await telemetry.shutdown();
    }
  });
});
