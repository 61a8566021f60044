import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import neo4j from 'neo4j-driver';
import type { Vm } from '@foresight/core';
import { InMemoryGraphStore, Neo4jGraphStore, isStoreError, type Neo4jGraphStoreConfig } from '@foresight/stores';
import { describeGraphStoreContract } from '@foresight/stores/testing';
import { newTestWorld } from '../support/test-world.js';

// The local stack runs Neo4j with auth off; NEO4J_USER / NEO4J_PASSWORD switch basic auth on.
const connection: Neo4jGraphStoreConfig = {
  uri: process.env['NEO4J_URI'] ?? 'bolt://127.0.0.1:7687',
  ...(process.env['NEO4J_USER'] === undefined ? {} : { user: process.env['NEO4J_USER'] }),
  ...(process.env['NEO4J_PASSWORD'] === undefined ? {} : { password: process.env['NEO4J_PASSWORD'] }),
};

function storeFor(label: string, batchSize = 1000): Neo4jGraphStore {
  return new Neo4jGraphStore({ ...connection, namespace: newTestWorld(label).id, batchSize });
}

async function disposeOf(store: Neo4jGraphStore): Promise<void> {
  try {
    await store.dropNamespace();
  } finally {
    await store.close();
  }
}

describeGraphStoreContract('neo4j', () => {
  const store = storeFor('graph-contract');
  return Promise.resolve({ store, dispose: () => disposeOf(store) });
});

describe('Neo4jGraphStore', () => {
  it('creates the id constraints and namespace indexes', async () => {
    const store = storeFor('schema');
    const driver = neo4j.driver(connection.uri, connection.user === undefined ? undefined : neo4j.auth.basic(connection.user, connection.password ?? ''));
    try {
      await store.init();
      const { records } = await driver.executeQuery("SHOW CONSTRAINTS YIELD name, type, properties WHERE name STARTS WITH 'foresight_' RETURN name, type, properties ORDER BY name");
      assert.deepEqual(records.map((r) => r.get('name') as string), ['foresight_group_key', 'foresight_host_key', 'foresight_incident_key', 'foresight_system_key', 'foresight_vm_key']);
      for (const r of records) assert.deepEqual(r.get('properties'), ['ns', 'id']);
    } finally {
      await driver.close();
      await disposeOf(store);
    }
  });

  it('processes starting together create the schema without tripping over each other', async () => {
    // CREATE … IF NOT EXISTS is checked when a statement starts: eight processes initialising at once raced on a
    // fresh database ("An equivalent index already exists"). One index is dropped so that its creation races again.
    const driver = neo4j.driver(connection.uri, connection.user === undefined ? undefined : neo4j.auth.basic(connection.user, connection.password ?? ''));
    const stores = Array.from({ length: 8 }, (_, i) => storeFor(`schema-race-${i}`));
    try {
      await driver.executeQuery('DROP INDEX foresight_group_ns IF EXISTS');
      await Promise.all(stores.map((store) => store.init()));
      const { records } = await driver.executeQuery("SHOW INDEXES YIELD name WHERE name = 'foresight_group_ns' RETURN name");
      assert.equal(records.length, 1, 'the index is back');
    } finally {
      await driver.close();
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('keeps namespaces apart: the same ids in two namespaces never meet', async () => {
    const a = storeFor('ns-a');
    const b = storeFor('ns-b');
    try {
      await a.init();
      const vm = (id: string, hostId: string): Vm => ({ id, hostId, groupId: 'g', systemId: 's', criticality: 0, capacity: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }, allocation: { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 } });
      await a.upsertVms([vm('x', 'h-a'), vm('y', 'h-a')]);
      await b.upsertVms([vm('x', 'h-b')]);
      await b.removeVms(['y']);
      assert.deepEqual((await a.loadTopology()).vms.map((v) => [v.id, v.hostId]), [['x', 'h-a'], ['y', 'h-a']]);
      assert.deepEqual((await b.loadTopology()).vms.map((v) => [v.id, v.hostId]), [['x', 'h-b']]);
    } finally {
      await disposeOf(a);
      await disposeOf(b);
    }
  });

  it('one call naming a VM twice places it where the last says, like the twin (regression)', async () => {
    const real = storeFor('twice');
    const twin = new InMemoryGraphStore();
    const vm = (id: string, hostId: string): Vm => ({ id, hostId, groupId: 'g1', systemId: 's1', criticality: 0, capacity: { cpuMillis: 2, memoryMiB: 3, networkMbps: 4 }, allocation: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 } });
    try {
      for (const store of [real, twin]) {
        await store.recordIncident({ incidentId: 'i1', anomalyType: 'cpu', openedAt: 1, affectedVmIds: ['c'], sourceVmIds: [] });
        await store.upsertVms([vm('c', 'h1'), vm('c', 'h2')]);
        await store.upsertVms([vm('a', 'h1')]);
      }
      assert.deepEqual(await real.loadTopology(), await twin.loadTopology());
      assert.deepEqual(await real.vulnerabilityCounts(), await twin.vulnerabilityCounts(), 'a is not co-located with c');
    } finally {
      await disposeOf(real);
    }
  });

  it('agrees with the in-memory twin over random upserts and removals', { timeout: 120_000 }, async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const vmArb = fc.record({
      id: fc.constantFrom(...ids), hostId: fc.constantFrom('h1', 'h2'), groupId: fc.constantFrom('g1', 'g2'), systemId: fc.constantFrom('s1', 's2'),
      criticality: fc.constantFrom(0, 0.5, 1),
      capacity: fc.constant({ cpuMillis: 2, memoryMiB: 3, networkMbps: 4 }), allocation: fc.constant({ cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }),
    });
    const pathwayArb = fc.record({
      source: fc.constantFrom(...ids), target: fc.constantFrom(...ids), kind: fc.constantFrom('NETWORK' as const, 'API_CALL' as const, 'SHARED_STORAGE' as const),
      features: fc.record({ bandwidthMbps: fc.nat(100), callsPerSec: fc.nat(100), latencyP50Ms: fc.nat(10), latencyP99Ms: fc.nat(50), errorRate: fc.constantFrom(0, 0.5), lastSeenAt: fc.nat(1000) }),
    }).filter((p) => p.source !== p.target);
    const stepArb = fc.oneof(
      fc.record({ op: fc.constant('vms' as const), vms: fc.array(vmArb, { maxLength: 4 }) }),
      fc.record({ op: fc.constant('pathways' as const), pathways: fc.array(pathwayArb, { maxLength: 6 }) }),
      fc.record({ op: fc.constant('removeVms' as const), ids: fc.subarray(ids) }),
      fc.record({ op: fc.constant('removePathways' as const), pathways: fc.array(pathwayArb, { maxLength: 3 }) }),
      fc.record({ op: fc.constant('incident' as const), id: fc.constantFrom('i1', 'i2'), affected: fc.subarray(ids), sources: fc.subarray(ids, { maxLength: 1 }) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
      const real = storeFor('twin', 3);
      const twin = new InMemoryGraphStore();
      try {
        for (const step of steps) {
          for (const store of [real, twin]) {
            if (step.op === 'vms') await store.upsertVms(step.vms);
            else if (step.op === 'pathways') await store.upsertPathways(step.pathways);
            else if (step.op === 'removeVms') await store.removeVms(step.ids);
            else if (step.op === 'removePathways') await store.removePathways(step.pathways);
            else await store.recordIncident({ incidentId: step.id, anomalyType: 'cpu', openedAt: 1, affectedVmIds: step.affected, sourceVmIds: step.sources });
          }
        }
        assert.deepEqual(await real.loadTopology(), await twin.loadTopology());
        assert.deepEqual(await real.incidentHistory(), await twin.incidentHistory());
        assert.deepEqual(await real.vulnerabilityCounts(), await twin.vulnerabilityCounts());
      } finally {
        await disposeOf(real);
      }
    }), { numRuns: 15 });
  });

  it('reports an unreachable server as STORE_UNAVAILABLE (retriable)', { timeout: 30_000 }, async () => {
    const store = new Neo4jGraphStore({ uri: 'bolt://127.0.0.1:1', namespace: 'unreachable', connectionTimeoutMs: 1_000, maxTransactionRetryTimeMs: 500 });
    try {
      await assert.rejects(store.init(), (error: unknown) => isStoreError(error, 'STORE_UNAVAILABLE') && error.retriable);
    } finally {
      await store.close();
    }
  });
});
