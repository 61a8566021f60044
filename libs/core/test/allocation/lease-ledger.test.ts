import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForesightError } from '../../src/errors.js';
import { applyPlan } from '../../src/allocation/lease-ledger.js';
import type { AllocationDecision, AllocationPlan } from '../../src/allocation/allocation-plan.js';
import { planAllocation } from '../../src/allocation/plan-allocation.js';
import { MINUTE, T0, atRisk, lease, pool, request, res } from './fixtures.js';

const reason = { incidentId: 'inc-1', probability: 0.8, etaAt: T0, priority: 1, why: 'at_risk' as const };

function decision(over: Partial<AllocationDecision>): AllocationDecision {
  return { action: 'GRANT', leaseId: 'L-new', incidentId: 'inc-1', vmId: 'vm-b', hostId: 'h1', resources: res(100, 0, 0), leaseExpiresAt: T0 + MINUTE, reason, ...over };
}

function plan(...decisions: AllocationDecision[]): AllocationPlan {
  return { now: T0, decisions, deferred: [] };
}

describe('applyPlan', () => {
  const start = pool({ h1: res(1000, 100, 10) }, res(5000, 500, 50));
  const held = [lease('vm-a', { resources: res(400, 0, 0) })];

  it('debits host and budget on GRANT/ADJUST growth and credits them on shrink and RELEASE', () => {
    const granted = applyPlan(start, held, plan(decision({ resources: res(300, 50, 0) })));
    assert.deepEqual(granted.pool.hostFree, { h1: res(700, 50, 10) });
    assert.deepEqual(granted.pool.budget, res(4700, 450, 50));
    assert.deepEqual(granted.leases.map((l) => [l.leaseId, l.expiresAt]), [['L-new', T0 + MINUTE], ['L-vm-a', T0 + 9 * MINUTE]]);
    const adjusted = applyPlan(granted.pool, granted.leases, plan(decision({ action: 'ADJUST', leaseId: 'L-vm-a', vmId: 'vm-a', resources: res(100, 0, 0), leaseExpiresAt: T0 + 2 * MINUTE })));
    assert.deepEqual(adjusted.pool.hostFree, { h1: res(1000, 50, 10) });
    const released = applyPlan(adjusted.pool, adjusted.leases, plan(decision({ action: 'RELEASE', leaseId: 'L-new' }), decision({ action: 'RELEASE', leaseId: 'L-vm-a', vmId: 'vm-a' })));
    assert.deepEqual(released.pool.hostFree, { h1: res(1400, 100, 10) });
    assert.deepEqual(released.pool.budget, res(5400, 500, 50));
    assert.deepEqual(released.leases, []);
  });

  it('RENEW only moves the expiry', () => {
    const renewed = applyPlan(start, held, plan(decision({ action: 'RENEW', leaseId: 'L-vm-a', vmId: 'vm-a', resources: res(400, 0, 0), leaseExpiresAt: T0 + 10 * MINUTE })));
    assert.deepEqual(renewed.leases, [{ ...held[0], expiresAt: T0 + 10 * MINUTE }]);
    assert.deepEqual(renewed.pool, start);
  });

  it('refuses a plan that overdraws a host, the budget or a cap, or names an unknown lease or host', () => {
    const overdraws = [
      plan(decision({ resources: res(1001, 0, 0) })),
      applyPlanWith({ budget: res(50, 500, 50) }, decision({ resources: res(100, 0, 0) })),
      applyPlanWith({ vmCaps: { default: res(50, 1e6, 1e6) } }, decision({ resources: res(100, 0, 0) })),
      plan(decision({ action: 'RELEASE', leaseId: 'nope' })),
      plan(decision({ hostId: 'h9' })),
      plan(decision({ leaseId: 'L-vm-a' })),
    ];
    for (const p of overdraws) {
      const base = 'pool' in p ? p.pool : start;
      const thePlan = 'pool' in p ? p.plan : p;
      assert.throws(() => applyPlan(base, held, thePlan), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
    }
  });

  it('does not mutate its inputs', () => {
    const before = JSON.stringify([start, held]);
    applyPlan(start, held, plan(decision({}), decision({ action: 'RELEASE', leaseId: 'L-vm-a', vmId: 'vm-a' })));
    assert.equal(JSON.stringify([start, held]), before);
  });

  it('round-trips a plan: the next pass over the applied state changes nothing', () => {
    const req = request({ atRisk: [atRisk('vm-a'), atRisk('vm-b', { anomalyType: 'latency' })] });
    const after = applyPlan(req.pool, req.leases, planAllocation(req));
    const next = planAllocation({ ...req, pool: after.pool, leases: after.leases, now: T0 + MINUTE });
    assert.deepEqual(next.decisions, []);
  });

  function applyPlanWith(over: Partial<typeof start>, d: AllocationDecision): { pool: typeof start; plan: AllocationPlan } {
    return { pool: { ...start, ...over }, plan: plan(d) };
  }
});
