import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { T0, builderWorld, flow, inventory, type BuilderWorld } from './builder-world.js';

const MINUTE = 60_000;
const TEN_YEARS = 10 * 365 * 24 * 60 * MINUTE;
/** The defaults' staleness (30 min), a sweep every minute, flushes every second. */
const OPTIONS = { staleAfterMs: 30 * MINUTE, sweepIntervalMs: MINUTE, flushIntervalMs: 1_000 };
const VMS = ['a', 'b', 'c', 'd', 'e', 'f'];

/** A world holding a ring of pathways a→b→…→f→a, observed and written at T0. */
async function ring(world: BuilderWorld): Promise<string[]> {
  await world.publish('inventory', VMS.map((vm) => inventory(vm, T0)));
  await world.publish('flows', VMS.map((vm, i) => flow(vm, VMS[(i + 1) % VMS.length], T0)));
  await world.settle();
  await world.builder.tick(T0 + 1_000);
  await world.settle();
  return storedPathways(world);
}

async function storedPathways(world: BuilderWorld): Promise<string[]> {
  return (await world.store.loadTopology()).pathways.map((p) => `${p.source}>${p.target}`).sort();
}

describe('topology builder: one event dated far ahead (issue 16, finding 3)', () => {
  it('does not let one valid flow ten years ahead sweep away the pathways seen by every other event', async () => {
    const world = await builderWorld(OPTIONS);
    const before = await ring(world);
    assert.equal(before.length, VMS.length);

    await world.publish('flows', [flow('a', 'c', T0 + TEN_YEARS)]);
    await world.settle();
    // Ordinary traffic and the wall clock go on: two minutes later, a sweep is due.
    await world.publish('flows', [flow('b', 'c', T0 + 90_000)]);
    await world.settle();
    await world.builder.tick(T0 + 2 * MINUTE);
    await world.settle();

    const after = await storedPathways(world);
    for (const pathway of before) assert.ok(after.includes(pathway), `${pathway} was swept away: ${after.join(', ')}`);
    assert.equal(world.store.writes.pathwayRemovals, 0);
    assert.ok(world.changes.every((c) => c.pathways.every((p) => !p.removed)), 'no removal was published');
    // What the builder publishes is stamped with its clock, not with the outlier's time.
    assert.ok(world.changes.every((c) => c.eventTime < T0 + 60 * MINUTE), `published at ${Math.max(...world.changes.map((c) => c.eventTime))}`);
    await world.close();
  });

  it('does not let the first event after a restart, dated ten years ahead, sweep the loaded topology', async () => {
    const first = await builderWorld(OPTIONS);
    const before = await ring(first);
    const world = await first.restart();
    await world.publish('flows', [flow('a', 'c', T0 + TEN_YEARS)]);
    await world.settle();
    await world.builder.tick(T0 + 2 * MINUTE);
    await world.settle();
    const after = await storedPathways(world);
    for (const pathway of before) assert.ok(after.includes(pathway), `${pathway} was swept away: ${after.join(', ')}`);
    await world.close();
  });

  it('still follows event time: once other events confirm a later time, unobserved pathways go stale', async () => {
    const world = await builderWorld(OPTIONS);
    await ring(world);
    // Only a→b is observed again, by two events 31 minutes on (no tick): the rest has not been seen for > 30 min.
    await world.publish('flows', [flow('a', 'b', T0 + 31 * MINUTE), flow('a', 'b', T0 + 31 * MINUTE + 1_000)]);
    await world.settle();
    await world.publish('flows', [flow('a', 'b', T0 + 32 * MINUTE)]);
    await world.settle();
    assert.deepEqual(await storedPathways(world), ['a>b']);
    await world.close();
  });
});
