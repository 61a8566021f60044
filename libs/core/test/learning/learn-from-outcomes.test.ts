import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isForesightError } from '../../src/errors.js';
import { learnFromOutcomes } from '../../src/learning/learn-from-outcomes.js';
import { defaultModel } from '../../src/model/default-model.js';
import { parseModel } from '../../src/model/model-codec.js';
import { carrierFor, posteriorMean } from '../../src/model/transmission.js';
import { SeededRandom } from '../../src/seeded-random.js';
import { API_EDGE, deepFreeze, exposure, incident } from './outcome-builders.js';

const AT = 1_700_000_000_000;

describe('learnFromOutcomes: versions, purity and inputs', () => {
  it('never mutates the input model or outcomes and bumps the version', () => {
    const model = deepFreeze({ ...defaultModel('m', 0), vulnerability: { 'vm-a': { alpha: 2, beta: 3 } } });
    const before = JSON.stringify(model);
    const outcomes = deepFreeze([incident('i1', [exposure({ becameAnomalous: true, onsetDelayMs: 10_000, grantInPlace: true, degradedMinutes: 5 }), exposure({ vmId: 'vm-b' })])]);
    const learned = learnFromOutcomes(model, outcomes, { at: AT });
    assert.equal(JSON.stringify(model), before);
    assert.equal(learned.version, 2);
    assert.equal(learned.parentVersion, 1);
    assert.equal(learned.createdAt, AT);
    assert.equal(learned.modelId, 'm');
    assert.notDeepEqual(learned.types['latency'], model.types['latency']);
    assert.deepEqual(parseModel(learned), learned, 'a learned model passes full codec validation');
  });

  it('returns the same model (version unchanged) for an empty batch', () => {
    const model = defaultModel();
    assert.equal(learnFromOutcomes(model, [], { at: AT }), model);
  });

  it('rejects a NaN probability, a bad edge and a bad option with INVALID_ARGUMENT naming the field', () => {
    const model = defaultModel();
    const bad = (o: unknown, field: string): void => {
      assert.throws(() => learnFromOutcomes(model, [o as never], { at: AT }), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT') && e.message.includes(field));
    };
    bad(incident('i1', [exposure({ predictedProbability: Number.NaN })]), 'i1.exposures[0].predictedProbability');
    bad(incident('i1', [exposure({ edge: { ...API_EDGE, kind: 'WORMHOLE' as never } })]), 'i1.exposures[0].edge.kind');
    bad(incident('i1', [exposure({ edge: { ...API_EDGE, features: { ...API_EDGE.features, errorRate: 2 } } })]), 'edge.features');
    bad(incident('', []), '$.incidentId');
    assert.throws(() => learnFromOutcomes(model, [incident('i', [exposure()])], { at: AT, l2: -1 }), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT') && e.message.includes('l2'));
    assert.throws(() => learnFromOutcomes(model, [incident('i', [exposure()])], { at: Number.NaN }), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
  });

  it('learns an unknown anomaly type under its own entry cloned from generic, leaving generic alone', () => {
    const model = defaultModel();
    const outcomes = [incident('i1', Array.from({ length: 20 }, (_, i) => exposure({ vmId: `vm-${i}`, anomalyType: 'Gpu_Thermal', becameAnomalous: true })))];
    const learned = learnFromOutcomes(model, outcomes, { at: AT });
    const own = learned.types['gpu_thermal'];
    assert.ok(own !== undefined);
    assert.deepEqual(learned.types['generic'], model.types['generic']);
    const before = carrierFor(model.types['generic'], 'API_CALL', 'reverse')!.weights[0];
    assert.ok(carrierFor(own, 'API_CALL', 'reverse')!.weights[0] > before, 'all-positive evidence raises the bias');
    const capped = learnFromOutcomes(model, outcomes, { at: AT, maxTypes: Object.keys(model.types).length });
    assert.equal(capped.types['gpu_thermal'], undefined);
    assert.ok(carrierFor(capped.types['generic'], 'API_CALL', 'reverse')!.weights[0] > before, 'beyond maxTypes the evidence goes to generic');
  });

  it('ignores exposures whose parent was not affected (no evidence about the edge)', () => {
    const model = defaultModel();
    const learned = learnFromOutcomes(model, [incident('i1', [exposure({ edge: { ...API_EDGE, parentAffected: false } })])], { at: AT });
    assert.deepEqual(learned.types['latency'], model.types['latency']);
    assert.deepEqual(learned.vulnerability, {});
  });

  it('keeps weights finite and bounded whatever the evidence (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 40 }), (rows) => {
      const outcomes = [incident('i', rows.map(([y, calls, err], i) => exposure({ vmId: `v${i}`, becameAnomalous: y, edge: { ...API_EDGE, features: { ...API_EDGE.features, callsPerSec: calls, errorRate: err } } })))];
      const learned = learnFromOutcomes(defaultModel(), outcomes, { at: AT, l2: 0.01 });
      for (const w of carrierFor(learned.types['latency'], 'API_CALL', 'reverse')!.weights) assert.ok(Number.isFinite(w) && Math.abs(w) <= 12);
    }), { numRuns: 60 });
  });
});

describe('learnFromOutcomes: vulnerability posterior', () => {
  it('counts rule: affected → alpha + 1, not affected → beta + 1, from the prior', () => {
    const model = { ...defaultModel(), vulnerability: { 'vm-a': { alpha: 2, beta: 5 } } };
    const outcomes = [incident('i', [exposure({ vmId: 'vm-a', becameAnomalous: true }), exposure({ vmId: 'vm-a' }), exposure({ vmId: 'vm-b' }), exposure({ vmId: 'vm-c', edge: undefined })])];
    const learned = learnFromOutcomes(model, outcomes, { at: AT, vulnerabilityEvidence: 'counts', vulnerabilityForgetting: 1 });
    assert.deepEqual(learned.vulnerability['vm-a'], { alpha: 3, beta: 6 });
    assert.deepEqual(learned.vulnerability['vm-b'], { alpha: 1, beta: 5 });
    assert.equal(learned.vulnerability['vm-c'], undefined, 'no edge, no exposure');
  });

  it('forgetting decays old evidence toward the prior before adding the new', () => {
    const model = { ...defaultModel(), vulnerability: { 'vm-a': { alpha: 11, beta: 4 } } };
    const learned = learnFromOutcomes(model, [incident('i', [exposure({ vmId: 'vm-a' })])], { at: AT, vulnerabilityEvidence: 'counts', vulnerabilityForgetting: 0.5 });
    assert.deepEqual(learned.vulnerability['vm-a'], { alpha: 6, beta: 5 });
  });

  it('default (odds-ratio) rule: a VM behaving as its edges predict stays near the prior; an over-reactive one rises', () => {
    const model = defaultModel();
    const rng = new SeededRandom(3);
    const p = 0.5; // the latency API_CALL/reverse carrier on API_EDGE after learning is ≈ the empirical rate
    const rows = Array.from({ length: 400 }, () => rng.next() < p);
    const typical = rows.map((y, i) => exposure({ vmId: i % 2 === 0 ? 'typical-1' : 'typical-2', becameAnomalous: y }));
    const fragile = Array.from({ length: 30 }, () => exposure({ vmId: 'fragile', becameAnomalous: true }));
    const learned = learnFromOutcomes(model, [incident('i', [...typical, ...fragile])], { at: AT, vulnerabilityForgetting: 1 });
    const prior = posteriorMean(model.vulnerabilityPrior);
    for (const vm of ['typical-1', 'typical-2']) assert.ok(Math.abs(posteriorMean(learned.vulnerability[vm]) - prior) < 0.08, vm);
    assert.ok(posteriorMean(learned.vulnerability['fragile']) > prior + 0.2);
  });
});
