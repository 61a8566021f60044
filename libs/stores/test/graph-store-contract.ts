import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pathway } from '@foresight/core';
import type { GraphStore, IncidentRecord } from '../src/graph/graph-store.js';
import { isStoreError } from '../src/store-error.js';
import { HOSTILE_IDS, pathway, vm } from './graph-fixtures.js';

/** One store for one test, and how to throw its data away afterwards. */
export interface GraphStoreHarness {
  readonly store: GraphStore;
  /** Deletes what the test wrote and closes the store. */
  dispose(): Promise<void>;
}

async function withStore(make: () => Promise<GraphStoreHarness>, test: (store: GraphStore) => Promise<void>): Promise<void> {
  const harness = await make();
  try {
    await harness.store.init();
    await test(harness.store);
  } finally {
    await harness.dispose();
  }
}

async function rejectsInvalid(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isStoreError(error, 'INVALID_INPUT') && !error.retriable);
}

/** The GraphStore contract: every adapter must pass it unchanged. */
export function describeGraphStoreContract(name: string, make: () => Promise<GraphStoreHarness>): void {
  describe(`GraphStore contract: ${name}`, () => {
    it('answers a ping, with or without data', () => withStore(make, async (store) => {
      await store.ping();
      await store.upsertVms([vm('vm-a', 'h1')]);
      assert.equal(await store.ping(), undefined);
    }));

    it('init is idempotent', () => withStore(make, async (store) => {
      await store.init();
      await store.init();
      assert.deepEqual(await store.loadTopology(), { vms: [], hosts: [], pathways: [] });
    }));

    it('loads back VMs, hosts and pathways exactly as written, sorted', () => withStore(make, async (store) => {
      await store.upsertHosts([{ hostId: 'h2', capacity: { cpuMillis: 8000, memoryMiB: 16384, networkMbps: 0.1 } }, { hostId: 'h1', capacity: { cpuMillis: 1, memoryMiB: 2, networkMbps: 3 } }]);
      await store.upsertVms([vm('vm-b', 'h1', 'g2', 's1', 1), vm('vm-a', 'h1'), vm('vm-c', 'h2', 'g1', 's1', 0)]);
      const pathways = [pathway('vm-c', 'vm-a', 'NETWORK', 3), pathway('vm-a', 'vm-b', 'API_CALL', 1), pathway('vm-a', 'vm-b', 'SHARED_STORAGE', 2)];
      await store.upsertPathways(pathways);
      const topology = await store.loadTopology();
      assert.deepEqual(topology.vms, [vm('vm-a', 'h1'), vm('vm-b', 'h1', 'g2', 's1', 1), vm('vm-c', 'h2', 'g1', 's1', 0)]);
      assert.deepEqual(topology.hosts.map((h) => h.hostId), ['h1', 'h2']);
      assert.deepEqual(topology.hosts[1].capacity, { cpuMillis: 8000, memoryMiB: 16384, networkMbps: 0.1 });
      assert.deepEqual(topology.pathways, [pathways[1], pathways[2], pathways[0]]);
    }));

    it('an upsert replaces placement, group, system and features instead of adding to them', () => withStore(make, async (store) => {
      await store.upsertVms([vm('a', 'h1', 'g1', 's1'), vm('b', 'h1')]);
      await store.upsertPathways([pathway('a', 'b', 'NETWORK', 1)]);
      await store.upsertVms([vm('a', 'h2', 'g9', 's9', 0.9)]);
      await store.upsertPathways([pathway('a', 'b', 'NETWORK', 42)]);
      const topology = await store.loadTopology();
      assert.deepEqual(topology.vms, [vm('a', 'h2', 'g9', 's9', 0.9), vm('b', 'h1')]);
      assert.deepEqual(topology.pathways, [pathway('a', 'b', 'NETWORK', 42)]);
    }));

    it('keeps pathways to unknown VMs out of the topology until both ends are in the inventory', () => withStore(make, async (store) => {
      await store.upsertVms([vm('a', 'h1')]);
      await store.upsertPathways([pathway('a', 'later', 'API_CALL', 5)]);
      assert.deepEqual((await store.loadTopology()).pathways, []);
      await store.upsertVms([vm('later', 'h1')]);
      assert.deepEqual((await store.loadTopology()).pathways, [pathway('a', 'later', 'API_CALL', 5)]);
    }));

    it('removeVms drops the VMs and their pathways but keeps their incident history', () => withStore(make, async (store) => {
      await store.upsertVms([vm('a', 'h1'), vm('b', 'h1'), vm('c', 'h2')]);
      await store.upsertPathways([pathway('a', 'b'), pathway('b', 'c'), pathway('a', 'c', 'NETWORK')]);
      await store.recordIncident({ incidentId: 'i1', anomalyType: 'cpu', openedAt: 10, affectedVmIds: ['b', 'c'], sourceVmIds: ['b'] });
      await store.removeVms(['b', 'never-existed']);
      const topology = await store.loadTopology();
      assert.deepEqual(topology.vms.map((v) => v.id), ['a', 'c']);
      assert.deepEqual(topology.pathways, [pathway('a', 'c', 'NETWORK')]);
      assert.deepEqual((await store.incidentHistory('b')).map((i) => i.incidentId), ['i1']);
      // Re-adding the VM does not resurrect the pathways that went with it.
      await store.upsertVms([vm('b', 'h1')]);
      assert.deepEqual((await store.loadTopology()).pathways, [pathway('a', 'c', 'NETWORK')]);
    }));

    it('removePathways removes only the named (source, target, kind)', () => withStore(make, async (store) => {
      await store.upsertVms([vm('a', 'h1'), vm('b', 'h1')]);
      await store.upsertPathways([pathway('a', 'b', 'API_CALL'), pathway('a', 'b', 'NETWORK'), pathway('b', 'a', 'API_CALL')]);
      await store.removePathways([{ source: 'a', target: 'b', kind: 'API_CALL' }, { source: 'x', target: 'y', kind: 'NETWORK' }]);
      assert.deepEqual((await store.loadTopology()).pathways, [pathway('a', 'b', 'NETWORK'), pathway('b', 'a', 'API_CALL')]);
    }));

    it('writes 5,000 pathways in batches and loads them back identically', { timeout: 120_000 }, (t) => withStore(make, async (store) => {
      const vms = Array.from({ length: 500 }, (_, i) => vm(`vm-${String(i).padStart(4, '0')}`, `h-${i % 40}`, `g-${i % 25}`, `s-${i % 5}`, (i % 11) / 10));
      const kinds = ['API_CALL', 'NETWORK', 'SHARED_STORAGE'] as const;
      const pathways: Pathway[] = [];
      for (let i = 0; pathways.length < 5000; i++) {
        const s = i % 500;
        const d = (s + 1 + Math.floor(i / 500) * 7) % 500;
        if (s !== d) pathways.push(pathway(vms[s].id, vms[d].id, kinds[i % 3], i));
      }
      const started = performance.now();
      await store.upsertVms(vms);
      const afterVms = performance.now();
      await store.upsertPathways(pathways);
      const afterPathways = performance.now();
      const topology = await store.loadTopology();
      const afterLoad = performance.now();
      t.diagnostic(`500 VMs ${(afterVms - started).toFixed(0)} ms, 5000 pathways ${(afterPathways - afterVms).toFixed(0)} ms, load ${(afterLoad - afterPathways).toFixed(0)} ms`);
      assert.equal(topology.pathways.length, 5000);
      const key = (p: Pathway): string => `${p.source}|${p.target}|${p.kind}`;
      const expected = [...pathways].sort((a, b) => (key(a) < key(b) ? -1 : 1));
      assert.deepEqual(topology.pathways.map(key), expected.map(key));
      assert.deepEqual(new Map(topology.pathways.map((p) => [key(p), p])), new Map(expected.map((p) => [key(p), p])));
      assert.deepEqual(topology.vms, vms);
    }));

    it('stores Cypher-injection-looking ids verbatim and harmlessly', () => withStore(make, async (store) => {
      await store.upsertVms([vm('bystander', 'h0')]);
      const vms = HOSTILE_IDS.map((id, i) => vm(id, HOSTILE_IDS[(i + 1) % HOSTILE_IDS.length], HOSTILE_IDS[(i + 2) % HOSTILE_IDS.length], HOSTILE_IDS[(i + 3) % HOSTILE_IDS.length]));
      await store.upsertVms(vms);
      await store.upsertHosts(HOSTILE_IDS.map((hostId) => ({ hostId, capacity: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 } })));
      const pathways = HOSTILE_IDS.map((id, i) => pathway(id, HOSTILE_IDS[(i + 1) % HOSTILE_IDS.length], 'NETWORK', i));
      await store.upsertPathways(pathways);
      await store.recordIncident({ incidentId: HOSTILE_IDS[0], anomalyType: HOSTILE_IDS[1], openedAt: 1, affectedVmIds: [...HOSTILE_IDS], sourceVmIds: [HOSTILE_IDS[2]], affectedAt: Object.fromEntries([['__proto__', 5]]) });
      const topology = await store.loadTopology();
      assert.deepEqual(new Set(topology.vms.map((v) => v.id)), new Set([...HOSTILE_IDS, 'bystander']));
      assert.deepEqual(topology.vms.find((v) => v.id === HOSTILE_IDS[0]), vms[0]);
      assert.equal(topology.pathways.length, HOSTILE_IDS.length);
      const [incident] = await store.incidentHistory(HOSTILE_IDS[0]);
      assert.equal(incident?.incidentId, HOSTILE_IDS[0]);
      assert.equal(incident?.anomalyType, HOSTILE_IDS[1]);
      assert.equal(Object.hasOwn(incident?.affectedAt ?? {}, '__proto__'), true);
      await store.removeVms([HOSTILE_IDS[0]]);
      assert.deepEqual(new Set((await store.loadTopology()).vms.map((v) => v.id)), new Set([...HOSTILE_IDS.slice(1), 'bystander']));
    }));

    it('reads one VM and a bounded, sorted page of its pathways (both directions, inventory ends only) with their total', () => withStore(make, async (store) => {
      await store.upsertVms([vm('m', 'h1'), vm('a', 'h1'), vm('z', 'h2'), vm('far', 'h2')]);
      const joined = [pathway('m', 'z', 'NETWORK', 1), pathway('a', 'm', 'API_CALL', 2), pathway('m', 'a', 'SHARED_STORAGE', 3), pathway('m', 'a', 'API_CALL', 4)];
      await store.upsertPathways([...joined, pathway('a', 'far', 'API_CALL', 5), pathway('m', 'ghost', 'API_CALL', 6)]);
      const all = await store.vmNeighbourhood('m', 10);
      assert.deepEqual(all.vm, vm('m', 'h1'));
      assert.equal(all.total, 4);
      assert.deepEqual(all.pathways, [joined[1], joined[3], joined[2], joined[0]]);
      const two = await store.vmNeighbourhood('m', 2);
      assert.deepEqual(two, { vm: vm('m', 'h1'), pathways: [joined[1], joined[3]], total: 4 });
      assert.deepEqual(await store.vmNeighbourhood('ghost', 5), { vm: undefined, pathways: [], total: 0 });
      await store.removeVms(['z']);
      assert.equal((await store.vmNeighbourhood('m', 10)).total, 3);
      await rejectsInvalid(store.vmNeighbourhood('m', 0));
      await rejectsInvalid(store.vmNeighbourhood('m', 10_001));
      await rejectsInvalid(store.vmNeighbourhood('', 5));
    }));

    it('records incidents as the whole current picture and reads history by VM', () => withStore(make, async (store) => {
      const first: IncidentRecord = { incidentId: 'i1', anomalyType: 'memory-leak', openedAt: 100, affectedVmIds: ['b', 'a', 'a'], sourceVmIds: ['a'] };
      await store.recordIncident(first);
      await store.recordIncident({ incidentId: 'i0', anomalyType: 'cpu', openedAt: 100, closedAt: 150, affectedVmIds: ['c'], sourceVmIds: ['c'] });
      assert.deepEqual(await store.incidentHistory(), [
        { incidentId: 'i0', anomalyType: 'cpu', openedAt: 100, closedAt: 150, affectedVmIds: ['c'], sourceVmIds: ['c'] },
        { incidentId: 'i1', anomalyType: 'memory-leak', openedAt: 100, affectedVmIds: ['a', 'b'], sourceVmIds: ['a'] },
      ]);
      // Closing it later with a different affected set replaces the lists.
      await store.recordIncident({ ...first, closedAt: 400, affectedVmIds: ['a', 'd'], affectedAt: { d: 250 } });
      assert.deepEqual(await store.incidentHistory('b'), []);
      assert.deepEqual(await store.incidentHistory('d'), [
        { incidentId: 'i1', anomalyType: 'memory-leak', openedAt: 100, closedAt: 400, affectedVmIds: ['a', 'd'], sourceVmIds: ['a'], affectedAt: { d: 250 } },
      ]);
      assert.deepEqual((await store.incidentHistory('a')).map((i) => i.incidentId), ['i1']);
      assert.deepEqual(await store.incidentHistory('nobody'), []);
    }));

    it('counts exposure and affection per VM against the current topology, sources excluded', () => withStore(make, async (store) => {
      await store.upsertVms([vm('a', 'h1'), vm('b', 'h1'), vm('c', 'h2'), vm('d', 'h3')]);
      await store.upsertPathways([pathway('a', 'c', 'API_CALL'), pathway('c', 'd', 'NETWORK'), pathway('d', 'e', 'SHARED_STORAGE')]);
      await store.recordIncident({ incidentId: 'i1', anomalyType: 'cpu', openedAt: 1, affectedVmIds: ['a', 'c'], sourceVmIds: ['a'] });
      await store.recordIncident({ incidentId: 'i2', anomalyType: 'cpu', openedAt: 2, affectedVmIds: ['d', 'e'], sourceVmIds: ['d'] });
      await store.recordIncident({ incidentId: 'i3', anomalyType: 'cpu', openedAt: 3, affectedVmIds: [], sourceVmIds: ['b'] });
      assert.deepEqual(await store.vulnerabilityCounts(), [
        { vmId: 'b', exposed: 1, affected: 0 },
        { vmId: 'c', exposed: 2, affected: 1 },
        { vmId: 'd', exposed: 1, affected: 0 },
        { vmId: 'e', exposed: 1, affected: 1 },
      ]);
    }));

    it('rejects invalid input with INVALID_INPUT (not retriable) and writes nothing', () => withStore(make, async (store) => {
      await rejectsInvalid(store.upsertVms([vm('ok', 'h1'), { ...vm('bad', 'h1'), criticality: 2 }]));
      await rejectsInvalid(store.upsertVms([{ ...vm('x', 'h1'), id: '' }]));
      await rejectsInvalid(store.upsertPathways([{ ...pathway('a', 'b'), kind: 'CO_LOCATED' }]));
      await rejectsInvalid(store.upsertPathways([pathway('a', 'a')]));
      await rejectsInvalid(store.upsertPathways([{ ...pathway('a', 'b'), features: { ...pathway('a', 'b').features, errorRate: Number.NaN } }]));
      await rejectsInvalid(store.upsertHosts([{ hostId: 'h', capacity: { cpuMillis: -1, memoryMiB: 0, networkMbps: 0 } }]));
      await rejectsInvalid(store.recordIncident({ incidentId: 'i', anomalyType: 'cpu', openedAt: 5, closedAt: 4, affectedVmIds: [], sourceVmIds: [] }));
      await rejectsInvalid(store.recordIncident({ incidentId: 'i', anomalyType: 'cpu', openedAt: 5, affectedVmIds: ['a'], sourceVmIds: [], affectedAt: { b: 1 } }));
      await rejectsInvalid(store.removeVms(['']));
      assert.deepEqual(await store.loadTopology(), { vms: [], hosts: [], pathways: [] });
      assert.deepEqual(await store.incidentHistory(), []);
    }));
  });
}
