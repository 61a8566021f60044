import { after, before } from 'node:test';
import { deadLetterTopicFor, topicFor } from '@foresight/contracts';
import { KafkaBus, SchemaRegistryClient, RegistrySchemaCatalog } from '@foresight/messaging';
import { describeBusContract, type ContractWorld, type DeadLetterView } from '@foresight/messaging/contract';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { newTestWorld } from '../support/test-world.js';
import { deleteTopicsUnder, rawKafka, stackConnection } from './fixtures/messaging-stack.js';

const kafka = rawKafka('messaging-kafka-test');
let admin: Admin;
let producer: Producer;
const readers = new Map<string, { consumer: Consumer; letters: DeadLetterView[] }>();

before(async () => {
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
});

after(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
});

describeBusContract('kafka', {
  eventTimeoutMs: 30_000,
  newWorld: (label) => newTestWorld(`msg-${label}`),
  makeBus: (world, options = {}) => KafkaBus.connect({
    ...options, connection: stackConnection(`contract-${world.groupId}`), topicPrefix: world.topicPrefix, groupId: world.groupId, partitions: 3,
  }),
  injectRaw: async (world, topic, value, key) => {
    await producer.send({ topic: topicFor(world.topicPrefix, topic), messages: [{ key, value }] });
  },
  schemaIdOf: (world, topic) => new RegistrySchemaCatalog(new SchemaRegistryClient(stackConnection('x').registry), world.topicPrefix).schemaIdOf(topic),
  deadLetters: async (world, topic) => {
    const dlq = deadLetterTopicFor(world.topicPrefix, topic);
    let reader = readers.get(dlq);
    if (reader === undefined) {
      const letters: DeadLetterView[] = [];
      const consumer = kafka.consumer({ groupId: `${world.groupId}.dlq-reader`, maxWaitTimeInMs: 500 });
      reader = { consumer, letters };
      readers.set(dlq, reader);
      await consumer.connect();
      await consumer.subscribe({ topic: dlq, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = String(value);
          letters.push({ key: message.key?.toString('utf8'), value: message.value, headers });
          return Promise.resolve();
        },
      });
    }
    return reader.letters;
  },
  cleanup: async (world: ContractWorld) => {
    for (const [topic, reader] of readers) {
      if (!topic.startsWith(world.topicPrefix)) continue;
      await reader.consumer.disconnect();
      readers.delete(topic);
    }
    await deleteTopicsUnder(admin, world.topicPrefix);
  },
});
