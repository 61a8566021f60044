import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { scorePropagation } from '../../src/propagation/score-propagation.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import { bruteForceMostProbable, worldArb } from './random-topology.js';

test('mpp equals brute force over simple paths on 300+ random graphs (floor 0), ETA is that of an argmax path', () => {
  fc.assert(
    fc.property(worldArb({ maxVms: 8, maxPathways: 22, maxSources: 2, factors: true }), (world) => {
      const snapshot = buildTopologySnapshot(world.vms, world.pathways);
      const score = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { floor: 0, nodeFactors: world.nodeFactors });
      const expected = bruteForceMostProbable(world);
      const got = new Map(score.atRisk.map((r) => [r.vmId, r]));
      assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort(), 'same reachable VMs');
      for (const [vmId, want] of expected) {
        const entry = got.get(vmId)!;
        assert.ok(Math.abs(entry.probability - want.probability) <= 1e-9, `${vmId}: mpp ${entry.probability} vs brute force ${want.probability}`);
        assert.ok(want.etas.some((eta) => Math.abs(eta - entry.etaAt) <= 1e-6), `${vmId}: eta ${entry.etaAt} not among argmax etas ${want.etas.join(',')}`);
        // The explanation is self-consistent: a path from a source whose hops multiply (with factors) to the score.
        const source = world.sources.find((s) => s.vmId === entry.path[0]);
        assert.ok(source, 'path starts at a source');
        assert.equal(entry.path.at(-1), vmId);
        assert.equal(entry.contributions.length, entry.path.length - 1);
        let p = 1;
        let eta = source.onsetAt;
        entry.contributions.forEach((hop, i) => {
          assert.equal(hop.from, entry.path[i]);
          assert.equal(hop.to, entry.path[i + 1]);
          p *= hop.probability * (world.nodeFactors.get(hop.to) ?? 1);
          eta += hop.delayMs;
          if (hop.kind === 'CO_LOCATED') assert.equal(hop.hostId, world.vms.find((v) => v.id === hop.to)!.hostId);
        });
        assert.ok(Math.abs(p - entry.probability) <= 1e-9, `${vmId}: path product ${p} vs ${entry.probability}`);
        assert.ok(Math.abs(eta - entry.etaAt) <= 1e-6);
      }
      for (let i = 1; i < score.atRisk.length; i++) {
        const [a, b] = [score.atRisk[i - 1], score.atRisk[i]];
        assert.ok(a.probability > b.probability || (a.probability === b.probability && a.vmId < b.vmId), 'sorted by probability desc, then vmId');
      }
    }),
    { numRuns: 400, seed: 20240611 },
  );
});
