import { randomUUID } from 'node:crypto';
import { topicNames, deadLetterTopicFor, topicFor } from '@foresight/contracts';
import { InMemoryBroker, InMemoryBus } from '../src/index.js';
import { describeBusContract, type ContractWorld } from './bus-contract.js';

const brokers = new Map<string, InMemoryBroker>();
const brokerOf = (world: ContractWorld): InMemoryBroker => {
  let broker = brokers.get(world.topicPrefix);
  if (broker === undefined) {
    broker = new InMemoryBroker(3);
    brokers.set(world.topicPrefix, broker);
  }
  return broker;
};

describeBusContract('in-memory', {
  eventTimeoutMs: 5_000,
  newWorld: (label) => {
    const id = `${label}-${randomUUID().slice(0, 8)}`;
    return { topicPrefix: `t.${id}.`, groupId: `g.${id}` };
  },
  makeBus: (world, options = {}) => Promise.resolve(new InMemoryBus({ ...options, broker: brokerOf(world), topicPrefix: world.topicPrefix, groupId: world.groupId })),
  injectRaw: (world, topic, value, key) => {
    const broker = brokerOf(world);
    broker.append(topicFor(world.topicPrefix, topic), { key, value, headers: {} });
    broker.notify();
    return Promise.resolve();
  },
  schemaIdOf: (_world, topic) => Promise.resolve(topicNames.indexOf(topic) + 1),
  deadLetters: (world, topic) => Promise.resolve(brokerOf(world).records(deadLetterTopicFor(world.topicPrefix, topic))),
  cleanup: (world) => Promise.resolve(void brokers.delete(world.topicPrefix)),
});
