import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModel } from '../../src/model/default-model.js';
import { scorePropagation } from '../../src/propagation/score-propagation.js';
import { transmissionWeights } from '../../src/propagation/transmission-weights.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import { TopologyGraph } from '../../src/topology/topology-graph.js';
import { makePathway, makeVm, plainRisk } from './random-topology.js';

function smallGraph(): TopologyGraph {
  const graph = new TopologyGraph();
  graph.upsertVm(makeVm('web', 'h1', 'front', 'shop'));
  graph.upsertVm(makeVm('api', 'h1', 'api', 'shop'));
  graph.upsertVm(makeVm('db', 'h2', 'data', 'shop'));
  graph.upsertVm(makeVm('cache', 'h2', 'data', 'shop'));
  graph.upsertVm(makeVm('batch', 'h3', 'jobs', 'ops'));
  graph.upsertPathway(makePathway('web', 'api', 'API_CALL', { callsPerSec: 300, latencyP99Ms: 250 }));
  graph.upsertPathway(makePathway('api', 'db', 'API_CALL', { callsPerSec: 800, latencyP99Ms: 40 }));
  graph.upsertPathway(makePathway('api', 'cache', 'NETWORK', { bandwidthMbps: 200 }));
  graph.upsertPathway(makePathway('batch', 'db', 'SHARED_STORAGE'));
  return graph;
}

test('the graph keeps counts, a monotonic version, and derives co-location from hosts', () => {
  const graph = smallGraph();
  assert.deepEqual(graph.counts(), { vms: 5, pathways: 4, hosts: 3 });
  const v0 = graph.version;
  graph.upsertPathway(makePathway('web', 'api', 'API_CALL', { callsPerSec: 10 }));
  assert.equal(graph.counts().pathways, 4, 'upsert replaces');
  assert.ok(graph.version > v0);
  assert.deepEqual(graph.coLocatedPeers('db'), ['cache']);
  graph.upsertVm(makeVm('cache', 'h3', 'data', 'shop'));
  assert.deepEqual(graph.coLocatedPeers('db'), []);
  assert.equal(graph.removePathway('api', 'cache', 'NETWORK'), true);
  assert.equal(graph.removePathway('api', 'cache', 'NETWORK'), false);
  const v1 = graph.version;
  assert.equal(graph.removeVm('db'), true);
  assert.ok(graph.version > v1);
  assert.deepEqual(graph.counts(), { vms: 4, pathways: 1, hosts: 2 });
  assert.equal(graph.hasVm('db'), false);
  assert.equal(graph.removeVm('db'), false);
});

test('a compiled snapshot indexes VMs, hosts, groups and systems, and lays out hub edges', () => {
  const snapshot = smallGraph().compile();
  assert.equal(snapshot.vmCount, 5);
  assert.equal(snapshot.hostCount, 3);
  assert.equal(snapshot.pathwayCount, 4);
  assert.equal(snapshot.edgeCount, 4 + 2 * 4, 'hub edges for the two shared hosts only');
  assert.equal(snapshot.indexOf('ghost'), -1);
  assert.equal(snapshot.vmIdAt(snapshot.indexOf('db')), 'db');
  assert.equal(snapshot.vm('api')?.groupId, 'api');
  assert.deepEqual([...snapshot.vmsInGroup('data')].sort(), ['cache', 'db']);
  assert.deepEqual([...snapshot.vmsInSystem('shop')].sort(), ['api', 'cache', 'db', 'web']);
  assert.deepEqual([...snapshot.vmsOnHost('h1')].sort(), ['api', 'web']);
  assert.deepEqual(snapshot.vmsOnHost('nowhere'), []);
  assert.ok(snapshot.byteSize() > 0);
  // Forward and reverse CSR describe the same edges.
  for (let e = 0; e < snapshot.edgeCount; e++) {
    const u = snapshot.edgeSource(e);
    const v = snapshot.outTargets[e];
    let found = false;
    for (let i = snapshot.inOffsets[v]; i < snapshot.inOffsets[v + 1]; i++) found ||= snapshot.inEdges[i] === e && snapshot.inSources[i] === u;
    assert.ok(found, `edge ${e} in reverse CSR`);
  }
});

test('compile is cached until the graph changes; equal graphs score equally whether built from the graph or arrays', () => {
  const graph = smallGraph();
  const a = graph.compile();
  assert.equal(graph.compile(), a);
  const vms = ['web', 'api', 'db', 'cache', 'batch'].map((id) => graph.vm(id)!);
  const pathways = [graph.pathway('web', 'api', 'API_CALL')!, graph.pathway('api', 'db', 'API_CALL')!, graph.pathway('api', 'cache', 'NETWORK')!, graph.pathway('batch', 'db', 'SHARED_STORAGE')!];
  const b = buildTopologySnapshot(vms, pathways);
  for (const type of ['latency', 'cpu_saturation', 'disk_io', 'generic']) {
    const sa = scorePropagation(a, defaultModel(), type, [{ vmId: 'db', onsetAt: 0 }], { floor: 0 });
    const sb = scorePropagation(b, defaultModel(), type, [{ vmId: 'db', onsetAt: 0 }], { floor: 0 });
    assert.deepEqual(plainRisk(sa.atRisk), plainRisk(sb.atRisk));
  }
});

test('double buffering: mutating the graph after compile does not change an existing snapshot or its scores', () => {
  const graph = smallGraph();
  const model = defaultModel();
  const before = graph.compile();
  const sources = [{ vmId: 'db', onsetAt: 0 }];
  const scoreBefore = scorePropagation(before, model, 'latency', sources, { floor: 0 });
  graph.upsertPathway(makePathway('web', 'db', 'API_CALL', { callsPerSec: 5000, latencyP99Ms: 3000 }));
  graph.upsertVm(makeVm('api', 'h2', 'api', 'shop'));
  graph.removeVm('cache');
  const after = graph.compile();
  assert.notEqual(after, before);
  assert.ok(after.version > before.version);
  assert.deepEqual(scorePropagation(before, model, 'latency', sources, { floor: 0 }), scoreBefore);
  assert.notDeepEqual(scorePropagation(after, model, 'latency', sources, { floor: 0 }).atRisk, scoreBefore.atRisk);
  assert.equal(before.hasVm('cache'), true);
  assert.equal(after.hasVm('cache'), false);
});

test('transmission weights are memoised per (snapshot, model, type) and unseen types share generic', () => {
  const snapshot = smallGraph().compile();
  const model = defaultModel();
  assert.equal(transmissionWeights(snapshot, model, 'latency'), transmissionWeights(snapshot, model, ' LATENCY '));
  assert.equal(transmissionWeights(snapshot, model, 'never-seen'), transmissionWeights(snapshot, model, 'generic'));
  assert.notEqual(transmissionWeights(snapshot, model, 'latency'), transmissionWeights(snapshot, defaultModel(), 'latency'));
  const w = transmissionWeights(snapshot, model, 'latency');
  // Latency travels against API_CALL (callee → caller) only.
  for (let e = 0; e < snapshot.edgeCount; e++) {
    if (snapshot.kindOf(e) === 'API_CALL') {
      assert.equal(w.forwardCost[e], Infinity);
      assert.ok(w.reverseCost[e] > 0 && w.reverseCost[e] < Infinity);
    }
  }
});

test('co-located hops collapse into one contribution naming the host, with the pair probability', () => {
  const vms = [makeVm('a', 'h'), makeVm('b', 'h'), makeVm('c', 'h')];
  const base = defaultModel();
  const model = { ...base, vulnerability: { b: { alpha: 9, beta: 1 }, c: { alpha: 1, beta: 30 } } };
  const score = scorePropagation(buildTopologySnapshot(vms, []), model, 'cpu_saturation', [{ vmId: 'a', onsetAt: 100 }], { floor: 0 });
  assert.deepEqual(score.atRisk.map((r) => r.vmId), ['b', 'c']);
  for (const r of score.atRisk) {
    assert.deepEqual(r.path, ['a', r.vmId]);
    assert.equal(r.contributions.length, 1);
    assert.equal(r.contributions[0].hostId, 'h');
    assert.equal(r.contributions[0].kind, 'CO_LOCATED');
    assert.equal(r.etaAt, 100 + 60_000);
  }
});
