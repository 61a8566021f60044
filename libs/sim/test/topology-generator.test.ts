import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateTopology, loadCsvEdgeList, loadGraphologyJson } from '../src/index.js';

test('the generator is reproducible from its seed and differs across seeds', () => {
  const a = generateTopology({ seed: 7, vms: 300 });
  const b = generateTopology({ seed: 7, vms: 300 });
  const c = generateTopology({ seed: 8, vms: 300 });
  assert.deepEqual(a.vms, b.vms);
  assert.deepEqual(a.pathways, b.pathways);
  assert.notDeepEqual(a.pathways, c.pathways);
});

test('generated fleets have realistic shapes: tiers, replicas, all pathway kinds, packed hosts, heavy-tailed rates', () => {
  const world = generateTopology({ seed: 3, vms: 600 });
  assert.equal(world.vms.length, 600);
  const tiers = new Set(world.tierOf.values());
  for (const tier of ['frontend', 'api', 'worker', 'database', 'cache']) assert.ok(tiers.has(tier as never), `tier ${tier}`);
  const kinds = new Set(world.pathways.map((p) => p.kind));
  for (const kind of ['API_CALL', 'NETWORK', 'SHARED_STORAGE']) assert.ok(kinds.has(kind as never), `kind ${kind}`);
  const perHost = new Map<string, number>();
  for (const vm of world.vms) perHost.set(vm.hostId, (perHost.get(vm.hostId) ?? 0) + 1);
  const mean = world.vms.length / perHost.size;
  assert.ok(mean >= 5 && mean <= 20, `VMs per host ${mean}`);
  for (const host of world.hosts) {
    const cpu = world.vms.filter((vm) => vm.hostId === host.id).reduce((s, vm) => s + vm.capacity.cpuMillis, 0);
    assert.ok(cpu <= host.capacity.cpuMillis, `host ${host.id} over-packed`);
  }
  const calls = world.pathways.filter((p) => p.kind === 'API_CALL').map((p) => p.features.callsPerSec).sort((x, y) => x - y);
  const median = calls[calls.length >> 1];
  const p99 = calls[Math.floor(calls.length * 0.99)];
  assert.ok(p99 / median > 20, `heavy tail: p99/median = ${p99 / median}`);
  for (const s of world.services) assert.ok(s.replicas.length >= 1);
});

test('topologies load from a CSV edge list and from graphology JSON', () => {
  const csv = loadCsvEdgeList('source,target,kind,callsPerSec\na,b,API_CALL,100\nb,c,NETWORK,0\n');
  assert.deepEqual(csv.vms.map((vm) => vm.id).sort(), ['a', 'b', 'c']);
  assert.equal(csv.pathways.length, 2);
  assert.equal(csv.pathways[0].features.callsPerSec, 100);
  const json = loadGraphologyJson(JSON.stringify({
    nodes: [{ key: 'x', attributes: { hostId: 'h1', tier: 'database', criticality: 0.9 } }, { key: 'y', attributes: { hostId: 'h1' } }],
    edges: [{ source: 'y', target: 'x', attributes: { kind: 'API_CALL', callsPerSec: 5 } }],
  }));
  assert.equal(json.vms.find((vm) => vm.id === 'x')?.criticality, 0.9);
  assert.equal(json.tierOf.get('x'), 'database');
  assert.equal(json.hosts.length, 1);
  assert.throws(() => loadCsvEdgeList('from,to\na,b\n'));
});
