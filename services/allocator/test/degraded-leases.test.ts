import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RiskAssessment } from '@foresight/contracts';
import { DEFAULT_ALLOCATION_POLICY, type DegradedLeases } from '@foresight/core';
import { RES, allocatorWorld, host, risk, vm, type AllocatorWorld } from './allocator-world.js';

const T0 = 1_000_000;
const MINUTE = 60_000;
const TTL = DEFAULT_ALLOCATION_POLICY.leaseTtlMs;

/** An assessment whose sources (the degraded VMs) are `sources`, listing `atRisk` as [vmId, hostId, probability]. */
function assessment(version: number, at: number, sources: readonly string[], atRisk: readonly (readonly [string, string, number])[]): RiskAssessment {
  return { ...risk('inc1', atRisk, { version, at }), sources: sources.map((vmId) => ({ vmId, onsetAt: at - 1000 })) };
}

/** Issue 14's story on the embedded bus: api-1 granted at risk (v1), then itself anomalous, a source (v2). */
async function grantedThenSource(degradedLeases: DegradedLeases): Promise<AllocatorWorld> {
  const w = await allocatorWorld({ policy: { ...DEFAULT_ALLOCATION_POLICY, degradedLeases } });
  await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
  await w.send('inventory', [vm('db-1', 'h1'), vm('api-1', 'h1'), vm('web-1', 'h1')]);
  await w.send('risk', [assessment(1, T0, ['db-1'], [['api-1', 'h1', 0.8]])]);
  await w.send('risk', [assessment(2, T0 + MINUTE, ['db-1', 'api-1'], [['web-1', 'h1', 0.8]])]);
  return w;
}

function actions(w: AllocatorWorld): string[] {
  return w.commands.map((c) => `${c.action}:${c.vmId}:${c.reason.why}`);
}

describe('allocator: a lease whose VM turns degraded (FORESIGHT_ALLOCATOR_DEGRADED_LEASES)', () => {
  it('keep (default): keeps the reservation while the VM is a source, renews it, and releases it once the VM recovers', async () => {
    const w = await grantedThenSource('keep');
    assert.deepEqual(actions(w), ['GRANT:api-1:at_risk', 'GRANT:web-1:at_risk']);
    assert.deepEqual((await w.store.activeReservations({ vmIds: ['api-1'] })).map((r) => r.resources), [RES(1000, 0, 0)]);
    // Still a source near expiry: renewed (an ADJUST on the wire) as still degraded.
    const renewAt = T0 + TTL - DEFAULT_ALLOCATION_POLICY.renewBeforeMs + 1;
    await w.send('risk', [assessment(3, renewAt, ['db-1', 'api-1'], [['web-1', 'h1', 0.8]])]);
    assert.deepEqual(actions(w).slice(2), ['ADJUST:api-1:still_degraded']);
    // api-1 recovered (no longer a source, not at risk): released, its reservation freed.
    await w.send('risk', [assessment(4, renewAt + MINUTE, ['db-1'], [['web-1', 'h1', 0.8]])]);
    assert.deepEqual(actions(w).slice(3), ['RELEASE:api-1:not_at_risk', 'ADJUST:web-1:still_at_risk']);
    assert.deepEqual(await w.store.activeReservations({ vmIds: ['api-1'] }), []);
    await w.close();
  });

  it('keep: the lease still goes at expiry when no assessment renews it, and when the incident closes', async () => {
    const w = await grantedThenSource('keep');
    await w.allocator.tick(T0 + TTL);
    await w.bus.drain();
    assert.deepEqual(actions(w).slice(2), ['RELEASE:api-1:lease_expired']);
    await w.send('risk', [{ ...assessment(3, T0 + TTL + MINUTE, [], []), status: 'CLOSED' }]);
    assert.deepEqual(actions(w).slice(3), ['RELEASE:web-1:incident_closed']);
    assert.deepEqual(await w.store.activeReservations(), []);
    await w.close();
  });

  it('handover: releases the lease the moment its VM becomes a source, with reason handed_over', async () => {
    const w = await grantedThenSource('handover');
    assert.deepEqual(actions(w), ['GRANT:api-1:at_risk', 'RELEASE:api-1:handed_over', 'GRANT:web-1:at_risk']);
    const release = w.commands[1];
    assert.equal(release.commandId, 'inc1/api-1/2/RELEASE');
    assert.deepEqual({ ...release.resources }, RES(1000, 0, 0));
    assert.equal(release.leaseExpiresAt, T0 + MINUTE);
    assert.deepEqual(await w.store.activeReservations({ vmIds: ['api-1'] }), []);
    await w.close();
  });
});
