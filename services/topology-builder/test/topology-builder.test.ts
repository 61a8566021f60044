import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0, builderWorld, flow, inventory } from './builder-world.js';

const MINUTE = 60_000;

describe('topology builder', () => {
  it('decays a pathway that is no longer observed and removes it once stale, by event time', async () => {
    const world = await builderWorld({ halfLifeMs: MINUTE, staleAfterMs: 5 * MINUTE, flushIntervalMs: 1_000, sweepIntervalMs: 10_000, lastSeenRefreshMs: 60 * MINUTE });
    await world.publish('inventory', [inventory('a', T0), inventory('b', T0)]);
    await world.publish('flows', [flow('a', 'b', T0, { callsPerSec: 100, bandwidthMbps: 10, latencyP99Ms: 20 })]);
    await world.settle();
    await world.builder.tick(T0 + 1_000);
    await world.settle();
    let stored = (await world.store.loadTopology()).pathways;
    assert.equal(stored.length, 1);
    // Written at T0 (with the inventory) or at T0 + 1 s (faded by 2^(-1/60)): within 1.2% of 100 either way.
    assert.ok(Math.abs(stored[0].features.callsPerSec - 100) < 1.2);

    // One half-life later, unobserved: the traffic volume has halved, the latency has not.
    await world.builder.tick(T0 + MINUTE);
    await world.settle();
    stored = (await world.store.loadTopology()).pathways;
    assert.ok(Math.abs(stored[0].features.callsPerSec - 50) < 1e-6);
    assert.ok(Math.abs(stored[0].features.bandwidthMbps - 5) < 1e-6);
    assert.equal(stored[0].features.latencyP99Ms, 20);
    const faded = world.changes.at(-1)?.pathways[0];
    assert.equal(faded?.removed, false);
    assert.ok(Math.abs((faded?.callsPerSec ?? 0) - 50) < 1e-6);

    // Not seen for longer than staleAfter: removed from the store, and a removal delta is published.
    await world.builder.tick(T0 + 5 * MINUTE + 1);
    await world.settle();
    assert.equal((await world.store.loadTopology()).pathways.length, 0);
    assert.equal(world.store.writes.pathwayRemovals, 1);
    const removal = world.changes.at(-1);
    assert.equal(removal?.vmId, 'a');
    assert.equal(removal?.pathways[0]?.target, 'b');
    assert.equal(removal?.pathways[0]?.removed, true);
    assert.equal(world.builder.counts().pathways, 0);
    await world.close();
  });

  it('weights observations by a half-life: a recent window counts more than an old one', async () => {
    const world = await builderWorld({ halfLifeMs: MINUTE, flushIntervalMs: 1_000, lastSeenRefreshMs: 60 * MINUTE });
    await world.publish('inventory', [inventory('a', T0), inventory('b', T0)]);
    await world.publish('flows', [flow('a', 'b', T0, { latencyP50Ms: 10 }), flow('a', 'b', T0 + MINUTE, { latencyP50Ms: 40 })]);
    await world.settle();
    await world.builder.tick(T0 + MINUTE);
    await world.settle();
    const [p] = (await world.store.loadTopology()).pathways;
    // Weights 1/2 (one half-life old) and 1: (10·0.5 + 40) / 1.5 = 30.
    assert.ok(Math.abs(p.features.latencyP50Ms - 30) < 1e-9);
    await world.close();
  });

  it('writes only meaningful changes, coalescing flow windows within a flush interval', async () => {
    const world = await builderWorld({ halfLifeMs: 60 * MINUTE, flushIntervalMs: MINUTE, sweepIntervalMs: 60 * MINUTE, relativeChange: 0.1, lastSeenRefreshMs: 600 * MINUTE });
    await world.publish('inventory', [inventory('a', T0), inventory('b', T0)]);
    await world.settle();
    await world.publish('inventory', [inventory('a', T0 + 1)]);
    await world.settle();
    assert.equal(world.store.writes.vms, 2, 'an unchanged inventory event is not written');

    // Ten windows within one flush interval: one row.
    const noisy = (i: number): number => 100 * (1 + (i % 2 === 0 ? 0.02 : -0.02));
    await world.publish('flows', Array.from({ length: 10 }, (_, i) => flow('a', 'b', T0 + i * 1_000, { callsPerSec: noisy(i) })));
    await world.settle();
    assert.equal(world.store.writes.pathways, 0, 'coalesced until the flush interval');
    await world.builder.tick(T0 + MINUTE);
    await world.settle();
    assert.equal(world.store.writes.pathways, 1);

    // Twenty more minutes of ±2% noise: nothing meaningful, nothing written.
    for (let m = 1; m <= 20; m++) {
      await world.publish('flows', [flow('a', 'b', T0 + m * MINUTE, { callsPerSec: noisy(m) })]);
      await world.settle();
      await world.builder.tick(T0 + m * MINUTE + 1);
      await world.settle();
    }
    assert.equal(world.store.writes.pathways, 1);

    // Traffic doubles: the decayed mean moves by more than 10% within a few windows, and is written once.
    for (let m = 21; m <= 30; m++) {
      await world.publish('flows', [flow('a', 'b', T0 + m * MINUTE, { callsPerSec: 200 })]);
      await world.settle();
      await world.builder.tick(T0 + m * MINUTE + 1);
      await world.settle();
    }
    // NOTE: read through a function: assert.equal above narrowed the property to the literal 1.
    const written = ((): number => world.store.writes.pathways)();
    assert.ok(written >= 2 && written <= 4, `wrote ${written}`);
    const published = world.changes.flatMap((c) => c.pathways);
    assert.equal(published.length, written, 'every write is published once, nothing else');
    await world.close();
  });

  it('flushes as soon as the batch size is reached', async () => {
    const world = await builderWorld({ flushIntervalMs: 60 * MINUTE, batchSize: 3 });
    await world.publish('inventory', [inventory('a', T0)]);
    // NOTE: the inventory's own flush first: one in flight when the flows arrive would take the pending ones with it.
    await world.settle();
    await world.publish('flows', [flow('a', 'b', T0), flow('a', 'c', T0)]);
    await world.settle();
    assert.equal(world.store.writes.pathways, 0);
    await world.publish('flows', [flow('a', 'd', T0)]);
    await world.settle();
    assert.equal(world.store.writes.pathways, 3);
    assert.equal(world.store.writes.calls, 2, 'one VM write, one batched pathway write');
    await world.close();
  });

  it('publishes compact deltas: VM state with its changed pathways, a source announced when it arrives, removals', async () => {
    const world = await builderWorld({ flushIntervalMs: 1_000 });
    await world.publish('inventory', [inventory('a', T0), inventory('b', T0)]);
    await world.settle();
    assert.deepEqual(world.changes.map((c) => [c.vmId, c.vm?.hostId, c.pathways.length]), [['a', 'h-a', 0], ['b', 'h-b', 0]]);

    // c is not in the inventory yet: its pathway is stored but not published.
    await world.publish('flows', [flow('a', 'b', T0 + 500), flow('c', 'a', T0 + 500)]);
    await world.settle();
    await world.builder.tick(T0 + 1_000);
    await world.settle();
    assert.equal(world.store.writes.pathways, 2);
    const flushed = world.changes.slice(2);
    assert.deepEqual(flushed.map((c) => [c.vmId, c.vm, c.pathways.map((p) => p.target)]), [['a', null, ['b']]]);

    // c arrives: its message carries its state and announces c → a.
    await world.publish('inventory', [inventory('c', T0 + 2_000)]);
    await world.settle();
    const arrival = world.changes.at(-1);
    assert.equal(arrival?.vmId, 'c');
    assert.equal(arrival?.vm?.groupId, 'g');
    assert.deepEqual(arrival?.pathways.map((p) => [p.target, p.kind, p.removed]), [['a', 'API_CALL', false]]);
    assert.equal(world.store.writes.pathways, 2, 'the announcement is not written again');

    // b is removed: one message, and its pathways go with it (store and builder).
    await world.publish('inventory', [inventory('b', T0 + 3_000, { removed: true })]);
    await world.settle();
    const removal = world.changes.at(-1);
    assert.deepEqual([removal?.vmId, removal?.vmRemoved, removal?.vm, removal?.pathways.length], ['b', true, null, 0]);
    const stored = await world.store.loadTopology();
    assert.deepEqual(stored.vms.map((v) => v.id), ['a', 'c']);
    assert.deepEqual(stored.pathways.map((p) => `${p.source}->${p.target}`), ['c->a']);
    assert.ok(world.changes.every((c, i) => i === 0 || c.topologyVersion >= world.changes[i - 1].topologyVersion));
    await world.close();
  });

  it('ignores a flow from a VM to itself', async () => {
    const world = await builderWorld({ flushIntervalMs: 1_000 });
    await world.publish('inventory', [inventory('a', T0)]);
    await world.publish('flows', [flow('a', 'a', T0)]);
    await world.settle();
    await world.builder.tick(T0 + 2_000);
    await world.settle();
    assert.equal(world.store.writes.pathways, 0);
    assert.equal(world.changes.length, 1);
    await world.close();
  });

  it('resumes after a restart: loads the stored graph and keeps decaying and removing it', async () => {
    const options = { halfLifeMs: MINUTE, staleAfterMs: 5 * MINUTE, flushIntervalMs: 1_000, sweepIntervalMs: 10_000 };
    const first = await builderWorld(options);
    await first.publish('inventory', [inventory('a', T0), inventory('b', T0)]);
    await first.publish('flows', [flow('a', 'b', T0)]);
    await first.settle();
    await first.builder.tick(T0 + 1_000);
    await first.settle();
    const second = await first.restart();
    assert.deepEqual(second.builder.counts(), { vms: 2, hosts: 0, pathways: 1, pendingPathways: 0 });
    await second.builder.tick(T0 + 6 * MINUTE);
    await second.settle();
    assert.equal((await second.store.loadTopology()).pathways.length, 0);
    assert.equal(second.changes.at(-1)?.pathways[0]?.removed, true);
    await second.close();
  });

  it('writes host capacities through, a removed host as zero capacity', async () => {
    const world = await builderWorld();
    const capacity = { cpuMillis: 8000, memoryMiB: 16_384, networkMbps: 1000 };
    await world.publish('hosts', [{ eventId: 'h1', eventTime: T0, hostId: 'h-a', removed: false, capacity }]);
    await world.publish('hosts', [{ eventId: 'h2', eventTime: T0 + 1, hostId: 'h-a', removed: false, capacity }]);
    await world.settle();
    assert.equal(world.store.writes.hosts, 1);
    await world.publish('hosts', [{ eventId: 'h3', eventTime: T0 + 2, hostId: 'h-a', removed: true, capacity }]);
    await world.settle();
    assert.deepEqual((await world.store.loadTopology()).hosts.map((h) => h.capacity.cpuMillis), [0]);
    await world.close();
  });
});
