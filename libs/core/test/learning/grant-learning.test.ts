import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { grantUtilityAt, utilityOptimalThreshold } from '../../src/learning/grant-threshold.js';
import { learnFromOutcomes } from '../../src/learning/learn-from-outcomes.js';
import type { IncidentOutcome } from '../../src/learning/outcome.js';
import { defaultModel } from '../../src/model/default-model.js';
import type { ModelParameters } from '../../src/model/model-parameters.js';
import { SeededRandom } from '../../src/seeded-random.js';
import { exposure, incident } from './outcome-builders.js';

const AT = 1;
const UTILITY = { usefulGrantBenefit: 3, wastedGrantCost: 1 };

/** Calibrated predictions: p uniform, outcome ~ Bernoulli(p). The expected-utility optimum is cost/(benefit+cost) = 0.25. */
function calibrated(seed: number, n: number): IncidentOutcome[] {
  const rng = new SeededRandom(seed);
  return [incident(`c${seed}`, Array.from({ length: n }, (_, i) => {
    const p = rng.next();
    return exposure({ vmId: `v${i}`, predictedProbability: p, becameAnomalous: rng.next() < p, edge: undefined });
  }))];
}

describe('grant threshold', () => {
  it('the optimum maximises empirical utility (brute force, property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { maxLength: 30 }), fc.double({ min: 0.05, max: 0.9, noNaN: true }), (rows, current) => {
      const samples = rows.map(([probability, becameAnomalous]) => ({ probability, becameAnomalous }));
      const t = utilityOptimalThreshold(samples, current, 0.05, 0.9, UTILITY);
      assert.ok(t >= 0.05 && t <= 0.9);
      const best = Math.max(...[0.05, 0.9, ...samples.map((s) => s.probability).filter((p) => p >= 0.05 && p <= 0.9)].map((c) => grantUtilityAt(samples, c, UTILITY)));
      assert.ok(grantUtilityAt(samples, t, UTILITY) >= best - 1e-9);
    }), { numRuns: 200 });
  });

  it('moves toward the utility optimum by at most the step, converging near cost/(benefit+cost)', () => {
    let model: ModelParameters = { ...defaultModel(), grantThreshold: 0.7, releaseThreshold: 0.35 };
    const thresholds = [model.grantThreshold];
    for (let step = 0; step < 20; step++) {
      model = learnFromOutcomes(model, calibrated(step, 2000), { at: step + 1, thresholdStep: 0.05 });
      thresholds.push(model.grantThreshold);
      assert.ok(Math.abs(model.releaseThreshold - model.grantThreshold * 0.5) < 1e-12, 'release = grant × hysteresis ratio');
    }
    for (let i = 1; i < thresholds.length; i++) assert.ok(Math.abs(thresholds[i] - thresholds[i - 1]) <= 0.05 + 1e-12, `step ${i} too large`);
    assert.ok(thresholds[1] < thresholds[0], 'first step goes down toward 0.25');
    assert.ok(Math.abs(model.grantThreshold - 0.25) < 0.06, `converged to ${model.grantThreshold}`);
  });

  it('stays within bounds and does not move on too little evidence', () => {
    const model = { ...defaultModel(), grantThreshold: 0.3, releaseThreshold: 0.15 };
    assert.equal(learnFromOutcomes(model, calibrated(1, 5), { at: AT }).grantThreshold, 0.3);
    const allWasted = [incident('w', Array.from({ length: 50 }, (_, i) => exposure({ vmId: `v${i}`, predictedProbability: 0.55, edge: undefined })))];
    let m: ModelParameters = model;
    for (let i = 0; i < 30; i++) m = learnFromOutcomes(m, allWasted, { at: i + 1, thresholdBounds: { min: 0.1, max: 0.6 } });
    assert.ok(m.grantThreshold > 0.55 && m.grantThreshold <= 0.6, `all wasted at 0.55: threshold rises above it but not past the bound (${m.grantThreshold})`);
    assert.ok(m.releaseThreshold < m.grantThreshold && m.releaseThreshold > 0);
  });
});

describe('grant size', () => {
  const failed = (n: number): IncidentOutcome[] => [incident('f', Array.from({ length: n }, (_, i) => exposure({ vmId: `v${i}`, becameAnomalous: true, grantInPlace: true, degradedMinutes: 12 })))];
  const wasted = (n: number): IncidentOutcome[] => [incident('w', Array.from({ length: n }, (_, i) => exposure({ vmId: `v${i}`, grantInPlace: true })))];

  it('grows the non-zero components by a bounded step when grants failed to prevent degradation', () => {
    const model = defaultModel();
    const before = model.types['latency'].grantSize;
    const after = learnFromOutcomes(model, failed(5), { at: AT }).types['latency'].grantSize;
    assert.deepEqual(after, { cpuMillis: before.cpuMillis * 1.25, memoryMiB: before.memoryMiB * 1.25, networkMbps: before.networkMbps * 1.25 });
    const errorRate = learnFromOutcomes(model, [incident('e', [exposure({ anomalyType: 'error_rate', becameAnomalous: true, grantInPlace: true, degradedMinutes: 9 })])], { at: AT });
    assert.equal(errorRate.types['error_rate'].grantSize.networkMbps, 0, 'zero components stay zero');
  });

  it('shrinks slowly when grants were in place and nothing degraded', () => {
    const before = defaultModel().types['latency'].grantSize;
    const after = learnFromOutcomes(defaultModel(), wasted(5), { at: AT }).types['latency'].grantSize;
    assert.ok(Math.abs(after.cpuMillis - before.cpuMillis * 0.95) < 1e-9);
  });

  it('stays within the per-resource bounds however long it learns', () => {
    const bounds = { min: { cpuMillis: 100, memoryMiB: 128, networkMbps: 10 }, max: { cpuMillis: 2000, memoryMiB: 1024, networkMbps: 100 } };
    let grow: ModelParameters = defaultModel();
    let shrink: ModelParameters = defaultModel();
    for (let i = 0; i < 100; i++) {
      grow = learnFromOutcomes(grow, failed(3), { at: i + 1, grantBounds: bounds });
      shrink = learnFromOutcomes(shrink, wasted(3), { at: i + 1, grantBounds: bounds });
    }
    assert.deepEqual(grow.types['latency'].grantSize, bounds.max);
    assert.deepEqual(shrink.types['latency'].grantSize, bounds.min);
  });

  it('does not change on unknown degradation of an anomalous VM or without grants', () => {
    const model = defaultModel();
    const outcomes = [incident('u', [exposure({ becameAnomalous: true, grantInPlace: true }), exposure({ becameAnomalous: true, degradedMinutes: 30 })])];
    assert.deepEqual(learnFromOutcomes(model, outcomes, { at: AT }).types['latency'].grantSize, model.types['latency'].grantSize);
  });
});
