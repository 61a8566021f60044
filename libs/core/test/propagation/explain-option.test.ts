import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isForesightError } from '../../src/errors.js';
import type { ExplainOption } from '../../src/propagation/propagation-score.js';
import { sortByRisk, vmIdOrder } from '../../src/propagation/risk-order.js';
import { scorePropagation } from '../../src/propagation/score-propagation.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import { makeVm, plainRisk, worldArb } from './random-topology.js';

test("explain: 'none' or N changes only which entries carry a path and contributions", () => {
  fc.assert(
    fc.property(
      worldArb({ maxVms: 8, maxPathways: 22, maxSources: 2, factors: true }), fc.constantFrom('mpp', 'multipath', 'montecarlo' as const), fc.nat(6),
      (world, estimator, n) => {
        const snapshot = buildTopologySnapshot(world.vms, world.pathways);
        const options = { floor: 0.001, nodeFactors: world.nodeFactors, estimator, samples: 200 };
        const all = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, options);
        const none = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { ...options, explain: 'none' });
        const some = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { ...options, explain: n });
        const bare = (score: typeof all): unknown => score.atRisk.map((r) => [r.vmId, r.probability, r.etaAt]);
        assert.deepEqual(bare(none), bare(all));
        assert.deepEqual(bare(some), bare(all));
        assert.ok(none.atRisk.every((r) => r.path.length === 0 && r.contributions.length === 0));
        some.atRisk.forEach((r, i) => {
          if (i < n) assert.deepEqual(plainRisk([r]), plainRisk([all.atRisk[i]]));
          else assert.ok(r.path.length === 0 && r.contributions.length === 0);
        });
      },
    ),
    { numRuns: 120, seed: 5 },
  );
});

test('explain rejects anything but all, none or a non-negative integer', () => {
  const snapshot = buildTopologySnapshot([], []);
  for (const explain of [-1, 1.5, 'some', NaN] as ExplainOption[]) {
    assert.throws(() => scorePropagation(snapshot, { types: {} } as never, 'x', [{ vmId: 'a', onsetAt: 0 }], { explain }), (e) => isForesightError(e) && e.code === 'INVALID_ARGUMENT');
  }
});

test('sortByRisk orders by probability desc then vmId, sorted or not, with short and long ties, carrying a payload', () => {
  // Ids in neither index nor numeric order, with a non-ASCII one: the order is `<` on strings.
  const ids = Array.from({ length: 120 }, (_, i) => (i === 5 ? 'vm-é' : `vm-${(i * 7) % 120}`));
  const snapshot = buildTopologySnapshot(ids.map((id) => makeVm(id, `h-${id}`)), []);
  const order = vmIdOrder(snapshot);
  fc.assert(
    fc.property(fc.array(fc.record({ node: fc.nat(119), p: fc.constantFrom(0.9, 0.5, 0.5, 0.5, 0.25, 0.1, 0.01) }), { maxLength: 120 }), fc.boolean(), (raw, presort) => {
      const seen = new Set<number>();
      const items = raw.filter((r) => !seen.has(r.node) && seen.add(r.node));
      if (presort) items.sort((a, b) => b.p - a.p);
      const nodes = Int32Array.from(items.map((r) => r.node));
      const probability = Float64Array.from(items.map((r) => r.p));
      const payload = Int32Array.from(items.map((r) => 1000 + r.node)); // moves with its node
      sortByRisk(nodes, probability, payload, items.length, order);
      const want = [...items].sort((a, b) => b.p - a.p || (ids[a.node] < ids[b.node] ? -1 : 1));
      assert.deepEqual([...nodes], want.map((r) => r.node));
      assert.deepEqual([...probability], want.map((r) => r.p));
      assert.deepEqual([...payload], want.map((r) => 1000 + r.node));
    }),
    { numRuns: 300, seed: 8 },
  );
});

test('explanations are read lazily from the scoring that made them, unchanged by later scorings on the same snapshot', () => {
  fc.assert(
    fc.property(worldArb({ maxVms: 9, maxPathways: 24, maxSources: 2, factors: true }), fc.constantFrom('mpp', 'multipath', 'montecarlo' as const), (world, estimator) => {
      const snapshot = buildTopologySnapshot(world.vms, world.pathways);
      const options = { floor: 0.001, nodeFactors: world.nodeFactors, estimator, samples: 100 };
      const eager = plainRisk(scorePropagation(snapshot, world.model, world.anomalyType, world.sources, options).atRisk);
      const lazy = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, options);
      // Other scorings reuse the snapshot's search buffers before the lazy entries are read.
      for (const vm of world.vms) scorePropagation(snapshot, world.model, 'generic', [{ vmId: vm.id, onsetAt: 7 }], { floor: 0 });
      assert.deepEqual(plainRisk(lazy.atRisk), eager);
      assert.deepEqual(JSON.parse(JSON.stringify(lazy.atRisk)), eager);
      for (const r of lazy.atRisk) {
        assert.equal(r.path.at(-1), r.vmId);
        assert.equal(r.contributions.length, r.path.length - 1);
        assert.equal(r.path, r.path, 'memoised: the same array on every read');
      }
    }),
    { numRuns: 120, seed: 11 },
  );
});
