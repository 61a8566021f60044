import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isForesightError } from '../../src/errors.js';
import { defaultModel } from '../../src/model/default-model.js';
import { scorePropagation } from '../../src/propagation/score-propagation.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import type { PathwayFeatures } from '../../src/topology/pathway.js';
import { TopologyGraph } from '../../src/topology/topology-graph.js';
import { makePathway, makeVm, plainRisk, plainScore } from './random-topology.js';

const vms = [makeVm('a', 'h1'), makeVm('b', 'h1'), makeVm('c', 'h2')];
const pathways = [makePathway('a', 'c', 'API_CALL', { callsPerSec: 50 }), makePathway('c', 'b', 'NETWORK', { bandwidthMbps: 10 })];
const snapshot = buildTopologySnapshot(vms, pathways);
const model = defaultModel();
const source = [{ vmId: 'a', onsetAt: 1000 }];

function throwsCode(fn: () => unknown, code: string, field?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isForesightError(error), `ForesightError expected, got ${String(error)}`);
    assert.equal(error.code, code);
    if (field !== undefined) assert.match(error.message, new RegExp(field));
    return true;
  });
}

test('NaN, infinite and negative features are rejected with INVALID_FEATURE naming the field', () => {
  const graph = new TopologyGraph();
  for (const vm of vms) graph.upsertVm(vm);
  const cases: [keyof PathwayFeatures, number][] = [
    ['bandwidthMbps', NaN], ['callsPerSec', Infinity], ['latencyP50Ms', -1], ['latencyP99Ms', -Infinity], ['errorRate', 1.5], ['lastSeenAt', NaN],
  ];
  for (const [field, value] of cases) {
    throwsCode(() => graph.upsertPathway(makePathway('a', 'b', 'NETWORK', { [field]: value })), 'INVALID_FEATURE', field);
    throwsCode(() => buildTopologySnapshot(vms, [makePathway('a', 'b', 'NETWORK', { [field]: value })]), 'INVALID_FEATURE', field);
  }
  assert.equal(graph.counts().pathways, 0, 'nothing half-inserted');
});

test('unknown VMs: pathway endpoints and sources', () => {
  const graph = new TopologyGraph();
  graph.upsertVm(makeVm('a', 'h1'));
  throwsCode(() => graph.upsertPathway(makePathway('a', 'ghost', 'API_CALL')), 'UNKNOWN_VM', 'ghost');
  throwsCode(() => buildTopologySnapshot(vms, [makePathway('ghost', 'a', 'API_CALL')]), 'UNKNOWN_VM', 'ghost');
  throwsCode(() => scorePropagation(snapshot, model, 'latency', [{ vmId: 'ghost', onsetAt: 0 }]), 'UNKNOWN_VM', 'ghost');
});

test('callers cannot insert CO_LOCATED pathways, loops or duplicates, nor invalid VMs', () => {
  const graph = new TopologyGraph();
  for (const vm of vms) graph.upsertVm(vm);
  throwsCode(() => graph.upsertPathway(makePathway('a', 'b', 'CO_LOCATED')), 'INVALID_ARGUMENT');
  throwsCode(() => graph.upsertPathway(makePathway('a', 'a', 'NETWORK')), 'INVALID_ARGUMENT');
  throwsCode(() => buildTopologySnapshot(vms, [makePathway('a', 'b', 'NETWORK'), makePathway('a', 'b', 'NETWORK')]), 'INVALID_ARGUMENT', 'duplicate');
  throwsCode(() => buildTopologySnapshot([...vms, makeVm('a', 'h9')], []), 'INVALID_ARGUMENT', 'duplicate');
  throwsCode(() => graph.upsertVm({ ...makeVm('d', 'h1'), criticality: 2 }), 'INVALID_VM', 'criticality');
  throwsCode(() => graph.upsertVm(makeVm('e', '')), 'INVALID_VM', 'hostId');
});

test('empty sources, non-finite onsets and bad options are rejected', () => {
  throwsCode(() => scorePropagation(snapshot, model, 'latency', []), 'EMPTY_SOURCES');
  for (const onsetAt of [NaN, Infinity, -Infinity]) throwsCode(() => scorePropagation(snapshot, model, 'latency', [{ vmId: 'a', onsetAt }]), 'INVALID_ARGUMENT', 'onsetAt');
  for (const floor of [NaN, -0.1, 1, 2]) throwsCode(() => scorePropagation(snapshot, model, 'latency', source, { floor }), 'INVALID_ARGUMENT', 'floor');
  throwsCode(() => scorePropagation(snapshot, model, 'latency', source, { nodeFactors: new Map([['b', 1.5]]) }), 'INVALID_ARGUMENT', 'factor');
  throwsCode(() => scorePropagation(snapshot, model, 'latency', source, { nodeFactors: new Map([['b', NaN]]) }), 'INVALID_ARGUMENT', 'factor');
  throwsCode(() => scorePropagation(snapshot, model, 'latency', source, { estimator: 'montecarlo', samples: 0 }), 'INVALID_ARGUMENT', 'samples');
  throwsCode(() => scorePropagation(snapshot, model, 'latency', source, { estimator: 'montecarlo', seed: 1.5 }), 'INVALID_ARGUMENT', 'seed');
  // A rejected call leaves no evidence behind.
  assert.deepEqual(plainScore(scorePropagation(snapshot, model, 'generic', source, { floor: 0 })), plainScore(scorePropagation(snapshot, model, 'generic', source, { floor: 0 })));
});

test('an unknown anomaly type is scored with the generic parameters, not an error', () => {
  const unknown = scorePropagation(snapshot, model, 'GPU_Thermal', source, { floor: 0 });
  const generic = scorePropagation(snapshot, model, 'generic', source, { floor: 0 });
  assert.equal(unknown.anomalyType, 'gpu_thermal');
  assert.equal(unknown.resolvedType, 'generic');
  assert.deepEqual(plainRisk(unknown.atRisk), plainRisk(generic.atRisk));
  assert.ok(unknown.atRisk.length > 0);
  const malformed = scorePropagation(snapshot, model, '  !!  ', source, { floor: 0 });
  assert.equal(malformed.anomalyType, 'generic');
  assert.deepEqual(plainRisk(malformed.atRisk), plainRisk(generic.atRisk));
});

test('sources are not at risk; duplicate sources use the earliest onset', () => {
  const score = scorePropagation(snapshot, model, 'generic', [{ vmId: 'a', onsetAt: 5000 }, { vmId: 'a', onsetAt: 1000 }, { vmId: 'c', onsetAt: 0 }], { floor: 0 });
  assert.ok(score.atRisk.every((r) => r.vmId !== 'a' && r.vmId !== 'c'));
  const b = score.atRisk.find((r) => r.vmId === 'b')!;
  assert.ok(b.etaAt >= 1000 && b.etaAt < 5000 + 1e9);
});
