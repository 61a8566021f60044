import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultModel } from '../../src/model/default-model.js';
import { propagationCsr, propagationCsrBytes, type PropagationCsr } from '../../src/propagation/propagation-csr.js';
import { transmissionWeights, type TransmissionWeights } from '../../src/propagation/transmission-weights.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import type { TopologySnapshot } from '../../src/topology/topology-snapshot.js';
import { makePathway, makeVm, worldArb } from './random-topology.js';

test('the propagation CSR lists exactly the carried hops of each node, by cost, ties in build order (forward out-edges, then reverse in-edges)', () => {
  fc.assert(
    fc.property(worldArb({ maxVms: 10, maxPathways: 30 }), (world) => {
      const snapshot = buildTopologySnapshot(world.vms, world.pathways);
      const weights = transmissionWeights(snapshot, world.model, world.anomalyType);
      const csr = propagationCsr(snapshot, weights);
      assert.equal(propagationCsr(snapshot, weights), csr, 'memoised with the weights');
      assertCarriedHopsByCost(snapshot, weights, csr);
      assert.equal(propagationCsrBytes(csr), 4 * (snapshot.nodeCount + 1) + 20 * csr.targets.length);
    }),
    { numRuns: 150, seed: 11 },
  );
});

function assertCarriedHopsByCost(snapshot: TopologySnapshot, weights: TransmissionWeights, csr: PropagationCsr): void {
  for (let u = 0; u < snapshot.nodeCount; u++) {
    const want: [number, number, number, number][] = [];
    for (let e = snapshot.outOffsets[u]; e < snapshot.outOffsets[u + 1]; e++) {
      if (weights.forwardCost[e] !== Infinity) want.push([snapshot.outTargets[e], weights.forwardCost[e], weights.forwardDelayMs[e], e << 1]);
    }
    for (let i = snapshot.inOffsets[u]; i < snapshot.inOffsets[u + 1]; i++) {
      const e = snapshot.inEdges[i];
      if (weights.reverseCost[e] !== Infinity) want.push([snapshot.inSources[i], weights.reverseCost[e], weights.reverseDelayMs[e], (e << 1) | 1]);
    }
    const got: [number, number, number, number][] = [];
    for (let k = csr.offsets[u]; k < csr.offsets[u + 1]; k++) got.push([csr.targets[k], csr.costs[k], csr.delaysMs[k], csr.hops[k]]);
    // Array.prototype.sort is stable: equal costs keep the build order.
    assert.deepEqual(got, want.sort((a, b) => a[1] - b[1]), `node ${u}`);
  }
}

test('large hop ranges (a popular database) are ordered by cost too', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true })), { minLength: 25, maxLength: 80 }), (callers) => {
      const vms = [makeVm('db', 'h0'), ...callers.map((_, i) => makeVm(`api-${i}`, `h${i % 3}`))];
      const pathways = callers.map(([calls, latency], i) => makePathway(`api-${i}`, 'db', 'API_CALL', { callsPerSec: Math.fround(calls), latencyP50Ms: Math.fround(latency) }));
      const snapshot = buildTopologySnapshot(vms, pathways);
      for (const type of ['latency', 'generic']) {
        const weights = transmissionWeights(snapshot, defaultModel(), type);
        assertCarriedHopsByCost(snapshot, weights, propagationCsr(snapshot, weights));
      }
    }),
    { numRuns: 40, seed: 3 },
  );
});
