import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AllocationCommand } from '@foresight/contracts';
import { InMemoryGraphStore } from '@foresight/stores';
import { NO_ALLOCATOR_METRICS, type AllocatorMetrics, type StateLossCause } from '../src/allocator-metrics.js';
import { RES, allocatorWorld, host, risk, vm } from './allocator-world.js';

const T0 = 1_000_000;
const BUDGET = RES(6000, 16384, 1000);

/** A graph holding what the topology builder would: h1 (4000 millicores, 1000 used by vm1 and vm2) and h2. */
async function fleetRecord(): Promise<InMemoryGraphStore> {
  const graph = new InMemoryGraphStore();
  await graph.upsertHosts([{ hostId: 'h1', capacity: RES(4000, 8192, 1000) }, { hostId: 'h2', capacity: RES(2000, 4096, 1000) }]);
  const placed = (id: string, hostId: string) => ({ id, hostId, groupId: 'g1', systemId: 'sys', capacity: RES(4000, 8192, 1000), allocation: RES(500, 1024, 0), criticality: 0.5 });
  await graph.upsertVms([placed('vm1', 'h1'), placed('vm2', 'h1'), placed('vm3', 'h2')]);
  return graph;
}

/** Active (incident, VM) grants after each command; a GRANT of a pair already granted and not released is a duplicate. */
function duplicateGrants(commands: readonly AllocationCommand[]): string[] {
  const active = new Set<string>();
  const duplicates: string[] = [];
  for (const c of commands) {
    const pair = `${c.incidentId}/${c.vmId}`;
    if (c.action === 'GRANT') {
      if (active.has(pair)) duplicates.push(c.commandId);
      active.add(pair);
    } else if (c.action === 'RELEASE') active.delete(pair);
  }
  return duplicates;
}

describe('allocator: a state store that lost its data', () => {
  it('is detected, counted and rebuilt from the fleet record and settings; grants flow again; a re-granted pair is released first', async () => {
    const losses: StateLossCause[] = [];
    const metrics: AllocatorMetrics = { ...NO_ALLOCATOR_METRICS, stateLost: (cause) => { losses.push(cause); } };
    const w = await allocatorWorld({ budget: BUDGET }, undefined, undefined, { fleetRecord: await fleetRecord(), metrics });
    assert.deepEqual(losses, ['missing_at_start'], 'an empty store at start is built (and counted)');
    assert.deepEqual((await w.store.hostLedger('h1'))?.capacity, RES(3000, 6144, 1000), 'capacity from the fleet record, before any hosts event');

    await w.send('hosts', [host('h1', RES(4000, 8192, 1000))]);
    await w.send('inventory', [vm('vm1', 'h1', { allocation: RES(500, 1024, 0) }), vm('vm2', 'h1', { allocation: RES(500, 1024, 0) })]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]], { at: T0 })]);
    assert.deepEqual(w.commands.map((c) => `${c.action} ${c.vmId}`), ['GRANT vm1']);

    w.store.wipe();
    await w.allocator.tick(T0 + 500);
    assert.deepEqual(losses, ['missing_at_start', 'lost']);
    assert.deepEqual((await w.store.hostLedger('h1'))?.capacity, RES(3000, 6144, 1000), 'h1 headroom rebuilt without a hosts event');
    assert.deepEqual((await w.store.hostLedger('h2'))?.capacity, RES(1500, 3072, 1000));
    assert.deepEqual((await w.store.budget()).capacity, BUDGET, 'the budget from the settings');
    assert.ok(w.allocator.ready());

    // inc1 began before the new epoch: the lost ledger may have granted vm1, so it is released before it is granted again.
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9], ['vm2', 'h1', 0.05]], { version: 2, at: T0 + 1000 })]);
    // inc2 began after it: nothing of it can have been lost.
    await w.send('risk', [{ ...risk('inc2', [['vm3', 'h2', 0.9]], { at: T0 + 2000 }), sources: [{ vmId: 'src', onsetAt: T0 + 1500 }] }]);
    assert.deepEqual(w.commands.slice(1).map((c) => `${c.action} ${c.incidentId} ${c.vmId} ${c.reason.why}`), [
      'RELEASE inc1 vm1 ledger_lost', 'RELEASE inc1 vm2 ledger_lost', 'GRANT inc1 vm1 at_risk', 'GRANT inc2 vm3 at_risk',
    ]);
    assert.deepEqual(duplicateGrants(w.commands), []);
    assert.deepEqual((await w.store.hostLedger('h1'))?.reserved, RES(1000, 0, 0));
    await w.close();
  });

  it('is rebuilt by the next round when no tick came first', async () => {
    const w = await allocatorWorld({ budget: BUDGET }, undefined, undefined, { fleetRecord: await fleetRecord() });
    w.store.wipe();
    await w.send('risk', [risk('inc1', [['vm3', 'h2', 0.9]], { at: T0 })]);
    // The epoch began at the round's event time, after the incident's onset: vm3 may have been granted before.
    assert.deepEqual(w.commands.map((c) => `${c.action} ${c.vmId} ${c.reason.why}`), ['RELEASE vm3 ledger_lost', 'GRANT vm3 at_risk']);
    await w.close();
  });
});
