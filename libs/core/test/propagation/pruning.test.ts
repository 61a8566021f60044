import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultModel } from '../../src/model/default-model.js';
import { DEFAULT_PROBABILITY_FLOOR } from '../../src/propagation/propagation-score.js';
import { scorePropagation } from '../../src/propagation/score-propagation.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import type { Pathway } from '../../src/topology/pathway.js';
import { makePathway, makeVm, worldArb } from './random-topology.js';

test('with a floor, mpp returns exactly the floor-0 entries at or above it, and nothing below', () => {
  fc.assert(
    fc.property(worldArb({ maxVms: 8, maxPathways: 22, maxSources: 2, factors: true }), fc.double({ min: 0.001, max: 0.9, noNaN: true }), (world, floor) => {
      const snapshot = buildTopologySnapshot(world.vms, world.pathways);
      const all = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { floor: 0, nodeFactors: world.nodeFactors });
      const pruned = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { floor, nodeFactors: world.nodeFactors });
      assert.ok(pruned.atRisk.every((r) => r.probability >= floor));
      assert.deepEqual(pruned.atRisk.map((r) => [r.vmId, r.probability]), all.atRisk.filter((r) => r.probability >= floor).map((r) => [r.vmId, r.probability]));
      assert.ok(pruned.touched <= all.touched);
    }),
    { numRuns: 200, seed: 3 },
  );
});

// 60,000 VMs in a long call chain with side branches, hosts of 16: an incident only reaches a small neighbourhood.
function bigChain(): ReturnType<typeof buildTopologySnapshot> {
  const n = 60_000;
  const vms = Array.from({ length: n }, (_, i) => makeVm(`vm-${i}`, `host-${Math.floor(i / 16)}`));
  const pathways: Pathway[] = [];
  for (let i = 0; i + 1 < n; i++) pathways.push(makePathway(`vm-${i}`, `vm-${i + 1}`, 'API_CALL', { callsPerSec: 200, latencyP99Ms: 300 }));
  for (let i = 0; i + 7 < n; i += 3) pathways.push(makePathway(`vm-${i}`, `vm-${i + 7}`, 'NETWORK', { bandwidthMbps: 100 }));
  return buildTopologySnapshot(vms, pathways);
}

test('a pruned query on a big graph touches a small neighbourhood, and the scratch is reset between queries', () => {
  const snapshot = bigChain();
  const model = defaultModel();
  for (const type of ['latency', 'cpu_saturation', 'network_congestion', 'generic']) {
    const score = scorePropagation(snapshot, model, type, [{ vmId: 'vm-30000', onsetAt: 0 }]);
    assert.ok(score.touched > 0 && score.touched < 500, `${type}: touched ${score.touched}`);
    assert.ok(score.atRisk.every((r) => r.probability >= DEFAULT_PROBABILITY_FLOOR));
    // A second query from elsewhere must not see the first one's state.
    const other = scorePropagation(snapshot, model, type, [{ vmId: 'vm-100', onsetAt: 0 }]);
    assert.ok(other.atRisk.every((r) => Math.abs(Number(r.vmId.slice(3)) - 100) < 2000), `${type}: stale state leaked`);
  }
  const whole = scorePropagation(snapshot, model, 'generic', [{ vmId: 'vm-30000', onsetAt: 0 }], { floor: 0 });
  assert.equal(whole.touched, snapshot.vmCount);
});

test('floor 0 reaches the whole reachable graph; nodeFactors of 0 block a VM and everything only reachable through it', () => {
  const vms = ['a', 'b', 'c', 'd'].map((id) => makeVm(id, `h-${id}`));
  const pathways = [makePathway('a', 'b', 'NETWORK'), makePathway('b', 'c', 'NETWORK'), makePathway('c', 'd', 'NETWORK')];
  const snapshot = buildTopologySnapshot(vms, pathways);
  const model = defaultModel();
  const open = scorePropagation(snapshot, model, 'network_congestion', [{ vmId: 'a', onsetAt: 0 }], { floor: 0 });
  assert.deepEqual(open.atRisk.map((r) => r.vmId), ['b', 'c', 'd']);
  const blocked = scorePropagation(snapshot, model, 'network_congestion', [{ vmId: 'a', onsetAt: 0 }], { floor: 0, nodeFactors: new Map([['c', 0]]) });
  assert.deepEqual(blocked.atRisk.map((r) => r.vmId), ['b']);
  const halved = scorePropagation(snapshot, model, 'network_congestion', [{ vmId: 'a', onsetAt: 0 }], { floor: 0, nodeFactors: new Map([['c', 0.5]]) });
  const [pc, pd] = [halved.atRisk.find((r) => r.vmId === 'c')!, halved.atRisk.find((r) => r.vmId === 'd')!];
  assert.ok(Math.abs(pc.probability - open.atRisk[1].probability * 0.5) < 1e-12);
  assert.ok(Math.abs(pd.probability - open.atRisk[2].probability * 0.5) < 1e-12);
  // Factors are per call: the next call without them is unaffected.
  assert.deepEqual(scorePropagation(snapshot, model, 'network_congestion', [{ vmId: 'a', onsetAt: 0 }], { floor: 0 }), open);
});
