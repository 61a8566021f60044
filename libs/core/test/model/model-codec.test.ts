import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isForesightError } from '../../src/errors.js';
import { defaultModel } from '../../src/model/default-model.js';
import { modelToJson, parseModel, serialiseModel } from '../../src/model/model-codec.js';
import type { ModelParameters } from '../../src/model/model-parameters.js';

function rejects(input: unknown, path: string): void {
  assert.throws(() => parseModel(input), (e: unknown) => isForesightError(e, 'INVALID_PARAMETERS') && e.message.includes(path), `expected INVALID_PARAMETERS at ${path}`);
}

function mutated(edit: (m: Record<string, unknown>) => void): unknown {
  const m = JSON.parse(serialiseModel(defaultModel())) as Record<string, unknown>;
  edit(m);
  return m;
}

type Obj = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

describe('model codec', () => {
  it('round-trips the default model through a string and a plain object', () => {
    const model: ModelParameters = { ...defaultModel('m', 5), vulnerability: { 'vm-1': { alpha: 2, beta: 7 }, __proto__x: { alpha: 1, beta: 1 } } };
    assert.deepEqual(parseModel(serialiseModel(model)), model);
    assert.deepEqual(parseModel(modelToJson(model)), model);
  });

  it('round-trips arbitrary valid weights, delays and thresholds (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -50, max: 50, noNaN: true }).map((w) => w + 0), { minLength: 6, maxLength: 6 }), // JSON has no -0
      fc.double({ min: 1, max: 1e7, noNaN: true }),
      fc.double({ min: 0.02, max: 0.98, noNaN: true }),
      (weights, delayMs, grant) => {
        const base = defaultModel();
        const generic = base.types['generic'];
        const model: ModelParameters = {
          ...base,
          grantThreshold: grant,
          releaseThreshold: grant / 2,
          types: { ...base.types, generic: { ...generic, carriers: { ...generic.carriers, NETWORK: { forward: { weights, delayMs } } } } },
        };
        assert.deepEqual(parseModel(serialiseModel(model)), model);
      },
    ), { numRuns: 100 });
  });

  it('keeps a __proto__ VM id as an ordinary key', () => {
    const parsed = parseModel('{"modelId":"m","version":1,"parentVersion":null,"createdAt":0,"types":' + JSON.stringify(defaultModel().types) +
      ',"vulnerabilityWeight":1,"vulnerabilityPrior":{"alpha":1,"beta":4},"vulnerability":{"__proto__":{"alpha":2,"beta":2}},"grantThreshold":0.3,"releaseThreshold":0.1,"horizonMs":1000}');
    assert.deepEqual(Object.getPrototypeOf(parsed.vulnerability), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(parsed.vulnerability, '__proto__')?.value, { alpha: 2, beta: 2 });
  });

  it('rejects malformed input naming the field path', () => {
    rejects('{not json', 'not valid JSON');
    rejects(null, '$');
    rejects(mutated((m) => { m['grantThreshold'] = 1; }), '$.grantThreshold');
    rejects(mutated((m) => { m['releaseThreshold'] = 0.3; }), '$.releaseThreshold');
    rejects(mutated((m) => { m['horizonMs'] = 0; }), '$.horizonMs');
    rejects(mutated((m) => { m['version'] = 1.5; }), '$.version');
    rejects(mutated((m) => { m['parentVersion'] = 1; }), '$.parentVersion');
    rejects(mutated((m) => { m['modelId'] = ''; }), '$.modelId');
    rejects(mutated((m) => { m['vulnerabilityPrior'] = { alpha: 0, beta: 1 }; }), '$.vulnerabilityPrior.alpha');
    rejects(mutated((m) => { m['vulnerability'] = { vm: { alpha: 1, beta: -1 } }; }), '$.vulnerability.vm.beta');
    rejects(mutated((m) => { delete (m['types'] as Record<string, unknown>)['generic']; }), '$.types.generic');
    rejects(mutated((m) => { (m['types'] as Obj)['latency']['carriers']['API_CALL']['reverse'] = { weights: [1, 2], delayMs: 1 }; }), '$.types.latency.carriers.API_CALL.reverse.weights');
    rejects(mutated((m) => { (m['types'] as Obj)['latency']['carriers']['API_CALL']['reverse'] = { weights: [0, 0, 0, 0, 0, null], delayMs: 1 }; }), '$.types.latency.carriers.API_CALL.reverse.weights[5]');
    rejects(mutated((m) => { (m['types'] as Obj)['latency']['carriers']['API_CALL']['reverse'] = { weights: [0, 0, 0, 0, 0, 0], delayMs: 0 }; }), '$.types.latency.carriers.API_CALL.reverse.delayMs');
    rejects(mutated((m) => { (m['types'] as Obj)['latency']['carriers']['API_CALL']['foward'] = {}; }), '$.types.latency.carriers.API_CALL.foward');
    rejects(mutated((m) => { (m['types'] as Obj)['latency']['carriers']['TELEPATHY'] = {}; }), '$.types.latency.carriers.TELEPATHY');
    rejects(mutated((m) => { (m['types'] as Record<string, Record<string, unknown>>)['latency']['grantSize'] = { cpuMillis: -1, memoryMiB: 0, networkMbps: 0 }; }), '$.types.latency.grantSize.cpuMillis');
    rejects(mutated((m) => { m['extra'] = 1; }), '$.extra');
    assert.throws(() => serialiseModel({ ...defaultModel(), vulnerabilityWeight: Number.NaN }), (e: unknown) => isForesightError(e, 'INVALID_PARAMETERS'));
  });
});
