import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { healthyEvidence, healthyEvidenceFactor } from '../../src/incident/healthy-evidence.js';
import { fitOnset, timingPenalty } from '../../src/incident/origin-likelihood.js';

describe('healthy evidence factor', () => {
  it('equals the exponential-survival posterior divided by p', () => {
    const p = 0.6;
    const s = Math.exp(-2); // healthy two mean delays after onset
    const posterior = (p * s) / (p * s + 1 - p);
    assert.ok(Math.abs(healthyEvidenceFactor(p, 0, 1000, 2000) - posterior / p) < 1e-12);
  });

  it('is 1 before the onset and for p = 0', () => {
    assert.equal(healthyEvidenceFactor(0.5, 100, 1000, 50), 1);
    assert.equal(healthyEvidenceFactor(0.5, 100, 1000, 100), 1);
    assert.equal(healthyEvidenceFactor(0, 0, 1000, 5000), 1);
  });

  it('stays in (0, 1], falls with time since onset, and the posterior never exceeds the prior', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        (p, mean, dt1, dt2) => {
          const [early, late] = dt1 <= dt2 ? [dt1, dt2] : [dt2, dt1];
          const f1 = healthyEvidenceFactor(p, 0, mean, early);
          const f2 = healthyEvidenceFactor(p, 0, mean, late);
          assert.ok(f1 >= 0 && f1 <= 1 + 1e-12);
          assert.ok(f2 <= f1 + 1e-12);
          assert.ok(p * f2 <= p + 1e-12);
        },
      ),
    );
  });

  it('uses the onset of the source that starts the VM\'s likeliest path', () => {
    const entry = { vmId: 'b', probability: 0.5, etaAt: 1300, path: ['s2', 'b'], contributions: [] };
    const [e] = healthyEvidence(new Map([['b', 2000]]), [entry], [{ vmId: 's1', onsetAt: 0 }, { vmId: 's2', onsetAt: 1000 }]);
    assert.equal(e?.onsetAt, 1000);
    assert.equal(e?.meanDelayMs, 300);
    assert.ok(Math.abs(e.factor - healthyEvidenceFactor(0.5, 1000, 300, 2000)) < 1e-12);
  });
});

describe('origin likelihood pieces', () => {
  it('timing penalty is 0 on time and grows linearly, relative to the predicted delay', () => {
    assert.equal(timingPenalty(30_000, 30_000, 5000), 0);
    assert.ok(Math.abs(timingPenalty(60_000, 30_000, 5000) - Math.SQRT2) < 1e-12);
    assert.ok(Math.abs(timingPenalty(0, 30_000, 5000) - Math.SQRT2) < 1e-12);
  });

  it('an arrival before the onset costs 1/skew nats per millisecond beyond the penalty at zero delay', () => {
    assert.ok(Math.abs(timingPenalty(-10_000, 30_000, 5000) - (Math.SQRT2 + 2)) < 1e-12);
    assert.ok(timingPenalty(-1, 30_000, 5000) > timingPenalty(0, 30_000, 5000));
  });

  it('fitOnset minimises the weighted absolute deviation under its upper bound (brute force)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: fc.integer({ min: -1000, max: 1000 }), w: fc.double({ min: 0.01, max: 10, noNaN: true }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: -1000, max: 1000 }),
        (points, upper) => {
          const cost = (t: number): number => points.reduce((s, p) => s + p.w * Math.abs(p.x - t), 0);
          const tau = fitOnset(points, upper);
          assert.ok(tau <= upper);
          const candidates = [upper, ...points.map((p) => p.x).filter((x) => x <= upper)];
          const best = Math.min(...candidates.map(cost));
          assert.ok(cost(tau) <= best + 1e-6 * (1 + best));
        },
      ),
    );
  });
});
