import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { learnDelay, shrunkDelay } from '../../src/learning/carrier-learning.js';
import { learnGrantThreshold, recallFloorThreshold, type GrantDecisionSample } from '../../src/learning/grant-threshold.js';
import { learnFromOutcomes } from '../../src/learning/learn-from-outcomes.js';
import { createLearnerState, learnerWindow, recordOutcome, trimLearnerState } from '../../src/learning/learner-state.js';
import { resolveLearningOptions } from '../../src/learning/learning-options.js';
import { fitLogistic, type TransmissionExample } from '../../src/learning/logistic-fit.js';
import type { IncidentOutcome } from '../../src/learning/outcome.js';
import { pairedAuprc } from '../../src/learning/paired-auprc.js';
import { nearestParent, collectTransmissionEvidence } from '../../src/learning/transmission-evidence.js';
import { defaultModel } from '../../src/model/default-model.js';
import { carrierFor, sigmoid } from '../../src/model/transmission.js';
import { SeededRandom } from '../../src/seeded-random.js';
import { API_EDGE, apiChance, apiEdgeWithCalls, exposure, incident } from './outcome-builders.js';

const AT = 1_700_000_000_000;

/** Outcomes of API edges whose true chance falls with the call rate (the opposite of the default model's slope). */
function fallingWithCalls(seed: number, count: number): IncidentOutcome[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const calls = Math.expm1(rng.next() * Math.log1p(10_000));
    const p = apiChance([-0.5, 0, -3, 0, 0, 0], calls);
    return incident(`fall-${seed}-${i}`, [exposure({ vmId: `vm-${i}`, becameAnomalous: rng.next() < p, edge: apiEdgeWithCalls(calls) })]);
  });
}

describe('fitLogistic with lower bounds (projected Newton)', () => {
  it('returns the box-constrained optimum: the bounded slope at 0 with a pushing gradient, the free ones stationary', () => {
    const rng = new SeededRandom(3);
    const examples: TransmissionExample[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = Float64Array.of(1, rng.next(), rng.next());
      examples.push({ x, y: rng.next() < sigmoid(-0.5 - 2 * (x[1] ?? 0) + 1 * (x[2] ?? 0)) ? 1 : 0, offset: 0 });
    }
    const options = { l2: 0.1, maxSteps: 50, maxAbsWeight: 12 };
    const free = fitLogistic(examples, [0, 0, 0], options);
    assert.ok((free[1] ?? 0) < -1, `unconstrained slope ${free[1]}`);
    const bounded = fitLogistic(examples, [0, 0, 0], { ...options, lowerBounds: [undefined, 0, 0] });
    assert.equal(bounded[1], 0);
    assert.ok((bounded[2] ?? 0) > 0.5);
    // KKT: the gradient of the penalised negative log-likelihood is 0 in the free coordinates and ≥ 0 at the bound.
    const grad = [0, 0, 0];
    for (const e of examples) {
      const r = sigmoid(bounded.reduce((z, w, i) => z + w * (e.x[i] ?? 0), 0)) - e.y;
      for (let i = 0; i < 3; i++) grad[i] = (grad[i] ?? 0) + r * (e.x[i] ?? 0);
    }
    for (let i = 0; i < 3; i++) grad[i] = (grad[i] ?? 0) + 0.1 * (bounded[i] ?? 0);
    assert.ok(Math.abs(grad[0] ?? 1) < 1e-4 && Math.abs(grad[2] ?? 1) < 1e-4, `free gradient ${grad[0]}, ${grad[2]}`);
    assert.ok((grad[1] ?? -1) > 0, `the bound holds against a gradient pushing down: ${grad[1]}`);
  });

  it('never returns a coordinate below its bound, whatever the data and the anchor (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { maxLength: 40 }),
      (anchor, rows) => {
        const examples = rows.map(([x, y]) => ({ x: Float64Array.of(1, x, 1 - x), y: y ? 1 : 0, offset: 0 }));
        const w = fitLogistic(examples, anchor, { l2: 0.5, maxSteps: 25, maxAbsWeight: 12, lowerBounds: [undefined, 0, -1] });
        assert.ok((w[1] ?? -1) >= 0 && (w[2] ?? -2) >= -1, `weights ${w.join(', ')}`);
      },
    ), { numRuns: 100 });
  });
});

describe('learnFromOutcomes: constraints where the physics is known', () => {
  it('never learns a negative slope under the default constraint; with `none` it follows the data', () => {
    const outcomes = fallingWithCalls(11, 800);
    const model = defaultModel();
    const constrained = learnFromOutcomes(model, outcomes, { at: AT, l2: 0.1 });
    const free = learnFromOutcomes(model, outcomes, { at: AT, l2: 0.1, slopeConstraint: 'none' });
    const slope = (m: typeof model): number => carrierFor(m.types['latency'], 'API_CALL', 'reverse')!.weights[2];
    assert.ok(slope(free) < -0.5, `unconstrained calls slope ${slope(free)}`);
    assert.ok(slope(constrained) >= 0, `constrained calls slope ${slope(constrained)}`);
    for (const params of Object.values(constrained.types)) {
      for (const table of Object.values(params.carriers)) {
        for (const c of [table?.forward, table?.reverse]) if (c !== undefined) c.weights.slice(1).forEach((w) => assert.ok(w >= 0));
      }
    }
    assert.throws(() => resolveLearningOptions({ at: AT, slopeConstraint: 'sideways' as 'none' }), /slopeConstraint/);
  });

  it('stays at its prior on data generated by the prior itself', () => {
    const model = defaultModel();
    const prior = carrierFor(model.types['latency'], 'API_CALL', 'reverse')!;
    const rng = new SeededRandom(21);
    const outcomes = Array.from({ length: 600 }, (_, i) => {
      const calls = Math.expm1(rng.next() * Math.log1p(10_000));
      return incident(`prior-${i}`, [exposure({ vmId: `vm-${i}`, becameAnomalous: rng.next() < apiChance(prior.weights, calls), edge: apiEdgeWithCalls(calls) })]);
    });
    const learned = carrierFor(learnFromOutcomes(model, outcomes, { at: AT, l2: 0.1 }).types['latency'], 'API_CALL', 'reverse')!;
    // Chance error against the prior over call rates 1–10,000/s: within sampling noise of 600 exposures.
    for (const calls of [1, 10, 100, 1000, 10_000]) {
      const gap = Math.abs(apiChance(learned.weights, calls) - apiChance(prior.weights, calls));
      assert.ok(gap < 0.08, `at ${calls} calls/s the learned chance moved by ${gap.toFixed(3)}`);
    }
  });
});

describe('hop delays: the right reference and shrinkage', () => {
  it('measures a hop from the exposing parent whose onset came last before the child', () => {
    const early = { ...API_EDGE, parentVmId: 'a', parentOnsetDelayMs: 0 };
    const late = { ...API_EDGE, kind: 'NETWORK' as const, parentVmId: 'b', parentOnsetDelayMs: 100_000 };
    const after = { ...API_EDGE, parentVmId: 'c', parentOnsetDelayMs: 200_000 };
    assert.equal(nearestParent([early, late, after], 110_000)?.parentVmId, 'b');
    assert.equal(nearestParent([after], 110_000), undefined);
    // The likeliest edge (listed as `edge`) is the early parent; the hop is credited 10 s on the late one's carrier.
    const evidence = collectTransmissionEvidence(defaultModel(), [incident('ref', [exposure({ becameAnomalous: true, onsetDelayMs: 110_000, edge: early, exposingEdges: [early, late] })])], 64);
    const delays = [...evidence.carriers.values()].flatMap((c) => c.hopDelaysMs.map((d) => `${c.kind}:${d}`));
    assert.deepEqual(delays, ['NETWORK:10000']);
  });

  it('pools the batch with the prior: no hops keep the prior, many reach the data', () => {
    const options = resolveLearningOptions({ at: AT, delayLearningRate: 1, maxDelayStepFactor: 1000 });
    assert.equal(learnDelay(30_000, [], options, 1_800_000, 30_000), 30_000);
    const few = shrunkDelay(30_000, [1_000_000], 10);
    assert.ok(few > 30_000 && few < 60_000, `one 1,000 s hop moved a 30 s prior to ${few.toFixed(0)} ms`);
    const rng = new SeededRandom(4);
    const many = Array.from({ length: 2000 }, () => rng.exponential(8_000));
    const learned = shrunkDelay(30_000, many, 10);
    assert.ok(Math.abs(learned / 8_000 - 1) < 0.1, `2,000 hops of mean 8 s gave ${learned.toFixed(0)} ms`);
  });
});

describe('the grant threshold cannot collapse to "grant nothing"', () => {
  it('never rises above the recall floor, even when the utility optimum is above every prediction', () => {
    // Low probabilities, mostly wasted: the utility optimum is "grant nothing" (above 0.2), the floor keeps half the positives.
    const samples: GrantDecisionSample[] = [];
    for (let i = 0; i < 100; i++) samples.push({ probability: 0.02 + 0.0015 * i, becameAnomalous: i % 10 === 0 });
    const outcomes = [incident('low', samples.map((s, i) => exposure({ vmId: `vm-${i}`, predictedProbability: s.probability, becameAnomalous: s.becameAnomalous })))];
    const cap = recallFloorThreshold(samples, 0.5)!;
    const learned = learnGrantThreshold({ grantThreshold: 0.3, releaseThreshold: 0.15 }, outcomes, resolveLearningOptions({ at: AT }));
    assert.ok(learned.grantThreshold <= cap, `threshold ${learned.grantThreshold} above the floor ${cap}`);
    const caught = samples.filter((s) => s.becameAnomalous && s.probability >= learned.grantThreshold).length;
    assert.ok(caught >= 5, `only ${caught} of 10 positives would be granted`);
  });

  it('grants at least the recall floor of the recent positives, for any samples (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: 0.011, max: 1, noNaN: true }), fc.boolean()), { minLength: 10, maxLength: 60 }), fc.double({ min: 0.05, max: 0.9, noNaN: true }), (rows, start) => {
      const outcomes = [incident('any', rows.map(([p, y], i) => exposure({ vmId: `vm-${i}`, predictedProbability: p, becameAnomalous: y })))];
      const { grantThreshold } = learnGrantThreshold({ grantThreshold: start, releaseThreshold: start / 2 }, outcomes, resolveLearningOptions({ at: AT }));
      const positives = rows.filter(([, y]) => y);
      const caught = positives.filter(([p]) => p >= grantThreshold).length;
      assert.ok(caught >= Math.ceil(0.5 * positives.length), `${caught} of ${positives.length} at ${grantThreshold}`);
    }), { numRuns: 200 });
  });
});

describe('pairedAuprc', () => {
  it('is 0 with a degenerate interval for identical scores, and finds a reversed ranking worse', () => {
    const rng = new SeededRandom(8);
    const good = Array.from({ length: 400 }, (_, i) => {
      const y = rng.next() < 0.3;
      return { p: y ? 0.5 + 0.5 * rng.next() : 0.6 * rng.next(), y, incident: i % 40 };
    });
    const same = pairedAuprc(good, good, 40);
    assert.equal(same.difference, 0);
    assert.equal(same.lower, 0);
    assert.equal(same.upper, 0);
    const reversed = good.map((s) => ({ ...s, p: 1 - s.p }));
    const worse = pairedAuprc(reversed, good, 40);
    assert.ok(worse.upper !== null && worse.upper < 0, `reversed ranking: upper bound ${worse.upper}`);
    assert.deepEqual(pairedAuprc(reversed, good, 40), worse, 'the same inputs give the same interval');
  });
});

describe('trimLearnerState', () => {
  it('removes the oldest share of each list, at least one each, and counts trimmed training as dropped', () => {
    let state = createLearnerState();
    for (let i = 0; i < 60; i++) state = recordOutcome(state, incident(`t-${i}`, [exposure()]), { heldOutEvery: 5 });
    const { state: trimmed, removed } = trimLearnerState(state, 0.1);
    const window = learnerWindow(state);
    assert.equal(trimmed.training.length, state.training.length - Math.ceil(state.training.length * 0.1));
    assert.equal(learnerWindow(trimmed)[0], window[Math.ceil(window.length * 0.1)], 'the oldest go first');
    assert.equal(trimmed.heldOut.at(-1), state.heldOut.at(-1), 'the newest held-out incident stays');
    assert.equal(removed, state.training.length - trimmed.training.length + window.length - learnerWindow(trimmed).length + state.heldOut.length - trimmed.heldOut.length);
    assert.equal(trimmed.dropped, state.dropped + state.training.length - trimmed.training.length);
    const tiny = trimLearnerState({ ...createLearnerState(), heldOut: [incident('h', [exposure()])] }, 0.01);
    assert.equal(tiny.state.heldOut.length, 0, 'at least one outcome of a non-empty list');
    assert.throws(() => trimLearnerState(state, 0), /trim share/);
  });
});
