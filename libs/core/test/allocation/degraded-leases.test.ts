import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForesightError } from '../../src/errors.js';
import { planAllocation } from '../../src/allocation/plan-allocation.js';
import { applyPlan } from '../../src/allocation/lease-ledger.js';
import type { AllocationPlan } from '../../src/allocation/allocation-plan.js';
import type { DegradedLeases } from '../../src/allocation/allocation-policy.js';
import type { AllocationRequest } from '../../src/allocation/allocation-request.js';
import type { Lease } from '../../src/allocation/lease.js';
import { MINUTE, T0, atRisk, lease, policy, pool, request, res } from './fixtures.js';

function withPolicy(degradedLeases: DegradedLeases, over: Partial<AllocationRequest>): AllocationRequest {
  return request({ ...over, policy: { ...policy, degradedLeases } });
}

function summary(plan: AllocationPlan): [string, string, string][] {
  return plan.decisions.map((d) => [d.action, d.vmId, d.reason.why]);
}

/**
 * Issue 14: a VM granted at risk in time, then itself anomalous (a source of the incident, so no longer at risk),
 * then recovered. Returns the plan of each step and the leases after it.
 */
function grantedThenDegradedThenRecovered(degradedLeases: DegradedLeases): { plans: AllocationPlan[]; leases: Lease[][] } {
  const steps: Partial<AllocationRequest>[] = [
    { now: T0, atRisk: [atRisk('api-1', { etaAt: T0 + MINUTE })] },
    { now: T0 + 2 * MINUTE, atRisk: [atRisk('web-1', { probability: 0.5 })], degraded: [{ incidentId: 'inc-1', vmId: 'api-1' }] },
    { now: T0 + 6 * MINUTE, atRisk: [atRisk('web-1', { probability: 0.5 })], degraded: [{ incidentId: 'inc-1', vmId: 'api-1' }] },
    { now: T0 + 10 * MINUTE, atRisk: [atRisk('web-1', { probability: 0.5 })] },
  ];
  let current = { pool: pool({ h1: res(10_000, 10_000, 10_000) }), leases: [] as Lease[] };
  const plans: AllocationPlan[] = [];
  const leases: Lease[][] = [];
  for (const step of steps) {
    const plan = planAllocation(withPolicy(degradedLeases, { ...step, pool: current.pool, leases: current.leases }));
    current = applyPlan(current.pool, current.leases, plan);
    plans.push(plan);
    leases.push(current.leases);
  }
  return { plans, leases };
}

describe('planAllocation: leases of degraded VMs (policy.degradedLeases)', () => {
  it('keep: a VM granted in time then turned source keeps its lease while degraded, renewed, and loses it on recovery', () => {
    const { plans, leases } = grantedThenDegradedThenRecovered('keep');
    assert.deepEqual(summary(plans[0]), [['GRANT', 'api-1', 'at_risk']]);
    const granted = plans[0].decisions[0];
    // Degraded: not released (it is no longer at risk), web-1 granted beside it.
    assert.deepEqual(summary(plans[1]), [['GRANT', 'web-1', 'at_risk']]);
    assert.deepEqual(leases[1].find((l) => l.vmId === 'api-1')?.resources, granted.resources);
    // Still degraded and within renewBeforeMs of expiry: renewed as degraded, same size.
    assert.deepEqual(summary(plans[2]), [['RENEW', 'api-1', 'still_degraded']]);
    assert.equal(plans[2].decisions[0].leaseExpiresAt, T0 + 16 * MINUTE);
    // Recovered (no longer a source) and not at risk: released.
    assert.deepEqual(summary(plans[3]), [['RELEASE', 'api-1', 'not_at_risk'], ['RENEW', 'web-1', 'still_at_risk']]);
    assert.deepEqual(plans[3].decisions[0].resources, granted.resources);
    assert.deepEqual(leases[3].map((l) => l.vmId), ['web-1']);
  });

  it('handover: the same VM is released at once with reason handed_over, and not granted again while degraded', () => {
    const { plans, leases } = grantedThenDegradedThenRecovered('handover');
    assert.deepEqual(summary(plans[0]), [['GRANT', 'api-1', 'at_risk']]);
    assert.deepEqual(summary(plans[1]), [['RELEASE', 'api-1', 'handed_over'], ['GRANT', 'web-1', 'at_risk']]);
    assert.equal(plans[1].decisions[0].leaseExpiresAt, T0 + 2 * MINUTE);
    assert.deepEqual(plans[1].decisions[0].resources, plans[0].decisions[0].resources);
    assert.deepEqual(summary(plans[2]), []);
    assert.deepEqual(leases[2].map((l) => l.vmId), ['web-1']);
  });

  it('handover: a degraded VM still listed at risk gets no grant (the reactive side has it)', () => {
    const degraded = [{ incidentId: 'inc-1', vmId: 'api-1' }];
    assert.deepEqual(summary(planAllocation(withPolicy('handover', { atRisk: [atRisk('api-1')], degraded }))), []);
    assert.deepEqual(summary(planAllocation(withPolicy('keep', { atRisk: [atRisk('api-1')], degraded }))), [['GRANT', 'api-1', 'at_risk']]);
  });

  it('keep: a degraded VM with an entry is sized by it but not released below the release threshold', () => {
    const degraded = [{ incidentId: 'inc-1', vmId: 'vm-a' }];
    const low = planAllocation(withPolicy('keep', { atRisk: [atRisk('vm-a', { probability: 0.01 })], leases: [lease('vm-a')], degraded }));
    assert.deepEqual(summary(low), []);
    const grown = planAllocation(withPolicy('keep', { atRisk: [atRisk('vm-a', { probability: 1, severity: 1.0 })], leases: [lease('vm-a', { resources: res(500, 0, 0) })], degraded }));
    assert.deepEqual(grown.decisions.map((d) => [d.action, d.resources.cpuMillis, d.reason.why]), [['ADJUST', 1000, 'size_changed']]);
  });

  it('keep: a degraded VM keeps its lease only in the incident it is degraded in, and still releases it at expiry', () => {
    const other = lease('vm-a', { leaseId: 'L-other', incidentId: 'inc-2' });
    const degraded = [{ incidentId: 'inc-1', vmId: 'vm-a' }];
    const plan = planAllocation(withPolicy('keep', { leases: [lease('vm-a'), other], degraded }));
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.leaseId, d.reason.why]), [['RELEASE', 'L-other', 'not_at_risk']]);
    const expired = planAllocation(withPolicy('keep', { leases: [lease('vm-a', { expiresAt: T0 })], degraded }));
    assert.deepEqual(summary(expired), [['RELEASE', 'vm-a', 'lease_expired']]);
  });

  it('keep: a degraded VM\'s kept lease is still brought down to a lowered cap', () => {
    const degraded = [{ incidentId: 'inc-1', vmId: 'vm-a' }];
    const plan = planAllocation(withPolicy('keep', { leases: [lease('vm-a')], degraded, pool: pool({ h1: res(10_000, 10_000, 10_000) }, undefined, res(600, 0, 0)) }));
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.resources.cpuMillis, d.reason.why]), [['ADJUST', 600, 'over_vm_cap']]);
  });

  it('without degraded pairs, both settings plan alike (today\'s at-risk rules)', () => {
    const over = { atRisk: [atRisk('vm-a'), atRisk('vm-b', { probability: 0.1 })], leases: [lease('vm-b'), lease('vm-c')] };
    assert.deepEqual(planAllocation(withPolicy('keep', over)), planAllocation(withPolicy('handover', over)));
  });

  it('rejects an unknown setting and malformed degraded pairs', () => {
    assert.throws(
      () => planAllocation(request({ policy: { ...policy, degradedLeases: 'hold' as DegradedLeases } })),
      (e: unknown) => e instanceof ForesightError && e.code === 'INVALID_PARAMETERS' && /degradedLeases/.test(e.message),
    );
    assert.throws(() => planAllocation(request({ degraded: [{ incidentId: 'inc-1', vmId: '' }] })), (e: unknown) => e instanceof ForesightError && e.code === 'INVALID_ARGUMENT');
  });
});
