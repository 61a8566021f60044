import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForesightError, type CoreErrorCode } from '../../src/errors.js';
import { planAllocation } from '../../src/allocation/plan-allocation.js';
import type { AllocationRequest } from '../../src/allocation/allocation-request.js';
import { GENERIC_ANOMALY_TYPE } from '../../src/model/anomaly-type.js';
import { atRisk, lease, model, policy, pool, request, res } from './fixtures.js';

function rejects(req: AllocationRequest, code: CoreErrorCode, message?: RegExp): void {
  assert.throws(() => planAllocation(req), (e: unknown) => {
    assert.ok(isForesightError(e, code), `expected ${code}, got ${String(e)}`);
    if (message !== undefined) assert.match(e.message, message);
    assert.equal(e.retriable, false);
    return true;
  });
}

describe('planAllocation input validation', () => {
  it('rejects NaN, negative and > 1 probabilities with INVALID_ARGUMENT naming the field', () => {
    for (const probability of [Number.NaN, -0.1, 1.5, Number.POSITIVE_INFINITY]) {
      rejects(request({ atRisk: [atRisk('vm-a', { probability })] }), 'INVALID_ARGUMENT', /probability/);
    }
  });

  it('rejects out-of-range severity, criticality and a non-finite ETA or now', () => {
    rejects(request({ atRisk: [atRisk('vm-a', { severity: 2 })] }), 'INVALID_ARGUMENT', /severity/);
    rejects(request({ atRisk: [atRisk('vm-a', { criticality: Number.NaN })] }), 'INVALID_ARGUMENT', /criticality/);
    rejects(request({ atRisk: [atRisk('vm-a', { etaAt: Number.NaN })] }), 'INVALID_ARGUMENT', /etaAt/);
    rejects(request({ now: Number.NaN }), 'INVALID_ARGUMENT', /now/);
    rejects(request({ atRisk: [atRisk('')] }), 'INVALID_ARGUMENT', /vmId/);
  });

  it('rejects negative or NaN resources in the pool, the caps and the leases with INVALID_RESOURCES', () => {
    rejects(request({ pool: pool({ h1: res(-1, 0, 0) }) }), 'INVALID_RESOURCES', /hostFree\[h1\]\.cpuMillis/);
    rejects(request({ pool: pool({ h1: res(0, 0, 0) }, res(0, Number.NaN, 0)) }), 'INVALID_RESOURCES', /budget\.memoryMiB/);
    rejects(request({ pool: pool({ h1: res(0, 0, 0) }, res(0, 0, 0), res(0, 0, -5)) }), 'INVALID_RESOURCES', /vmCaps\.default/);
    rejects(request({ leases: [lease('vm-a', { resources: res(Number.NaN, 0, 0) })] }), 'INVALID_RESOURCES', /L-vm-a/);
  });

  it('rejects releaseThreshold ≥ grantThreshold with INVALID_PARAMETERS', () => {
    rejects(request({ model: model({ grantThreshold: 0.3, releaseThreshold: 0.3 }) }), 'INVALID_PARAMETERS', /hysteresis/);
    rejects(request({ model: model({ grantThreshold: 0.3, releaseThreshold: 0.5 }) }), 'INVALID_PARAMETERS', /hysteresis/);
    rejects(request({ model: model({ grantThreshold: Number.NaN }) }), 'INVALID_PARAMETERS', /grantThreshold/);
  });

  it('rejects out-of-range policy knobs with INVALID_PARAMETERS', () => {
    const bad: Partial<typeof policy>[] = [
      { leaseTtlMs: 0 }, { renewBeforeMs: policy.leaseTtlMs }, { minUsefulFraction: 0 }, { minUsefulFraction: 1.1 },
      { actuationLatencyMs: -1 }, { adjustTolerance: 1 }, { urgencyHorizonMs: 0 }, { lateWeight: 0 },
    ];
    for (const knob of bad) rejects(request({ policy: { ...policy, ...knob } }), 'INVALID_PARAMETERS', new RegExp(Object.keys(knob)[0]));
  });

  it('rejects a model with no grant size for a type and no generic fallback', () => {
    const { [GENERIC_ANOMALY_TYPE]: _generic, ...types } = model().types;
    rejects(request({ model: model({ types }), atRisk: [atRisk('vm-a', { anomalyType: 'martian_rays' })] }), 'INVALID_PARAMETERS', /martian_rays/);
  });

  it('rejects a lease on a host not in the pool with INVALID_ARGUMENT', () => {
    rejects(request({ leases: [lease('vm-a', { hostId: 'h-gone' })] }), 'INVALID_ARGUMENT', /host h-gone, which is not in the pool/);
  });

  it('rejects duplicate at-risk pairs, duplicate lease ids and two leases for one pair', () => {
    rejects(request({ atRisk: [atRisk('vm-a'), atRisk('vm-a', { probability: 0.5 })] }), 'INVALID_ARGUMENT', /twice/);
    rejects(request({ leases: [lease('vm-a'), lease('vm-b', { leaseId: 'L-vm-a' })] }), 'INVALID_ARGUMENT', /duplicate lease id/);
    rejects(request({ leases: [lease('vm-a'), lease('vm-a', { leaseId: 'other' })] }), 'INVALID_ARGUMENT', /both cover/);
  });
});
