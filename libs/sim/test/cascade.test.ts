import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom, type Vm } from '@foresight/core';
import {
  compileTruthGraph, degradedMinutes, generateIncidents, generateTopology, grantCoverage, infectionProbabilities, simulateCascade, trueParameters, type World,
} from '../src/index.js';

const vm = (id: string, hostId: string): Vm => ({
  id, hostId, groupId: id, systemId: 's', criticality: 0.5,
  capacity: { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 }, allocation: { cpuMillis: 2000, memoryMiB: 4096, networkMbps: 500 },
});

// A star: callers c0..c199 call the hub; latency travels callee → caller (API_CALL reverse).
function star(): World {
  const vms = [vm('hub', 'h-hub'), ...Array.from({ length: 200 }, (_, i) => vm(`c${i}`, `h${i}`))];
  const features = { bandwidthMbps: 10, callsPerSec: 300, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0, lastSeenAt: 0 };
  const pathways = vms.slice(1).map((c) => ({ source: c.id, target: 'hub', kind: 'API_CALL' as const, features }));
  return { vms, hosts: [], services: [], pathways, tierOf: new Map() };
}

test('the empirical transmission rate of a cascade matches the true edge probability', () => {
  const world = star();
  const truth = { ...trueParameters(world.vms, 1), vulnerability: new Map<string, number>() };
  const graph = compileTruthGraph(world, truth, 'latency');
  const hub = graph.indexOf.get('hub')!;
  const p = graph.probability[graph.offsets[hub]];
  assert.ok(p > 0.05 && p < 0.95, `edge probability ${p}`);
  const random = new SeededRandom(11);
  let infected = 0;
  const runs = 100;
  for (let r = 0; r < runs; r++) infected += simulateCascade(graph, [{ node: hub, onsetAt: 0 }], 3_600_000, random).length - 1;
  const rate = infected / (runs * 200);
  // 20,000 Bernoulli trials: 4 standard errors.
  assert.ok(Math.abs(rate - p) < 4 * Math.sqrt((p * (1 - p)) / (runs * 200)), `empirical ${rate} vs true ${p}`);
  const mc = infectionProbabilities(graph, [{ node: hub, onsetAt: 0 }], 3_600_000, 4000, 5);
  assert.ok(Math.abs((mc.probability.get('c0') ?? 0) - p) < 0.03);
});

test('incidents are reproducible from the seed, and a shorter run is a prefix of a longer one', () => {
  const world = generateTopology({ seed: 2, vms: 200 });
  const truth = trueParameters(world.vms, 2);
  const a = generateIncidents(world, truth, { count: 20, seed: 5 });
  const b = generateIncidents(world, truth, { count: 10, seed: 5 });
  assert.deepEqual(a.slice(0, 10), b);
  for (const inc of a) {
    assert.equal(inc.affected[0].vmId, inc.originVmId);
    for (const x of inc.affected) assert.ok(x.onsetAt >= inc.onsetAt && x.onsetAt <= inc.horizonEnd);
    for (const e of inc.anomalyEvents) assert.ok(e.detectedAt >= e.eventTime - 1);
  }
});

test('impact: an in-time full grant prevents most degradation, a late one shortens it, the wrong resource does nothing', () => {
  const effect = { inTime: 0.95, late: 0.6 };
  const need = { cpuMillis: 1000, memoryMiB: 0, networkMbps: 0 };
  assert.equal(grantCoverage(need, 1, { cpuMillis: 0, memoryMiB: 4096, networkMbps: 0 }), 0);
  assert.equal(grantCoverage(need, 0.5, { cpuMillis: 500, memoryMiB: 0, networkMbps: 0 }), 1);
  assert.equal(degradedMinutes(600_000, undefined, 0, 1, effect), 10);
  assert.ok(Math.abs(degradedMinutes(600_000, -1, 0, 1, effect) - 0.5) < 1e-9);
  assert.ok(Math.abs(degradedMinutes(600_000, 60_000, 0, 1, effect) - (1 + 9 * 0.4)) < 1e-9);
});
