import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantBenefit, grantCost, urgency } from '../../src/allocation/grant-priority.js';
import { grantTarget, grantedFraction, isSignificantChange, wholeUnits } from '../../src/allocation/grant-sizing.js';
import { MINUTE, T0, atRisk, policy, res } from './fixtures.js';

describe('urgency, benefit and cost', () => {
  it('urgency is 1 when the ETA is exactly one actuation latency away and decays with slack', () => {
    assert.equal(urgency(T0 + policy.actuationLatencyMs, T0, policy), 1);
    assert.equal(urgency(T0 + policy.actuationLatencyMs + policy.urgencyHorizonMs, T0, policy), 0.5);
  });

  it('a late ETA (inside the actuation latency, or past) still counts, less than any on-time one within τ', () => {
    const late = urgency(T0, T0, policy);
    assert.ok(late > 0 && late <= policy.lateWeight);
    assert.ok(urgency(T0 - 10 * MINUTE, T0, policy) < late);
    assert.ok(urgency(T0 + policy.actuationLatencyMs + policy.urgencyHorizonMs, T0, policy) >= late);
  });

  it('benefit grows with probability, criticality and severity; a criticality-0 VM still ranks by probability', () => {
    const base = grantBenefit(atRisk('v', { criticality: 0 }), T0, policy);
    assert.ok(base > 0);
    assert.ok(grantBenefit(atRisk('v', { criticality: 0, probability: 0.9 }), T0, policy) > base);
    assert.ok(grantBenefit(atRisk('v', { criticality: 1 }), T0, policy) > base);
    assert.equal(grantBenefit(atRisk('v', { severity: 0 }), T0, policy), 0);
  });

  it('cost normalises each resource by the allowance, each term at most 1', () => {
    assert.equal(grantCost(res(500, 1024, 0), res(1000, 2048, 100)), 1);
    assert.equal(grantCost(res(500, 0, 0), res(0, 0, 0)), 1);
    assert.equal(grantCost(res(0, 0, 0), res(1, 1, 1)), 0);
  });
});

describe('grant sizing', () => {
  it('scales by severity, clamps to the cap, rounds down to whole units and keeps zero components zero', () => {
    assert.deepEqual(grantTarget(res(1000, 0, 50), 0.29, res(1e6, 1e6, 10)), res(290, 0, 10));
    assert.deepEqual(grantTarget(res(1000, 512, 50), 0, res(1e6, 1e6, 1e6)), res(0, 0, 0));
  });

  it('wholeUnits forgives float noise just under an integer', () => {
    assert.equal(wholeUnits(289.99999999999994), 290);
    assert.equal(wholeUnits(289.9), 289);
  });

  it('grantedFraction is the worst needed resource; significance is relative to the larger value', () => {
    assert.equal(grantedFraction(res(500, 0, 10), res(1000, 0, 100)), 0.1);
    assert.equal(grantedFraction(res(0, 0, 0), res(0, 0, 0)), 1);
    assert.equal(isSignificantChange(1000, 950, 0.1), false);
    assert.equal(isSignificantChange(1000, 850, 0.1), true);
    assert.equal(isSignificantChange(0, 1, 0.1), true);
  });
});
