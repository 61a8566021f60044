import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planAllocation } from '../../src/allocation/plan-allocation.js';
import { applyPlan } from '../../src/allocation/lease-ledger.js';
import { leaseIdFor } from '../../src/allocation/lease.js';
import { BIG, MINUTE, T0, atRisk, capacityViolations, counts, lease, model, pool, request, res } from './fixtures.js';

describe('planAllocation', () => {
  it('grants grantSize × severity of the type, only the resources the type needs, for one TTL', () => {
    const plan = planAllocation(request({ atRisk: [atRisk('vm-a', { severity: 0.5, anomalyType: 'cpu_saturation' })] }));
    assert.deepEqual(plan.decisions, [{
      action: 'GRANT',
      leaseId: leaseIdFor('inc-1', 'vm-a', T0),
      incidentId: 'inc-1',
      vmId: 'vm-a',
      hostId: 'h1',
      resources: res(500, 0, 0),
      leaseExpiresAt: T0 + 10 * MINUTE,
      reason: { incidentId: 'inc-1', probability: 0.8, etaAt: T0 + MINUTE, priority: plan.decisions[0].reason.priority, why: 'at_risk' },
    }]);
    assert.ok(plan.decisions[0].reason.priority! > 0);
    assert.deepEqual(plan.deferred, []);
  });

  it('sizes an unknown anomaly type with the generic grant size instead of failing', () => {
    const plan = planAllocation(request({ atRisk: [atRisk('vm-a', { anomalyType: 'martian_rays' }), atRisk('vm-b', { anomalyType: '¿?' })] }));
    assert.deepEqual(plan.decisions.map((d) => d.resources), [res(500, 512, 50), res(500, 512, 50)]);
  });

  it('keeps zero components zero (memory_pressure grants memory only)', () => {
    const plan = planAllocation(request({ atRisk: [atRisk('vm-a', { anomalyType: 'memory_pressure', severity: 0.3 })] }));
    assert.deepEqual(plan.decisions[0].resources, res(0, 307, 0));
  });

  it('grants nothing below grantThreshold, even inside the hysteresis band', () => {
    const plan = planAllocation(request({ atRisk: [atRisk('vm-a', { probability: 0.29 }), atRisk('vm-b', { probability: 0.1 })] }));
    assert.deepEqual(plan.decisions, []);
  });

  it('keeps a lease whose probability fell into the band, and releases it below releaseThreshold', () => {
    const kept = planAllocation(request({ atRisk: [atRisk('vm-a', { probability: 0.16 })], leases: [lease('vm-a')] }));
    assert.deepEqual(kept.decisions, []);
    const released = planAllocation(request({ atRisk: [atRisk('vm-a', { probability: 0.14 })], leases: [lease('vm-a')] }));
    assert.deepEqual(released.decisions.map((d) => [d.action, d.reason.why, d.reason.probability, d.leaseExpiresAt]), [['RELEASE', 'below_release_threshold', 0.14, T0]]);
  });

  it('renews a kept lease only once it is within renewBeforeMs of expiry', () => {
    const far = planAllocation(request({ atRisk: [atRisk('vm-a')], leases: [lease('vm-a', { expiresAt: T0 + 6 * MINUTE })] }));
    assert.deepEqual(far.decisions, []);
    const near = planAllocation(request({ atRisk: [atRisk('vm-a', { probability: 0.2 })], leases: [lease('vm-a', { expiresAt: T0 + 5 * MINUTE })] }));
    assert.deepEqual(near.decisions.map((d) => [d.action, d.leaseId, d.leaseExpiresAt, d.reason.why]), [['RENEW', 'L-vm-a', T0 + 10 * MINUTE, 'still_at_risk']]);
  });

  it('releases an expired lease and grants afresh only when the grant threshold is met', () => {
    const expired = lease('vm-a', { expiresAt: T0 });
    const regrant = planAllocation(request({ atRisk: [atRisk('vm-a')], leases: [expired] }));
    assert.deepEqual(regrant.decisions.map((d) => [d.action, d.reason.why]), [['RELEASE', 'lease_expired'], ['GRANT', 'at_risk']]);
    const inBand = planAllocation(request({ atRisk: [atRisk('vm-a', { probability: 0.2 })], leases: [expired] }));
    assert.deepEqual(inBand.decisions.map((d) => [d.action, d.reason.why]), [['RELEASE', 'lease_expired']]);
  });

  it('releases leases whose VM is no longer at risk, or has moved host (then grants on the new host)', () => {
    const gone = planAllocation(request({ leases: [lease('vm-a')] }));
    assert.deepEqual(gone.decisions.map((d) => [d.action, d.reason.why, d.reason.probability]), [['RELEASE', 'not_at_risk', null]]);
    const moved = planAllocation(request({ pool: pool({ h1: BIG, h2: BIG }), atRisk: [atRisk('vm-a', { hostId: 'h2' })], leases: [lease('vm-a')] }));
    assert.deepEqual(moved.decisions.map((d) => [d.action, d.hostId, d.reason.why]), [['RELEASE', 'h1', 'vm_moved'], ['GRANT', 'h2', 'at_risk']]);
  });

  it('adjusts a lease when the target moves by more than the tolerance, and not otherwise', () => {
    const shrink = planAllocation(request({ atRisk: [atRisk('vm-a', { severity: 0.5 })], leases: [lease('vm-a')] }));
    assert.deepEqual(shrink.decisions.map((d) => [d.action, d.resources, d.leaseExpiresAt, d.reason.why]), [['ADJUST', res(500, 0, 0), T0 + 10 * MINUTE, 'size_changed']]);
    const wobble = planAllocation(request({ atRisk: [atRisk('vm-a', { severity: 0.95 })], leases: [lease('vm-a')] }));
    assert.deepEqual(wobble.decisions, []);
    const grow = planAllocation(request({ atRisk: [atRisk('vm-a')], leases: [lease('vm-a', { resources: res(300, 0, 0) })] }));
    assert.deepEqual(grow.decisions.map((d) => [d.action, d.resources]), [['ADJUST', res(1000, 0, 0)]]);
  });

  it('grows a partial lease only as far as the host has room, counting what the lease already holds', () => {
    const plan = planAllocation(request({ pool: pool({ h1: res(400, 0, 0) }), atRisk: [atRisk('vm-a')], leases: [lease('vm-a', { resources: res(300, 0, 0) })] }));
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.resources]), [['ADJUST', res(700, 0, 0)]]);
  });

  it('ranks by benefit per cost: the critical VM gets the scarce capacity, the other is deferred', () => {
    const plan = planAllocation(request({
      pool: pool({ h1: res(1000, 0, 0) }),
      atRisk: [atRisk('vm-low', { criticality: 0.1 }), atRisk('vm-high', { criticality: 0.9 })],
    }));
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.vmId]), [['GRANT', 'vm-high']]);
    assert.deepEqual(plan.deferred.map((d) => [d.vmId, d.reason.why, d.wanted, d.available]), [['vm-low', 'insufficient_capacity', res(1000, 0, 0), res(0, 0, 0)]]);
  });

  it('makes a partial grant at or above minUsefulFraction and defers one below it', () => {
    const two = [atRisk('vm-a', { criticality: 0.9 }), atRisk('vm-b', { criticality: 0.1 })];
    const partial = planAllocation(request({ pool: pool({ h1: res(1500, 0, 0) }), atRisk: two }));
    assert.deepEqual(partial.decisions.map((d) => [d.vmId, d.resources.cpuMillis]), [['vm-a', 1000], ['vm-b', 500]]);
    const tooSmall = planAllocation(request({ pool: pool({ h1: res(1200, 0, 0) }), atRisk: two }));
    assert.deepEqual(tooSmall.decisions.map((d) => d.vmId), ['vm-a']);
    assert.deepEqual(tooSmall.deferred.map((d) => [d.vmId, d.available.cpuMillis, d.reason.why]), [['vm-b', 200, 'insufficient_capacity']]);
  });

  it('prefers the sooner ETA, and still grants a late one when there is room', () => {
    const soon = atRisk('vm-soon', { etaAt: T0 + MINUTE });
    const later = atRisk('vm-later', { etaAt: T0 + 20 * MINUTE });
    const late = atRisk('vm-late', { etaAt: T0 - 10 * MINUTE });
    const plan = planAllocation(request({ atRisk: [late, later, soon] }));
    assert.deepEqual(plan.decisions.map((d) => d.vmId), ['vm-soon', 'vm-later', 'vm-late']);
  });

  it('breaks exact ties by vmId then incidentId', () => {
    const plan = planAllocation(request({
      pool: pool({ h1: res(2000, 0, 0) }),
      atRisk: [atRisk('vm-b'), atRisk('vm-a', { incidentId: 'inc-2' }), atRisk('vm-a', { incidentId: 'inc-1' })],
    }));
    assert.deepEqual(plan.decisions.map((d) => [d.vmId, d.incidentId]), [['vm-a', 'inc-1'], ['vm-a', 'inc-2']]);
    assert.deepEqual(plan.deferred.map((d) => d.vmId), ['vm-b']);
  });

  it('gives a VM one lease per incident, with the cap counting their sum', () => {
    const plan = planAllocation(request({
      pool: pool({ h1: BIG }, BIG, res(1500, 1e6, 1e6)),
      atRisk: [atRisk('vm-a', { incidentId: 'inc-1' }), atRisk('vm-a', { incidentId: 'inc-2' })],
    }));
    assert.deepEqual(plan.decisions.map((d) => [d.incidentId, d.resources.cpuMillis]), [['inc-1', 1000], ['inc-2', 500]]);
  });

  it('honours per-VM cap overrides and the cluster budget across hosts', () => {
    const plan = planAllocation(request({
      pool: pool({ h1: BIG, h2: BIG }, res(1800, 1e6, 1e6), BIG, { 'vm-a': res(600, 0, 0) }),
      atRisk: [atRisk('vm-a'), atRisk('vm-b', { hostId: 'h2' }), atRisk('vm-c', { hostId: 'h2' })],
    }));
    // vm-a's capped grant costs less for the same benefit, so it ranks first.
    assert.deepEqual(plan.decisions.map((d) => [d.vmId, d.resources.cpuMillis]), [['vm-a', 600], ['vm-b', 1000]]);
    assert.deepEqual(plan.deferred.map((d) => [d.vmId, d.available.cpuMillis]), [['vm-c', 200]]);
  });

  it('shrinks leases that exceed a lowered VM cap, before anything grows', () => {
    const req = request({
      pool: pool({ h1: res(0, 0, 0) }, BIG, res(1500, 1e6, 1e6)),
      atRisk: [atRisk('vm-a', { incidentId: 'inc-1' }), atRisk('vm-a', { incidentId: 'inc-2' })],
      leases: [lease('vm-a', { leaseId: 'L1', incidentId: 'inc-1' }), lease('vm-a', { leaseId: 'L2', incidentId: 'inc-2' })],
    });
    const plan = planAllocation(req);
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.leaseId, d.resources.cpuMillis, d.reason.why]), [['ADJUST', 'L1', 500, 'over_vm_cap']]);
    assert.deepEqual(capacityViolations(req, applyPlan(req.pool, req.leases, plan).leases), []);
  });

  it('defers a VM whose host is not in the pool instead of failing the pass', () => {
    const plan = planAllocation(request({ atRisk: [atRisk('vm-a', { hostId: 'h-new' }), atRisk('vm-b')] }));
    assert.deepEqual(plan.decisions.map((d) => d.vmId), ['vm-b']);
    assert.deepEqual(plan.deferred.map((d) => [d.vmId, d.reason.why]), [['vm-a', 'unknown_host']]);
  });

  it('orders releases before grants so that the plan can be actuated in order on a full host', () => {
    const req = request({ pool: pool({ h1: res(0, 0, 0) }), atRisk: [atRisk('vm-b')], leases: [lease('vm-a')] });
    const plan = planAllocation(req);
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.vmId]), [['RELEASE', 'vm-a'], ['GRANT', 'vm-b']]);
    assert.deepEqual(counts(plan), { GRANT: 1, ADJUST: 0, RENEW: 0, RELEASE: 1 });
  });

  it('uses the thresholds of the model it is given', () => {
    const plan = planAllocation(request({ model: model({ grantThreshold: 0.9, releaseThreshold: 0.5 }), atRisk: [atRisk('vm-a', { probability: 0.8 })] }));
    assert.deepEqual(plan.decisions, []);
  });

  it('never pre-empts a kept lease for a higher-priority newcomer', () => {
    const plan = planAllocation(request({
      pool: pool({ h1: res(0, 0, 0) }),
      atRisk: [atRisk('vm-old', { probability: 0.2, criticality: 0 }), atRisk('vm-new', { probability: 1, criticality: 1 })],
      leases: [lease('vm-old')],
    }));
    assert.deepEqual(plan.decisions, []);
    assert.deepEqual(plan.deferred.map((d) => [d.vmId, d.reason.why]), [['vm-new', 'insufficient_capacity']]);
  });

  it('splits a change of resource mix into a shrink first and a growth later, so each step fits', () => {
    const req = request({
      pool: pool({ h1: res(0, 1024, 0) }),
      atRisk: [atRisk('vm-a', { anomalyType: 'memory_pressure' })],
      leases: [lease('vm-a', { resources: res(1000, 0, 0) })],
    });
    const plan = planAllocation(req);
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.resources]), [['ADJUST', res(0, 0, 0)], ['ADJUST', res(0, 1024, 0)]]);
    assert.deepEqual(applyPlan(req.pool, req.leases, plan).pool.hostFree, { h1: res(1000, 0, 0) });
  });
});
