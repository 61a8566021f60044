import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { TopologyChangeEvent } from '@foresight/contracts';
import { InMemoryBroker, InMemoryBus, consumerOf, silentLogger } from '@foresight/messaging';
import { createTopologyBuilder, type TopologyBuilder } from '../src/index.js';
import { CountingGraphStore, T0, flow, inventory } from './builder-world.js';

const MINUTE = 60_000;
const OPTIONS = { halfLifeMs: MINUTE, staleAfterMs: 5 * MINUTE, flushIntervalMs: 1_000, sweepIntervalMs: 10_000, lastSeenRefreshMs: MINUTE };

/** Builder instances of one group on one broker and one graph store, as separate processes would be. */
function fleetOfBuilders() {
  const broker = new InMemoryBroker();
  const prefix = `t${randomUUID().slice(0, 8)}.`;
  const store = new CountingGraphStore();
  const producer = new InMemoryBus({ broker, topicPrefix: prefix });
  const observer = new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'observer' });
  const changes: TopologyChangeEvent[] = [];
  const instances: { bus: InMemoryBus; builder: TopologyBuilder }[] = [];
  return {
    store, changes, producer,
    async start(): Promise<{ bus: InMemoryBus; builder: TopologyBuilder }> {
      if (instances.length === 0) await observer.startConsumers([consumerOf({ topic: 'topology-changes', handle: (m) => Promise.resolve(void changes.push(m)) })]);
      const bus = new InMemoryBus({ broker, topicPrefix: prefix, groupId: `${prefix}topology-builder`, retry: { maxAttempts: 1 } });
      const builder = createTopologyBuilder({ bus, graphStore: store, logger: silentLogger, options: OPTIONS });
      await builder.start();
      await bus.startConsumers(builder.consumers);
      const instance = { bus, builder };
      instances.push(instance);
      return instance;
    },
    async stop(instance: { bus: InMemoryBus; builder: TopologyBuilder }): Promise<void> {
      await instance.builder.stop();
      await instance.bus.close();
      instances.splice(instances.indexOf(instance), 1);
    },
    async settle(): Promise<void> {
      for (let i = 0; i < 3; i++) {
        for (const { bus } of instances) await bus.drain();
        await observer.drain();
      }
    },
    async close(): Promise<void> {
      for (const instance of [...instances]) await this.stop(instance);
      await Promise.all([producer.close(), observer.close()]);
    },
  };
}

const SOURCES = Array.from({ length: 12 }, (_, i) => `vm-${i}`);

type Fleet = ReturnType<typeof fleetOfBuilders>;
type Instance = Awaited<ReturnType<Fleet['start']>>;

/** The `sources`' flows to `db` observed every 2 minutes up to `minutes` (at `callsPerSec`), each instance ticking after. */
async function keepAlive(fleet: Fleet, instances: readonly Instance[], sources: readonly string[], minutes: number, callsPerSec = 100): Promise<void> {
  for (let minute = 2; minute <= minutes; minute += 2) {
    const at = T0 + minute * MINUTE;
    await fleet.producer.publish('flows', sources.map((s) => flow(s, 'db', at, { callsPerSec })));
    await fleet.settle();
    for (const { builder } of instances) await builder.tick(at + 1_000);
    await fleet.settle();
  }
}

/** Two instances, SOURCES and `db` inventoried, each source's flow to `db` observed at T0 and flushed by its owner. */
async function twoBuildersObservingSources() {
  const fleet = fleetOfBuilders();
  const a = await fleet.start();
  const b = await fleet.start();
  await fleet.producer.publish('inventory', [...SOURCES, 'db'].map((vm) => inventory(vm, T0)));
  await fleet.producer.publish('flows', SOURCES.map((s) => flow(s, 'db', T0)));
  await fleet.settle();
  for (const { builder } of [a, b]) await builder.tick(T0 + 1_000);
  await fleet.settle();
  return { fleet, a, b };
}

describe('topology builder, two instances', () => {
  it('an instance ages only the pathways whose flows it is assigned: another instance\'s live pathways are never faded or removed', async () => {
    const { fleet, a, b } = await twoBuildersObservingSources();
    assert.equal((await fleet.store.loadTopology()).pathways.length, SOURCES.length);
    const ownedByB = SOURCES.filter((s) => b.bus.keyOwnership('flows').owns(s));
    assert.ok(ownedByB.length > 0 && ownedByB.length < SOURCES.length, `b owns ${ownedByB.length} of ${SOURCES.length}`);

    // A restarts: it now holds every stored pathway, B's included. B keeps observing its pathways every 2 minutes.
    await fleet.stop(a);
    const a2 = await fleet.start();
    assert.equal(a2.builder.counts().pathways, SOURCES.length, 'the restarted instance loads the whole graph');
    await keepAlive(fleet, [a2, b], ownedByB, 12);
    // A's own pathways went unobserved for 12 minutes (> 5 stale): removed, by A. B's are alive and never touched by A.
    const stored = new Set((await fleet.store.loadTopology()).pathways.map((p) => p.source));
    assert.deepEqual([...stored].sort(), [...ownedByB].sort());
    const removedSources = new Set(fleet.changes.flatMap((c) => (c.pathways.some((p) => p.removed) ? [c.vmId] : [])));
    for (const s of ownedByB) assert.ok(!removedSources.has(s), `${s}'s pathway was removed though its flows never stopped`);
    assert.equal(removedSources.size, SOURCES.length - ownedByB.length);
    await fleet.close();
  });

  it('after a failover the survivor refreshes its old copies from the store: pathways the other kept alive are not removed', async () => {
    const { fleet, a, b } = await twoBuildersObservingSources();
    // A restarts and holds copies of B's pathways as of T0; B then keeps them alive for 10 minutes.
    await fleet.stop(a);
    const a2 = await fleet.start();
    const ownedByB = SOURCES.filter((s) => b.bus.keyOwnership('flows').owns(s));
    await keepAlive(fleet, [a2, b], ownedByB, 10);
    const removalsBefore = fleet.changes.filter((c) => c.pathways.some((p) => p.removed)).length;
    // B dies; A takes over every key. Two minutes later B's pathways are 2 minutes old, not stale.
    await fleet.stop(b);
    await a2.builder.tick(T0 + 10 * MINUTE + 2_000);
    await a2.builder.tick(T0 + 12 * MINUTE);
    await fleet.settle();
    const stored = new Set((await fleet.store.loadTopology()).pathways.map((p) => p.source));
    for (const s of ownedByB) assert.ok(stored.has(s), `${s}'s live pathway was removed by the survivor`);
    const removedSince = fleet.changes.filter((c) => c.pathways.some((p) => p.removed)).slice(removalsBefore).map((c) => c.vmId);
    assert.deepEqual(removedSince.filter((vm) => ownedByB.includes(vm)), []);
    await fleet.close();
  });

  it('after a failover the survivor refreshes before it applies the first event of a gained key, not at its next tick', async () => {
    const { fleet, a, b } = await twoBuildersObservingSources();
    await fleet.stop(a);
    const a2 = await fleet.start();
    const ownedByB = SOURCES.filter((s) => b.bus.keyOwnership('flows').owns(s));
    // B keeps its pathways alive with a new rate (40 calls/s): A2's copies still say 100 as of T0.
    await keepAlive(fleet, [a2, b], ownedByB, 10, 40);
    await fleet.stop(b);
    // The next window of B's sources reaches A2 before any tick: the same rate, so nothing meaningful changed. (Within
    // the sweep interval of the last tick, so no sweep fades pathways whose windows are still in flight.)
    const writesBefore = fleet.store.writes.pathways;
    await fleet.producer.publish('flows', ownedByB.map((s) => flow(s, 'db', T0 + 10 * MINUTE + 5_000, { callsPerSec: 40 })));
    await fleet.settle();
    await a2.builder.tick(T0 + 10 * MINUTE + 6_000);
    await fleet.settle();
    assert.equal(fleet.store.writes.pathways - writesBefore, 0, 'pathways were rewritten from a stale baseline');
    await fleet.close();
  });

  it('after a failover the survivor takes what the other wrote from the store, and ages it', async () => {
    const fleet = fleetOfBuilders();
    const a = await fleet.start();
    const b = await fleet.start();
    await fleet.producer.publish('inventory', [inventory('db', T0)]);
    await fleet.settle();
    for (const { builder } of [a, b]) await builder.tick(T0 + 1_000);
    await fleet.settle();
    // VMs that B alone inventories and observes once both run: written by B, never seen by A.
    const late = Array.from({ length: 12 }, (_, i) => `late-${i}`).filter((vm) => b.bus.keyOwnership('flows').owns(vm));
    assert.ok(late.length > 0);
    await fleet.producer.publish('inventory', late.map((vm) => inventory(vm, T0 + 2_000)));
    await fleet.producer.publish('flows', late.map((vm) => flow(vm, 'db', T0 + 2_000)));
    await fleet.settle();
    for (const { builder } of [a, b]) await builder.tick(T0 + 4_000);
    await fleet.settle();
    assert.equal((await fleet.store.loadTopology()).pathways.length, late.length, 'B wrote its pathways');
    assert.equal(a.builder.counts().pathways, 0, 'A does not hold them');

    await fleet.stop(b);
    await a.builder.tick(T0 + 5_000);
    await fleet.settle();
    assert.equal(a.builder.counts().pathways, late.length, 'the survivor holds them after the rebalance');
    assert.equal(a.builder.counts().vms, late.length + 1);
    // Nothing is observed any more: once stale, the survivor removes them and publishes the removals.
    await a.builder.tick(T0 + 8 * MINUTE);
    await fleet.settle();
    assert.equal((await fleet.store.loadTopology()).pathways.length, 0);
    const removedSources = new Set(fleet.changes.flatMap((c) => (c.pathways.some((p) => p.removed) ? [c.vmId] : [])));
    assert.deepEqual([...removedSources].sort(), [...late].sort());
    await fleet.close();
  });
});
