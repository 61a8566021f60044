import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLearnerState, isHeldOutIncident, learnerWindow, recordOutcome, takeTrainingBatch, type LearnerState } from '../../src/learning/learner-state.js';
import { learnFromOutcomes } from '../../src/learning/learn-from-outcomes.js';
import type { ExposureOutcome, IncidentOutcome } from '../../src/learning/outcome.js';
import { refitOnWindow } from '../../src/learning/window-refit.js';
import { defaultModel } from '../../src/model/default-model.js';
import type { ModelParameters } from '../../src/model/model-parameters.js';
import { carrierFor } from '../../src/model/transmission.js';
import { SeededRandom } from '../../src/seeded-random.js';
import { apiChance, apiEdgeWithCalls, exposure, incident } from './outcome-builders.js';

const AT = 1_700_000_000_000;
const TRUTH: readonly number[] = [-4, 0, 6, 0, 0, 0];
const GRID = [1, 10, 100, 1000];

/** One incident of `count` latency exposures along API edges with log-uniform call rates, infected with TRUTH. */
function judged(id: string, count: number, rng: SeededRandom): IncidentOutcome {
  const rows: ExposureOutcome[] = Array.from({ length: count }, (_, i) => {
    const calls = Math.pow(10, 3 * rng.next());
    return exposure({ vmId: `${id}-${i}`, becameAnomalous: rng.next() < apiChance(TRUTH, calls), edge: apiEdgeWithCalls(calls) });
  });
  return incident(id, rows);
}

function error(model: ModelParameters): number {
  const w = carrierFor(model.types['latency'], 'API_CALL', 'reverse')!.weights;
  return GRID.reduce((sum, calls) => sum + Math.abs(apiChance(w, calls) - apiChance(TRUTH, calls)), 0) / GRID.length;
}

describe('refitOnWindow: the carriers refitted on recent incidents toward the starting model', () => {
  it('remembers the whole window where sequential proximal steps keep only their last batches', (ctx) => {
    const rng = new SeededRandom(21);
    const start = { ...defaultModel(), vulnerabilityWeight: 0 };
    let sequential: ModelParameters = start;
    let windowed: ModelParameters = start;
    const window: IncidentOutcome[] = [];
    for (let step = 0; step < 40; step++) {
      const batch = Array.from({ length: 10 }, (_, i) => judged(`s${step}-${i}`, 20, rng));
      window.push(...batch);
      sequential = learnFromOutcomes(sequential, batch, { at: AT + step });
      windowed = refitOnWindow(learnFromOutcomes(windowed, batch, { at: AT + step }), window.slice(-400), { at: AT + step, prior: start });
    }
    ctx.diagnostic(`chance MAE after 40 steps of 10 incidents: sequential ${error(sequential).toFixed(4)}, windowed ${error(windowed).toFixed(4)}`);
    assert.ok(error(windowed) < 0.5 * error(sequential), `windowed ${error(windowed)} vs sequential ${error(sequential)}`);
  });

  it('keeps everything but the carriers from the stepped model, and an empty window changes nothing', () => {
    const rng = new SeededRandom(5);
    const start = defaultModel();
    const batch = [judged('a', 50, rng), judged('b', 50, rng)];
    const stepped = { ...learnFromOutcomes(start, batch, { at: AT }), grantThreshold: 0.42, releaseThreshold: 0.21 };
    const grown: ModelParameters = { ...stepped, types: { ...stepped.types, latency: { ...stepped.types['latency'], grantSize: { cpuMillis: 999, memoryMiB: 1, networkMbps: 2 } } } };
    const refit = refitOnWindow(grown, batch, { at: AT, prior: start });
    assert.equal(refit.version, grown.version);
    assert.equal(refit.grantThreshold, 0.42);
    assert.deepEqual(refit.vulnerability, grown.vulnerability);
    assert.deepEqual(refit.types['latency'].grantSize, { cpuMillis: 999, memoryMiB: 1, networkMbps: 2 });
    assert.notDeepEqual(refit.types['latency'].carriers, grown.types['latency'].carriers);
    assert.deepEqual(refit.types['disk_io'], grown.types['disk_io'], 'a type without evidence is unchanged');
    assert.equal(refitOnWindow(grown, [], { at: AT, prior: start }), grown);
  });
});

describe('refitOnWindow: anchors', () => {
  it('anchors a type the starting model lacks to its generic entry, so refitting the same window again changes nothing', () => {
    const rng = new SeededRandom(8);
    const start = { ...defaultModel(), vulnerabilityWeight: 0 };
    const window = Array.from({ length: 20 }, (_, i) => {
      const o = judged(`g-${i}`, 30, rng);
      return { ...o, exposures: o.exposures.map((e) => ({ ...e, anomalyType: 'gpu_stall' })) };
    });
    const stepped = learnFromOutcomes(start, window, { at: AT });
    assert.ok(stepped.types['gpu_stall'] !== undefined && start.types['gpu_stall'] === undefined);
    const once = refitOnWindow(stepped, window, { at: AT, prior: start });
    const twice = refitOnWindow(once, window, { at: AT, prior: start });
    const weights = (m: ModelParameters): readonly number[] => carrierFor(m.types['gpu_stall'], 'API_CALL', 'reverse')!.weights;
    weights(twice).forEach((w, i) => assert.ok(Math.abs(w - weights(once)[i]) < 1e-6, `coefficient ${i}: ${w} vs ${weights(once)[i]}`));
  });
});

describe('LearnerState window', () => {
  const outcome = (id: string): IncidentOutcome => incident(id, [exposure()]);

  it('keeps the most recent training outcomes across batches, bounded, and held-out incidents (even evicted ones) out of it', () => {
    const options = { heldOutCapacity: 5, trainingCapacity: 1000, heldOutEvery: 5, windowCapacity: 30 };
    let state: LearnerState = createLearnerState();
    for (let i = 0; i < 60; i++) {
      state = recordOutcome(state, outcome(`inc-${i}`), options);
      if (i % 10 === 9) state = takeTrainingBatch(state).state;
    }
    const window = learnerWindow(state);
    assert.equal(window.length, 30);
    assert.equal(state.training.length, 0);
    const held = new Set(state.heldOut.map((o) => o.incidentId));
    assert.ok(window.every((o) => !held.has(o.incidentId)));
    const trainingIds = [...Array(60).keys()].map((i) => `inc-${i}`).filter((id) => !isHeldOutIncident(id, 5));
    assert.deepEqual(window.map((o) => o.incidentId), trainingIds.slice(-30), 'the newest training incidents, never an evicted held-out one');
    assert.equal(recordOutcome(state, window[0], options), state, 'an incident still in the window is not recorded twice');
  });

  it('reads a state written before windows existed', () => {
    const old = { training: [outcome('a')], heldOut: [], recorded: 1, dropped: 0 } as LearnerState;
    assert.deepEqual(learnerWindow(old), []);
    const next = recordOutcome(old, outcome('b'), { heldOutEvery: 1_000_000 });
    assert.deepEqual(learnerWindow(next).map((o) => o.incidentId), ['b']);
    assert.deepEqual(next.training.map((o) => o.incidentId), ['a', 'b']);
  });
});
