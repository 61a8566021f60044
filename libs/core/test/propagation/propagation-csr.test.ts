import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { propagationCsr, propagationCsrBytes } from '../../src/propagation/propagation-csr.js';
import { transmissionWeights } from '../../src/propagation/transmission-weights.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import { worldArb } from './random-topology.js';

test('the propagation CSR lists exactly the carried hops of each node, forward out-edges then reverse in-edges, in CSR order', () => {
  fc.assert(
    fc.property(worldArb({ maxVms: 10, maxPathways: 30 }), (world) => {
      const snapshot = buildTopologySnapshot(world.vms, world.pathways);
      const weights = transmissionWeights(snapshot, world.model, world.anomalyType);
      const csr = propagationCsr(snapshot, weights);
      assert.equal(propagationCsr(snapshot, weights), csr, 'memoised with the weights');
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
        assert.deepEqual(got, want, `node ${u}`);
      }
      assert.equal(propagationCsrBytes(csr), 4 * (snapshot.nodeCount + 1) + 20 * csr.targets.length);
    }),
    { numRuns: 150, seed: 11 },
  );
});
