// Issue 16, finding 2: a record near the broker's size limit fits, but its dead-letter copy (with the dead-letter
// headers) does not. The runtime must dead-letter it in a reduced form (coordinates, reason, size, a prefix of the
// payload) instead of retrying the refused write forever, so the valid record behind it is handled.
// The topic and its .dlq are created with a small max.message.bytes so the test is cheap (the broker's own limit, set
// by infra/stack.sh, is the default ~1 MiB and stays as it is).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { deadLetterTopicFor, topicFor } from '@foresight/contracts';
import { hostEvent } from '@foresight/contracts/testing';
import { DEAD_LETTER_HEADERS, KafkaBus, REDUCED_DEAD_LETTER_HEADERS, consumerOf, type ConsumerLag, type DeadLettered } from '@foresight/messaging';
import type { KafkaMessage } from 'kafkajs';
import { eventually, newTestWorld } from '../support/test-world.js';
import { deleteTopicsUnder, rawKafka, stackConnection } from './fixtures/messaging-stack.js';

const world = newTestWorld('dlq-size');
const kafka = rawKafka(`dlq-size-${world.id}`);
const LIMIT = 16_384;
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  const admin = kafka.admin();
  await admin.connect();
  await deleteTopicsUnder(admin, world.topicPrefix);
  await admin.disconnect();
});

test('a record at the size limit whose dead-letter copy is too large is dead-lettered reduced, and the record behind it is handled', { timeout: 120_000 }, async () => {
  const topic = topicFor(world.topicPrefix, 'hosts');
  const dlq = deadLetterTopicFor(world.topicPrefix, 'hosts');
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  await admin.createTopics({
    waitForLeaders: true,
    topics: [topic, dlq].map((name) => ({ topic: name, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }] })),
  });

  // The poison: bytes that are not Avro, as large as the topic accepts (a record batch adds ~80 bytes of framing).
  const producer = kafka.producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const poison = randomBytes(LIMIT - 200);
  poison[0] = 0x7f; // not the registry's magic byte: NOT_AVRO
  await producer.send({ topic, acks: -1, messages: [{ key: 'vm-poison', value: poison, headers: { 'x-probe': 'size-limit' } }] });
  const [{ offset: poisonOffset, timestamp: poisonTimestamp }] = await firstRecords(topic, 1);

  const lags: ConsumerLag[] = [];
  const letters: DeadLettered[] = [];
  const bus = await KafkaBus.connect({
    connection: stackConnection(`dlq-size-${world.id}`), topicPrefix: world.topicPrefix, groupId: world.groupId, partitions: 1, topics: ['hosts'],
    onConsumerLag: (lag) => lags.push(lag), onDeadLetter: (letter) => letters.push(letter),
    retry: { maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 100, multiplier: 2 },
  });
  cleanups.push(() => bus.close());
  const valid = hostEvent('after-poison', 'h-valid');
  await bus.publish('hosts', [valid]);

  const handled: string[] = [];
  await bus.startConsumers([consumerOf({ topic: 'hosts', handle: (message) => {
    handled.push(message.eventId);
    return Promise.resolve();
  } })]);

  await eventually('the valid record behind the poison handled', () => (handled.includes(valid.eventId) ? true : undefined), 30_000);
  assert.deepEqual(handled, [valid.eventId]);
  assert.deepEqual(letters.map((l) => l.code), ['NOT_AVRO'], 'the dead letter is counted once, with its reason');

  const [letter] = await firstRecords(dlq, 1);
  const headers = stringHeaders(letter);
  assert.equal(letter.key?.toString('utf8'), 'vm-poison', 'the key is kept');
  assert.equal(headers[DEAD_LETTER_HEADERS.code], 'NOT_AVRO');
  assert.ok((headers[DEAD_LETTER_HEADERS.reason] ?? '').length > 0, 'the reason is kept');
  assert.equal(headers[DEAD_LETTER_HEADERS.originalTopic], topic);
  assert.equal(headers[DEAD_LETTER_HEADERS.originalPartition], '0');
  assert.equal(headers[DEAD_LETTER_HEADERS.originalOffset], poisonOffset);
  assert.equal(headers[DEAD_LETTER_HEADERS.groupId], world.groupId);
  assert.equal(headers[REDUCED_DEAD_LETTER_HEADERS.originalTimestamp], new Date(Number(poisonTimestamp)).toISOString());
  assert.equal(headers[REDUCED_DEAD_LETTER_HEADERS.originalSize], String(poison.length));
  assert.match(headers[REDUCED_DEAD_LETTER_HEADERS.reduced] ?? '', /larger than the max message size/);
  assert.equal(headers['x-probe'], undefined, "the original's own headers are dropped");
  const kept = Number(headers[REDUCED_DEAD_LETTER_HEADERS.payloadKept]);
  assert.ok(kept > poison.length / 2, `most of the payload is kept (${kept} of ${poison.length} bytes)`);
  assert.deepEqual(letter.value, poison.subarray(0, kept), 'the kept payload is the original value\'s first bytes');

  await eventually('the lag back to 0', () => (lags.at(-1)?.behind === 0 ? true : undefined));
});

/** The first `count` records of a one-partition topic, read by a throwaway group. */
async function firstRecords(topicName: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `${world.groupId}.reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    const records: KafkaMessage[] = [];
    await consumer.subscribe({ topic: topicName, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => {
      records.push(message);
      return Promise.resolve();
    } });
    await eventually(`${count} record(s) on ${topicName}`, () => (records.length >= count ? true : undefined), 30_000);
    return records.slice(0, count);
  } finally {
    await consumer.disconnect();
  }
}

function stringHeaders(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = String(value);
  return headers;
}
