import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultModel } from '../../src/model/default-model.js';
import type { ModelParameters } from '../../src/model/model-parameters.js';
import { sigmoid } from '../../src/model/transmission.js';
import { scorePropagation } from '../../src/propagation/score-propagation.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import { makePathway, makeVm, worldArb } from './random-topology.js';

test('multipath is ≥ mpp and ≤ 1 for every VM, over the same VMs', () => {
  fc.assert(
    fc.property(worldArb({ maxVms: 8, maxPathways: 22, maxSources: 2, factors: true }), fc.constantFrom(0, 0.01, 0.1), (world, floor) => {
      const snapshot = buildTopologySnapshot(world.vms, world.pathways);
      const mpp = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { floor, nodeFactors: world.nodeFactors });
      const multi = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { floor, nodeFactors: world.nodeFactors, estimator: 'multipath' });
      const byId = new Map(multi.atRisk.map((r) => [r.vmId, r]));
      assert.equal(multi.atRisk.length, mpp.atRisk.length);
      for (const m of mpp.atRisk) {
        const r = byId.get(m.vmId)!;
        assert.ok(r.probability >= m.probability - 1e-12 && r.probability <= 1, `${m.vmId}: ${r.probability} vs mpp ${m.probability}`);
        assert.equal(r.etaAt, m.etaAt);
        assert.deepEqual(r.path, m.path);
      }
    }),
    { numRuns: 200, seed: 99 },
  );
});

test('multipath equals mpp on trees', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ parent: fc.nat(), kind: fc.constantFrom('NETWORK', 'API_CALL', 'SHARED_STORAGE' as const), up: fc.boolean(), calls: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 12 }),
      fc.nat(),
      fc.constantFrom('generic', 'latency', 'network_congestion', 'disk_io'),
      (links, sourcePick, type) => {
        const vms = [makeVm('vm-0', 'h-0'), ...links.map((_, i) => makeVm(`vm-${i + 1}`, `h-${i + 1}`))];
        const pathways = links.map((l, i) => {
          const [child, parent] = [`vm-${i + 1}`, `vm-${l.parent % (i + 1)}`];
          return l.up ? makePathway(child, parent, l.kind, { callsPerSec: l.calls }) : makePathway(parent, child, l.kind, { callsPerSec: l.calls });
        });
        const snapshot = buildTopologySnapshot(vms, pathways);
        const sources = [{ vmId: `vm-${sourcePick % vms.length}`, onsetAt: 0 }];
        const mpp = scorePropagation(snapshot, defaultModel(), type, sources, { floor: 0 });
        const multi = scorePropagation(snapshot, defaultModel(), type, sources, { floor: 0, estimator: 'multipath' });
        assert.equal(multi.atRisk.length, mpp.atRisk.length);
        const byId = new Map(multi.atRisk.map((r) => [r.vmId, r.probability]));
        for (const m of mpp.atRisk) assert.ok(Math.abs(byId.get(m.vmId)! - m.probability) <= 1e-12, m.vmId);
      },
    ),
    { numRuns: 200, seed: 5 },
  );
});

test('multipath on a diamond is the noisy-or of the two routes', () => {
  // s → a → t and s → b → t over NETWORK edges; a bias-only forward carrier gives known hop probabilities.
  const carrier = (bias: number) => ({ weights: [bias, 0, 0, 0, 0, 0], delayMs: 1000 });
  const base = defaultModel();
  const model: ModelParameters = {
    ...base,
    types: { ...base.types, diamond: { carriers: { NETWORK: { forward: carrier(0) }, API_CALL: { forward: carrier(-1) } }, grantSize: base.types.generic.grantSize } },
  };
  const vms = ['s', 'a', 'b', 't'].map((id) => makeVm(id, `host-${id}`));
  const pathways = [makePathway('s', 'a', 'NETWORK'), makePathway('a', 't', 'NETWORK'), makePathway('s', 'b', 'API_CALL'), makePathway('b', 't', 'API_CALL')];
  const snapshot = buildTopologySnapshot(vms, pathways);
  const score = scorePropagation(snapshot, model, 'diamond', [{ vmId: 's', onsetAt: 0 }], { floor: 0, estimator: 'multipath' });
  const p = new Map(score.atRisk.map((r) => [r.vmId, r.probability]));
  const [pn, pa] = [0.5, sigmoid(-1)];
  assert.ok(Math.abs(p.get('a')! - pn) < 1e-12);
  assert.ok(Math.abs(p.get('b')! - pa) < 1e-12);
  assert.ok(Math.abs(p.get('t')! - (1 - (1 - pn * pn) * (1 - pa * pa))) < 1e-12, `t: ${p.get('t')}`);
  const mpp = scorePropagation(snapshot, model, 'diamond', [{ vmId: 's', onsetAt: 0 }], { floor: 0 });
  assert.ok(Math.abs(mpp.atRisk.find((r) => r.vmId === 't')!.probability - pn * pn) < 1e-12);
});
