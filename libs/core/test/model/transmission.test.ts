import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultModel, featureVector, hopProbability, normaliseAnomalyType, typeParameters, vulnerabilityOffset, NEUTRAL_FEATURES } from '../../src/index.js';

describe('transmission model', () => {
  it('falls back to generic for unknown and malformed anomaly types', () => {
    const model = defaultModel();
    assert.equal(typeParameters(model, 'gpu_meltdown'), model.types['generic']);
    assert.equal(normaliseAnomalyType('  Not A Type!! '), 'generic');
    assert.equal(typeParameters(model, 'LATENCY'), model.types['latency']);
  });

  it('regression: an anomaly type or VM id named like an Object.prototype member is not found there', () => {
    const model = defaultModel();
    assert.equal(typeParameters(model, 'constructor'), model.types['generic']);
    assert.equal(typeParameters(model, '__proto__'), model.types['generic']);
    assert.equal(vulnerabilityOffset({ ...model, vulnerability: {} }, 'constructor'), 0);
    assert.equal(vulnerabilityOffset({ ...model, vulnerability: {} }, 'toString'), 0);
  });

  it('shifts log-odds by the target vulnerability relative to the prior', () => {
    const model = { ...defaultModel(), vulnerability: { fragile: { alpha: 8, beta: 2 }, sturdy: { alpha: 1, beta: 40 } } };
    assert.ok(vulnerabilityOffset(model, 'fragile') > 0);
    assert.ok(vulnerabilityOffset(model, 'sturdy') < 0);
    assert.equal(vulnerabilityOffset({ ...model, vulnerabilityWeight: 0 }, 'fragile'), 0);
    const carrier = model.types['cpu_saturation'].carriers.CO_LOCATED!.forward!;
    const x = featureVector(NEUTRAL_FEATURES);
    const base = hopProbability(carrier, x, 0);
    assert.ok(hopProbability(carrier, x, vulnerabilityOffset(model, 'fragile')) > base);
    assert.ok(hopProbability(carrier, x, 50) <= 0.999);
  });
});
