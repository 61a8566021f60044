import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ALLOCATION_POLICY } from '@foresight/core';
import { RES, allocatorWorld, host, risk, vm } from './allocator-world.js';

const T0 = 1_000_000;
const TTL = DEFAULT_ALLOCATION_POLICY.leaseTtlMs;

describe('allocator', () => {
  it('grants to predicted VMs at or above the grant threshold, and reserves what it grants', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('inventory', [vm('vm1', 'h1'), vm('vm2', 'h1'), vm('vm3', 'h1')]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.8], ['vm2', 'h1', 0.1], ['vm3', 'h1', 0.3]])]);
    const grants = w.commands.filter((c) => c.action === 'GRANT');
    assert.deepEqual(grants.map((c) => c.vmId).sort(), ['vm1', 'vm3']);
    for (const g of grants) {
      assert.equal(g.mode, 'ENFORCE');
      assert.deepEqual({ ...g.resources }, RES(1000, 0, 0));
      assert.equal(g.leaseExpiresAt, T0 + TTL);
      assert.equal(g.commandId, `inc1/${g.vmId}/1/GRANT`);
    }
    const reserved = await w.store.activeReservations({ incidentId: 'inc1' });
    assert.deepEqual(reserved.map((r) => r.commandId).sort(), grants.map((g) => g.commandId).sort());
    assert.deepEqual((await w.store.hostLedger('h1'))?.reserved, RES(2000, 0, 0));
    await w.close();
  });

  it('offers a host its capacity minus what its VMs are allocated', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(4000, 8192, 1000))]);
    await w.send('inventory', [vm('vm1', 'h1', { allocation: RES(1500, 2048, 100) }), vm('vm2', 'h1', { allocation: RES(1000, 1024, 100) })]);
    assert.deepEqual((await w.store.hostLedger('h1'))?.capacity, RES(1500, 5120, 800));
    await w.send('inventory', [vm('vm2', 'h2', { allocation: RES(1000, 1024, 100) })]);
    assert.deepEqual((await w.store.hostLedger('h1'))?.capacity, RES(2500, 6144, 900));
    assert.equal(await w.store.hostLedger('h2'), undefined, 'a host the hosts topic never reported takes no reservations');
    await w.close();
  });

  it('is idempotent under redelivery of the same risk message: one GRANT, one reservation', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('inventory', [vm('vm1', 'h1')]);
    const assessment = risk('inc1', [['vm1', 'h1', 0.9]]);
    await w.send('risk', [assessment]);
    await w.send('risk', [assessment]);
    await w.send('risk', [assessment, assessment]);
    assert.equal(w.commands.length, 1);
    assert.equal((await w.store.activeReservations()).length, 1);
    assert.deepEqual((await w.store.budget()).reserved, RES(1000, 0, 0));
    await w.close();
  });

  it('ignores an older or equal risk version after a newer one', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]], { version: 2 })]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.01]], { version: 1, at: T0 + 1000 })]);
    assert.deepEqual(w.commands.map((c) => c.action), ['GRANT']);
    assert.equal((await w.store.activeReservations()).length, 1);
    await w.close();
  });

  it('releases every grant of an incident when it closes, and only that incident\'s', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9], ['vm2', 'h1', 0.9]]), risk('inc2', [['vm3', 'h1', 0.9]])]);
    await w.send('risk', [risk('inc1', [], { version: 2, status: 'CLOSED', at: T0 + 5000 })]);
    const releases = w.commands.filter((c) => c.action === 'RELEASE');
    assert.deepEqual(releases.map((c) => c.commandId).sort(), ['inc1/vm1/2/RELEASE', 'inc1/vm2/2/RELEASE']);
    assert.deepEqual({ ...releases[0]?.resources }, RES(1000, 0, 0));
    assert.deepEqual((await w.store.activeReservations()).map((r) => r.incidentId), ['inc2']);
    await w.close();
  });

  it('renews a lease still at risk near expiry, and expires it on tick when no assessment renews it', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]])]);
    const renewAt = T0 + TTL - DEFAULT_ALLOCATION_POLICY.renewBeforeMs + 1;
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]], { version: 2, at: renewAt })]);
    assert.deepEqual(w.commands.map((c) => `${c.action}:${c.commandId}`), ['GRANT:inc1/vm1/1/GRANT', 'ADJUST:inc1/vm1/2/RENEW']);
    await w.allocator.tick(renewAt + TTL - 1);
    await w.bus.drain();
    assert.equal(w.commands.length, 2, 'not due yet');
    await w.allocator.tick(renewAt + TTL);
    await w.bus.drain();
    const last = w.commands.at(-1);
    assert.equal(last?.action, 'RELEASE');
    assert.equal(last?.commandId, `inc1/vm1/expired-${renewAt + TTL}/RELEASE`);
    assert.equal((await w.store.activeReservations()).length, 0);
    assert.deepEqual((await w.store.budget()).reserved, RES(0, 0, 0));
    await w.close();
  });

  it('in SHADOW mode publishes what it would do and reserves nothing', async () => {
    const w = await allocatorWorld({ shadowSystems: ['shadowed'] });
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]], { systemId: 'shadowed' }), risk('inc2', [['vm2', 'h1', 0.9]])]);
    const byIncident = new Map(w.commands.map((c) => [c.incidentId, c]));
    assert.equal(byIncident.get('inc1')?.mode, 'SHADOW');
    assert.equal(byIncident.get('inc1')?.action, 'GRANT');
    assert.equal(byIncident.get('inc2')?.mode, 'ENFORCE');
    assert.deepEqual((await w.store.activeReservations()).map((r) => r.incidentId), ['inc2']);
    // The shadow lease is remembered: the next version does not grant again, and closing releases it in SHADOW.
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]], { version: 2, systemId: 'shadowed', at: T0 + 1000 })]);
    assert.equal(w.commands.filter((c) => c.incidentId === 'inc1').length, 1);
    await w.send('risk', [risk('inc1', [], { version: 3, status: 'CLOSED', systemId: 'shadowed', at: T0 + 2000 })]);
    const release = w.commands.at(-1);
    assert.equal(release?.action, 'RELEASE');
    assert.equal(release?.mode, 'SHADOW');
    assert.deepEqual((await w.store.activeReservations()).map((r) => r.incidentId), ['inc2']);
    await w.close();
  });

  it('expires SHADOW leases on tick', async () => {
    const w = await allocatorWorld({ defaultMode: 'SHADOW' });
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]])]);
    await w.allocator.tick(T0 + TTL);
    await w.bus.drain();
    assert.deepEqual(w.commands.map((c) => `${c.mode}:${c.action}`), ['SHADOW:GRANT', 'SHADOW:RELEASE']);
    await w.close();
  });

  it('holds the rate limit in event time: at most maxGrantsPerMinute GRANTs per minute', async () => {
    const w = await allocatorWorld({ maxGrantsPerMinute: 2 });
    await w.send('hosts', [host('h1', RES(64000, 65536, 10000))]);
    const vms = ['a', 'b', 'c', 'd', 'e'];
    await w.send('risk', [risk('inc1', vms.map((v) => [v, 'h1', 0.9] as const))]);
    assert.equal(w.commands.filter((c) => c.action === 'GRANT').length, 2);
    await w.send('risk', [risk('inc2', vms.map((v) => [`${v}2`, 'h1', 0.9] as const), { at: T0 + 10_000 })]);
    assert.equal(w.commands.filter((c) => c.action === 'GRANT').length, 2, 'same event-time minute');
    assert.equal((await w.store.activeReservations()).length, 2);
    await w.send('risk', [risk('inc1', vms.map((v) => [v, 'h1', 0.9] as const), { version: 2, at: T0 + 60_000 })]);
    assert.equal(w.commands.filter((c) => c.action === 'GRANT').length, 4, 'the next minute grants two more');
    await w.close();
  });

  for (const status of ['INFEASIBLE', 'FAILED'] as const) it(`frees the reservation of a command reported ${status} and tells the actuator`, async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9], ['vm2', 'h1', 0.9]])]);
    await w.send('allocation-outcomes', [{
      eventId: 'o1', eventTime: T0 + 100, commandId: 'inc1/vm1/1/GRANT', vmId: 'vm1', status, appliedAt: null, detail: 'no room on hypervisor',
    }]);
    assert.deepEqual((await w.store.activeReservations()).map((r) => r.vmId), ['vm2']);
    assert.deepEqual((await w.store.budget()).reserved, RES(1000, 0, 0));
    const release = w.commands.at(-1);
    assert.equal(release?.action, 'RELEASE');
    assert.equal(release?.vmId, 'vm1');
    await w.send('allocation-outcomes', [{
      eventId: 'o2', eventTime: T0 + 200, commandId: 'inc1/vm2/1/GRANT', vmId: 'vm2', status: 'APPLIED', appliedAt: T0 + 150, detail: '',
    }]);
    assert.equal((await w.store.activeReservations()).length, 1, 'APPLIED keeps the reservation');
    await w.close();
  });

  it('resizes a lease with an ADJUST when a new version raises the severity, and reserves the difference', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]], { severity: 0.5 })]);
    const granted = w.commands.at(-1);
    assert.equal(granted?.action, 'GRANT');
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]], { version: 2, at: T0 + 5000, severity: 1 })]);
    const adjusted = w.commands.at(-1);
    assert.equal(adjusted?.action, 'ADJUST');
    assert.equal(adjusted?.commandId, 'inc1/vm1/2/ADJUST');
    assert.ok(adjusted.resources.cpuMillis > granted.resources.cpuMillis, `${adjusted.resources.cpuMillis} ≤ ${granted.resources.cpuMillis}`);
    assert.deepEqual({ ...(await w.store.budget()).reserved }, { ...adjusted.resources });
    await w.close();
  });

  it('does not grant when the ledger refuses: the budget caps what is granted', async () => {
    const w = await allocatorWorld({ budget: RES(1200, 1000, 100) });
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9], ['vm2', 'h1', 0.8]])]);
    const grants = w.commands.filter((c) => c.action === 'GRANT');
    assert.equal(grants.length, 1);
    assert.ok((await w.store.budget()).reserved.cpuMillis <= 1200);
    await w.close();
  });

  it('replays an interrupted pass with the same command ids: reserved once, published once', async () => {
    const w = await allocatorWorld();
    await w.send('hosts', [host('h1', RES(8000, 16384, 1000))]);
    const publish = w.bus.publish.bind(w.bus);
    let failures = 1;
    w.bus.publish = (topic, messages, options) => {
      if (topic === 'allocations' && failures-- > 0) return Promise.reject(new Error('broker hiccup after the reserve'));
      return publish(topic, messages, options);
    };
    await w.send('risk', [risk('inc1', [['vm1', 'h1', 0.9]])]);
    assert.deepEqual(w.commands.map((c) => c.commandId), ['inc1/vm1/1/GRANT']);
    assert.equal((await w.store.activeReservations()).length, 1);
    await w.close();
  });
});
