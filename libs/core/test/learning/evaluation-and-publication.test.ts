import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isForesightError } from '../../src/errors.js';
import { createLearnerState, isHeldOutIncident, recordOutcome, takeTrainingBatch, type LearnerState } from '../../src/learning/learner-state.js';
import { learnFromOutcomes } from '../../src/learning/learn-from-outcomes.js';
import { fitLogistic } from '../../src/learning/logistic-fit.js';
import { averagePrecision, evaluateModel } from '../../src/learning/model-evaluation.js';
import type { IncidentOutcome } from '../../src/learning/outcome.js';
import { publicationDecision, shouldPublish } from '../../src/learning/publication.js';
import { defaultModel } from '../../src/model/default-model.js';
import type { ModelParameters } from '../../src/model/model-parameters.js';
import { SeededRandom } from '../../src/seeded-random.js';
import type { Direction, PathwayKind } from '../../src/topology/pathway.js';
import { randomTree, simulateCascade, withCarriers } from './cascade-simulation.js';
import { exposure, incident } from './outcome-builders.js';

const TYPE = 'latency';
const CARRIERS: readonly { kind: PathwayKind; direction: Direction; weights: number[]; delayMs: number }[] = [
  { kind: 'API_CALL', direction: 'reverse', weights: [-0.5, 0.5, 1.5, 0, 1, 2], delayMs: 20_000 },
  { kind: 'NETWORK', direction: 'reverse', weights: [-1.5, 1.5, 0, 0, 0, 0], delayMs: 50_000 },
];

function cascades(seed: number, count: number, truth: ModelParameters, predictor: ModelParameters): IncidentOutcome[] {
  const rng = new SeededRandom(seed);
  const pool = Array.from({ length: 200 }, (_, i) => `vm-${i}`);
  return Array.from({ length: count }, (_, i) => simulateCascade(rng, randomTree(rng, pool, 20, CARRIERS), { incidentId: `s${seed}-${i}`, anomalyType: TYPE, truth, predictor }));
}

describe('evaluateModel and shouldPublish', () => {
  const current = defaultModel('m', 0);
  const truth = withCarriers(current, TYPE, CARRIERS);
  const heldOut = cascades(99, 150, truth, current);
  const candidate = learnFromOutcomes(current, cascades(1, 600, truth, current), { at: 1 });

  it('scores the truth better than the default, and a learned candidate in between', () => {
    const d = evaluateModel(current, heldOut);
    const t = evaluateModel({ ...truth, version: 9 }, heldOut);
    const c = evaluateModel(candidate, heldOut);
    assert.ok(d.examples > 300 && d.positives > 50);
    assert.equal(c.examples, d.examples, 'both models are scored on the same exposures');
    assert.ok(t.logLoss < d.logLoss && t.brier < d.brier);
    assert.ok(c.logLoss < d.logLoss && c.brier < d.brier);
    assert.ok(c.logLoss < t.logLoss + 0.02, `candidate log-loss ${c.logLoss} vs truth ${t.logLoss}`);
  });

  it('publishes a better later version and refuses a worse one, a stale version or another model', () => {
    assert.equal(shouldPublish(candidate, current, heldOut), true, publicationDecision(candidate, current, heldOut).reason);
    const worse = { ...withCarriers(current, TYPE, CARRIERS.map((c) => ({ ...c, weights: c.weights.map((w) => -w) }))), version: candidate.version + 1 };
    const verdict = publicationDecision(worse, candidate, heldOut);
    assert.equal(verdict.publish, false);
    assert.match(verdict.reason, /log-loss worse/);
    assert.equal(shouldPublish(current, candidate, heldOut), false, 'an older version is never published');
    const published = publicationDecision(candidate, current, heldOut);
    assert.equal(published.verdict, 'PUBLISHED');
    assert.ok(published.ranking.replicates > 100 && published.ranking.lower !== null && published.ranking.upper !== null);
    assert.ok(published.ranking.lower <= published.ranking.difference! && published.ranking.difference! <= published.ranking.upper);
    assert.equal(shouldPublish({ ...candidate, modelId: 'other' }, current, heldOut), false);
    assert.equal(shouldPublish(candidate, current, heldOut.slice(0, 1), { minHeldOutExamples: 1000 }), false, 'too little held-out evidence');
    const few = publicationDecision(candidate, current, heldOut, { minHeldOutExamples: 1, minHeldOutPositives: 100_000 });
    assert.equal(few.verdict, 'TOO_FEW_POSITIVES', 'many exposures with too few positives are not enough');
  });

  it('never accepts a candidate that is worse on any held-out metric (property over random perturbations)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.double({ min: 0.05, max: 0.9, noNaN: true }), (delta, threshold) => {
      const base = candidate.types[TYPE].carriers.API_CALL!.reverse!;
      const perturbed = { ...withCarriers(candidate, TYPE, [{ kind: 'API_CALL', direction: 'reverse', weights: base.weights.map((w, i) => w + delta[i]), delayMs: base.delayMs }]), version: candidate.version + 1, grantThreshold: threshold, releaseThreshold: threshold / 2 };
      const d = publicationDecision(perturbed, candidate, heldOut);
      if (d.publish) {
        assert.ok(d.candidate.logLoss <= d.current.logLoss * 1.01 && d.candidate.brier <= d.current.brier * 1.01 && d.candidate.grantUtility >= d.current.grantUtility - 0.05);
        assert.ok(d.logLoss.lower === null || d.logLoss.lower <= 0);
        assert.ok(d.utility.upper === null || d.utility.upper >= 0);
        // Recomputed apart from the gate: the published model's held-out AUPRC is not lower by more than the tolerance,
        // and the paired bootstrap does not find it worse.
        const c = evaluateModel(perturbed, heldOut).auprc!;
        const k = evaluateModel(candidate, heldOut).auprc!;
        assert.ok(c >= k - 0.01, `published with AUPRC ${c} against ${k}`);
        assert.ok(d.ranking.upper === null || d.ranking.upper >= 0);
      }
    }), { numRuns: 40 });
  });

  it('average precision matches hand-computed values and handles ties', () => {
    assert.equal(averagePrecision([{ p: 0.9, y: true }, { p: 0.8, y: false }, { p: 0.7, y: true }]), (1 + 2 / 3) / 2);
    assert.equal(averagePrecision([{ p: 0.5, y: true }, { p: 0.5, y: false }]), 0.5);
    assert.equal(averagePrecision([{ p: 0.5, y: false }]), null);
  });
});

describe('LearnerState', () => {
  const outcome = (id: string): IncidentOutcome => incident(id, [exposure()]);

  it('splits incidents deterministically, bounds memory and recycles evicted held-out incidents into training', () => {
    let state: LearnerState = createLearnerState();
    const options = { heldOutCapacity: 10, trainingCapacity: 50, heldOutEvery: 5 };
    for (let i = 0; i < 200; i++) state = recordOutcome(state, outcome(`inc-${i}`), options);
    assert.equal(state.heldOut.length, 10);
    assert.ok(state.training.length <= 50);
    assert.equal(state.recorded, 200);
    assert.ok(state.dropped > 0);
    for (const o of state.heldOut) assert.ok(isHeldOutIncident(o.incidentId, 5));
    const heldIds = new Set(state.heldOut.map((o) => o.incidentId));
    assert.ok(state.training.every((o) => !heldIds.has(o.incidentId)), 'held-out incidents are never in training');
    const again = recordOutcome(state, state.heldOut[0], options);
    assert.equal(again, state, 'a redelivered incident is ignored');
    const { batch, state: drained } = takeTrainingBatch(state);
    assert.equal(batch.length, state.training.length);
    assert.equal(drained.training.length, 0);
    assert.equal(drained.heldOut, state.heldOut);
  });

  it('rejects malformed outcomes and options', () => {
    assert.throws(() => recordOutcome(createLearnerState(), incident('x', [exposure({ predictedProbability: 2 })])), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => recordOutcome(createLearnerState(), outcome('x'), { heldOutEvery: 0 }), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
  });
});

describe('fitLogistic', () => {
  it('returns the anchor without examples and stays near it under a strong prior (property)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.boolean(), { maxLength: 20 }), (anchor, ys) => {
      assert.deepEqual(fitLogistic([], anchor, { l2: 1, maxSteps: 10, maxAbsWeight: 12 }), anchor);
      const examples = ys.map((y) => ({ x: Float64Array.of(1, 0.5, 0.2), y: y ? (1 as const) : (0 as const), offset: 0 }));
      const w = fitLogistic(examples, anchor, { l2: 1e6, maxSteps: 10, maxAbsWeight: 12 });
      w.forEach((v, i) => assert.ok(Math.abs(v - anchor[i]) < 1e-3));
    }), { numRuns: 100 });
  });
});
