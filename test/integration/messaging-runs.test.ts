import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { topicFor, type AnomalyEvent } from '@foresight/contracts';
import { KafkaBus, RuntimeError, consumerOf } from '@foresight/messaging';
import { eventually, newTestWorld } from '../support/test-world.js';
import { deadLetterCount, deleteTopicsUnder, rawKafka, stackConnection } from './fixtures/messaging-stack.js';

// handleRun on the real broker: a backlog reaches the handler as runs (of one key, or with runScope `partition` of
// consecutive records of any keys), in order, each record once; a poison record and a record the handler refuses are
// dead-lettered alone while the rest are applied.
const kafka = rawKafka('messaging-runs-test');
const admin = kafka.admin();
after(() => admin.disconnect());

function anomaly(i: number, systemId: string): AnomalyEvent {
  return { eventId: `e${i}`, eventTime: 1_000 + i, systemId, level: 'COMPONENT', subjectId: `vm-${i}`, anomalyType: 'latency', severity: 0.5, state: 'OPEN', detectedAt: 1_000 + i, attributes: {} };
}

describe('KafkaBus runs (handleRun)', () => {
  for (const runScope of ['key', 'partition'] as const) it(`hands a backlog to handleRun (runScope ${runScope}) in per-key order, each record once, and isolates bad records`, { timeout: 120_000 }, async () => {
    const world = newTestWorld(`runs-${runScope}`);
    await admin.connect();
    const bus = await KafkaBus.connect({ connection: stackConnection(`runs-${world.groupId}`), topicPrefix: world.topicPrefix, groupId: world.groupId, partitions: 1 });
    try {
      const systems = ['s1', 's2', 's3'];
      const events = Array.from({ length: 90 }, (_, i) => anomaly(i, systems[i % 3]));
      // e40 is refused by the handler (fatal): its run must fall back to one by one, and only e40 be dead-lettered.
      const refused = 'e40';
      await bus.publish('anomalies', events.slice(0, 45));
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: topicFor(world.topicPrefix, 'anomalies'), messages: [{ key: 's2', value: Buffer.from('not avro') }] });
      await producer.disconnect();
      await bus.publish('anomalies', events.slice(45));

      const handled: string[] = [];
      const runLengths: number[] = [];
      const runKeys: number[] = [];
      const check = (event: AnomalyEvent): void => {
        if (event.eventId === refused) throw new RuntimeError('HANDLER_FATAL', 'refused by the test');
      };
      await bus.startConsumers([consumerOf({
        topic: 'anomalies', keyConcurrency: 3, runScope,
        handle: (event) => {
          check(event);
          handled.push(event.eventId);
          return Promise.resolve();
        },
        handleRun: (batch, contexts) => {
          assert.equal(batch.length, contexts.length);
          if (runScope === 'key') assert.ok(batch.every((e) => e.systemId === batch[0].systemId), 'a run is of one key');
          batch.forEach(check);
          runLengths.push(batch.length);
          runKeys.push(new Set(batch.map((e) => e.systemId)).size);
          handled.push(...batch.map((e) => e.eventId));
          return Promise.resolve();
        },
      })]);
      const expected = events.filter((e) => e.eventId !== refused).map((e) => e.eventId);
      await eventually('every good record handled', () => (handled.length >= expected.length ? true : undefined), 60_000);
      await eventually('two dead letters', async () => ((await deadLetterCount(admin, world.topicPrefix, 'anomalies')) >= 2 ? true : undefined), 30_000);

      assert.deepEqual([...handled].sort(), [...expected].sort(), 'each good record once');
      for (const system of systems) {
        const order = handled.filter((id) => events[Number(id.slice(1))].systemId === system).map((id) => Number(id.slice(1)));
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `records of ${system} in order`);
      }
      assert.ok(runLengths.some((n) => n > 1), `the backlog came as runs (lengths ${runLengths.join(', ')})`);
      if (runScope === 'partition') {
        // Runs span keys and follow one another: the whole partition is handled in offset order.
        assert.deepEqual(handled, expected, 'one partition, handled in offset order');
        assert.ok(runKeys.some((n) => n > 1), `some run spans several keys (${runKeys.join(', ')})`);
      }
      assert.equal(await deadLetterCount(admin, world.topicPrefix, 'anomalies'), 2, 'the poison record and the refused one, nothing else');
    } finally {
      await bus.close();
      await deleteTopicsUnder(admin, world.topicPrefix);
    }
  });
});
