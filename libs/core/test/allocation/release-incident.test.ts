import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForesightError } from '../../src/errors.js';
import { applyPlan } from '../../src/allocation/lease-ledger.js';
import { releaseIncident } from '../../src/allocation/release-incident.js';
import { T0, lease, pool, res } from './fixtures.js';

describe('releaseIncident', () => {
  const leases = [
    lease('vm-b', { leaseId: 'L2', incidentId: 'inc-1' }),
    lease('vm-a', { leaseId: 'L1', incidentId: 'inc-1', resources: res(0, 256, 0) }),
    lease('vm-a', { leaseId: 'L3', incidentId: 'inc-2' }),
  ];

  it('releases every lease of the incident, by vmId, and nothing else', () => {
    const plan = releaseIncident(leases, 'inc-1', T0);
    assert.deepEqual(plan.decisions.map((d) => [d.action, d.leaseId, d.leaseExpiresAt, d.reason.why, d.reason.incidentId]), [
      ['RELEASE', 'L1', T0, 'incident_closed', 'inc-1'],
      ['RELEASE', 'L2', T0, 'incident_closed', 'inc-1'],
    ]);
    const after = applyPlan(pool({ h1: res(0, 0, 0) }, res(0, 0, 0)), leases, plan);
    assert.deepEqual(after.leases.map((l) => l.leaseId), ['L3']);
    assert.deepEqual(after.pool.hostFree, { h1: res(1000, 256, 0) });
  });

  it('is empty for an incident without leases and rejects a bad incident id or time', () => {
    assert.deepEqual(releaseIncident(leases, 'inc-9', T0).decisions, []);
    assert.throws(() => releaseIncident(leases, '', T0), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => releaseIncident(leases, 'inc-1', Number.NaN), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
  });
});
