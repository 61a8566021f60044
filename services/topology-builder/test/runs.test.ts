import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowEvent, HostEvent, InventoryEvent, TopicMessages, TopicName } from '@foresight/contracts';
import type { Vm } from '@foresight/core';
import { InMemoryBroker, InMemoryBus, silentLogger, type AnyConsumerDeclaration, type MessageContext, type Publish } from '@foresight/messaging';
import { createTopologyBuilder, type TopologyBuilder, type TopologyBuilderOptions } from '../src/index.js';
import { CountingGraphStore, T0, flow, inventory } from './builder-world.js';

/** A builder whose consumers' handleRun is called directly (the in-memory bus always uses `handle`), counting publishes. */
async function runWorld(options: Partial<TopologyBuilderOptions> = {}, store = new CountingGraphStore()) {
  const bus = new InMemoryBus({ broker: new InMemoryBroker(), topicPrefix: 'runs.', groupId: 'runs.topology-builder' });
  const builder: TopologyBuilder = createTopologyBuilder({ bus, graphStore: store, logger: silentLogger, options });
  await builder.start();
  const published: { topic: TopicName; count: number }[] = [];
  const publish: Publish = (topic, messages) => {
    published.push({ topic, count: messages.length });
    return Promise.resolve();
  };
  const consumer = (topic: TopicName): AnyConsumerDeclaration => {
    const found = builder.consumers.find((c) => c.topic === topic);
    assert.ok(found !== undefined);
    return found;
  };
  /** Hands `messages` to the topic's handleRun as one run of a partition. */
  async function run<N extends 'inventory' | 'hosts' | 'flows'>(topic: N, messages: readonly TopicMessages[N][]): Promise<void> {
    const declaration = consumer(topic);
    assert.equal(declaration.runScope, 'partition', `${topic}: runs span a partition`);
    assert.ok(declaration.handleRun !== undefined, `${topic} has a handleRun`);
    const contexts = messages.map((m, i) => ({ topic, partition: 0, offset: String(i), eventId: m.eventId, attempt: 1, publish }) as unknown as MessageContext);
    await (declaration.handleRun as (m: readonly TopicMessages[N][], c: readonly MessageContext[]) => Promise<void>)(messages, contexts);
  }
  return { store, builder, published, publish, run };
}

const host = (hostId: string, at: number, cpuMillis: number): HostEvent => ({
  eventId: `host-${hostId}-${at}`, eventTime: at, hostId, removed: false, capacity: { cpuMillis, memoryMiB: 1024, networkMbps: 100 },
});

describe('topology builder runs (handleRun)', () => {
  it('writes a run of N inventory events through with one graph-store write and one publish', async () => {
    const world = await runWorld();
    const events: InventoryEvent[] = Array.from({ length: 50 }, (_, i) => inventory(`vm-${i}`, T0 + i));
    await world.run('inventory', events);
    assert.equal(world.store.writes.calls, 1, 'one graph-store write for the run');
    assert.equal(world.store.writes.vms, 50);
    assert.deepEqual(world.published, [{ topic: 'topology-changes', count: 50 }], 'one publish for the run, one change per VM');
    assert.equal(world.builder.unflushed(), 0, 'written through before the run returns');
    assert.equal((await world.store.loadTopology()).vms.length, 50);
    await world.builder.stop();
  });

  it('applies a run in order: the last event of a VM wins, a removal within the run removes it', async () => {
    const world = await runWorld();
    await world.run('inventory', [
      inventory('a', T0, { criticality: 0.1 }), inventory('b', T0), inventory('a', T0 + 1, { criticality: 0.9 }),
      inventory('b', T0 + 2, { removed: true }), inventory('c', T0 + 3),
    ]);
    const stored = await world.store.loadTopology();
    assert.deepEqual(stored.vms.map((v: Vm) => [v.id, v.criticality]), [['a', 0.9], ['c', 0.5]]);
    assert.equal(world.published.length, 1);
    await world.builder.stop();
  });

  it('a run that changes nothing writes nothing', async () => {
    const world = await runWorld();
    await world.run('inventory', [inventory('a', T0), inventory('b', T0)]);
    await world.run('inventory', [inventory('a', T0 + 1), inventory('b', T0 + 1)]);
    assert.equal(world.store.writes.calls, 1);
    assert.equal(world.published.length, 1);
    await world.builder.stop();
  });

  it('writes a run of host events through once', async () => {
    const world = await runWorld();
    await world.run('hosts', [host('h1', T0, 1000), host('h2', T0, 2000), host('h1', T0 + 1, 3000)]);
    assert.equal(world.store.writes.calls, 1);
    assert.equal(world.store.writes.hosts, 2);
    assert.deepEqual((await world.store.loadTopology()).hosts.map((h) => [h.hostId, h.capacity.cpuMillis]), [['h1', 3000], ['h2', 2000]]);
    await world.builder.stop();
  });

  it('folds a run of flows and flushes once after it when due', async () => {
    const world = await runWorld({ flushIntervalMs: 60_000, batchSize: 3 });
    await world.run('inventory', [inventory('a', T0)]);
    const before = world.store.writes.calls;
    const flows: FlowEvent[] = [flow('a', 'b', T0), flow('a', 'c', T0), flow('a', 'd', T0), flow('a', 'e', T0), flow('a', 'b', T0 + 1)];
    await world.run('flows', flows);
    assert.equal(world.store.writes.calls - before, 1, 'one pathway write for the run, though the batch size was reached within it');
    assert.equal(world.store.writes.pathways, 4);
    await world.builder.stop();
  });

  it('a run redelivered after its write failed is written through then', async () => {
    const store = new (class extends CountingGraphStore {
      failNext = true;
      override upsertVms(vms: readonly Vm[]): Promise<void> {
        if (this.failNext) {
          this.failNext = false;
          return Promise.reject(new Error('neo4j unavailable'));
        }
        return super.upsertVms(vms);
      }
    })();
    const world = await runWorld({}, store);
    const events = [inventory('a', T0), inventory('b', T0)];
    await assert.rejects(world.run('inventory', events), /neo4j unavailable/);
    assert.equal((await store.loadTopology()).vms.length, 0);
    // The runtime retries the same run: its events change nothing now (held in memory), yet they are written through.
    await world.run('inventory', events);
    assert.deepEqual((await store.loadTopology()).vms.map((v) => v.id), ['a', 'b']);
    assert.equal(world.builder.unflushed(), 0);
    assert.equal(world.published.length, 1);
    await world.builder.stop();
  });
});
