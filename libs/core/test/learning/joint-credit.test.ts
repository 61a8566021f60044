import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForesightError } from '../../src/errors.js';
import { learnFromOutcomes } from '../../src/learning/learn-from-outcomes.js';
import type { ExposureOutcome, InfectingEdge } from '../../src/learning/outcome.js';
import { defaultModel } from '../../src/model/default-model.js';
import { carrierFor, carrierLogit, featureVector, sigmoid, vulnerabilityOffset } from '../../src/model/transmission.js';
import { SeededRandom } from '../../src/seeded-random.js';
import { NEUTRAL_FEATURES } from '../../src/topology/pathway.js';
import { API_EDGE, exposure, incident } from './outcome-builders.js';

const AT = 1_700_000_000_000;
const CO_EDGE: InfectingEdge = { kind: 'CO_LOCATED', direction: 'forward', features: NEUTRAL_FEATURES, parentAffected: true, parentOnsetDelayMs: 0 };
/** True chance of each edge (API_CALL/reverse on API_EDGE, CO_LOCATED). */
const P_API = 0.3;
const P_CO = 0.2;

function learnedChance(model: ReturnType<typeof defaultModel>, edge: InfectingEdge): number {
  const carrier = carrierFor(model.types['latency'], edge.kind, edge.direction)!;
  return sigmoid(carrierLogit(carrier, featureVector(edge.features)));
}

/**
 * 1,000 VMs exposed by an API edge only, 1,000 by a co-located peer only and 2,000 by both (independent cascade:
 * infected with 1 − (1 − p_api)(1 − p_co) = 0.44). Single-edge records credit the doubly exposed ones to the
 * likelier API edge alone, which then absorbs the co-located edge's infections.
 */
function exposures(joint: boolean): ExposureOutcome[] {
  const rng = new SeededRandom(11);
  const out: ExposureOutcome[] = [];
  for (let i = 0; i < 4000; i++) {
    const kind = i < 1000 ? 'api' : i < 2000 ? 'co' : 'both';
    const api = kind !== 'co' && rng.next() < P_API;
    const co = kind !== 'api' && rng.next() < P_CO;
    const edges = kind === 'api' ? [API_EDGE] : kind === 'co' ? [CO_EDGE] : [API_EDGE, CO_EDGE];
    out.push(exposure({ vmId: `vm-${i}`, becameAnomalous: api || co, edge: edges[0], ...(joint ? { exposingEdges: edges } : {}) }));
  }
  return out;
}

describe('learnFromOutcomes: joint (noisy-or) credit assignment', () => {
  const options = { at: AT, l2: 0.01, vulnerabilityWeight: 0 };
  const model = { ...defaultModel(), vulnerabilityWeight: 0 };
  const single = learnFromOutcomes(model, [incident('single', exposures(false))], options);
  const joint = learnFromOutcomes(model, [incident('joint', exposures(true))], options);

  it('single-edge credit overstates the edge credited with doubly exposed VMs', (ctx) => {
    const api = learnedChance(single, API_EDGE);
    ctx.diagnostic(`single-edge: API ${api.toFixed(3)} (true ${P_API}), CO_LOCATED ${learnedChance(single, CO_EDGE).toFixed(3)} (true ${P_CO})`);
    assert.ok(api > P_API + 0.06, `API ${api.toFixed(3)} not biased upward`);
  });

  it('the joint fit recovers both edges (EM on the noisy-or likelihood)', (ctx) => {
    const api = learnedChance(joint, API_EDGE);
    const co = learnedChance(joint, CO_EDGE);
    ctx.diagnostic(`joint: API ${api.toFixed(3)} (true ${P_API}), CO_LOCATED ${co.toFixed(3)} (true ${P_CO})`);
    // Sampling error: ~3,000 exposures per edge, standard error ≈ 0.01; 0.03 is three of them.
    assert.ok(Math.abs(api - P_API) < 0.03, `API ${api.toFixed(3)}`);
    assert.ok(Math.abs(co - P_CO) < 0.03, `CO_LOCATED ${co.toFixed(3)}`);
  });

  it('a record with one exposing edge learns exactly as with the likeliest edge alone', () => {
    const rows = [exposure({ becameAnomalous: true }), exposure({ vmId: 'vm-b' }), exposure({ vmId: 'vm-c', becameAnomalous: true })];
    const withEdges = rows.map((e) => ({ ...e, exposingEdges: [API_EDGE] }));
    assert.deepEqual(learnFromOutcomes(model, [incident('a', withEdges)], { at: AT }).types, learnFromOutcomes(model, [incident('a', rows)], { at: AT }).types);
  });

  it('rejects a malformed exposing edge, naming its path, before learning anything', () => {
    const bad = [exposure({ exposingEdges: [API_EDGE, { ...CO_EDGE, features: { ...NEUTRAL_FEATURES, bandwidthMbps: Number.NaN } }] })];
    assert.throws(() => learnFromOutcomes(model, [incident('bad', bad)], { at: AT }), (e: unknown) => isForesightError(e) && e.code === 'INVALID_ARGUMENT' && /exposures\[0\]\.exposingEdges\[1\]\.features/.test(e.message));
  });

  it('exposing edges from unaffected parents are ignored', () => {
    const rows = [exposure({ becameAnomalous: true, exposingEdges: [API_EDGE, { ...CO_EDGE, parentAffected: false }] })];
    const alone = [exposure({ becameAnomalous: true, exposingEdges: [API_EDGE] })];
    assert.deepEqual(learnFromOutcomes(model, [incident('a', rows)], { at: AT }).types, learnFromOutcomes(model, [incident('a', alone)], { at: AT }).types);
  });
});

describe('learnFromOutcomes: vulnerability odds ratio in the rare-event regime', () => {
  // 100 ordinary VMs and one with odds ratio 9, 600 exposures each on an edge of chance 0.01 (the carrier, fitted first
  // with every offset at 0, sees the pooled rate ≈ 0.0107, so ordinary VMs are expected at ≈ −0.07).
  const ORDINARY = 100;
  const rng = new SeededRandom(5);
  const odds = (p: number, ratio: number): number => (ratio * p) / (1 - p + ratio * p);
  const rows: ExposureOutcome[] = [];
  for (let k = 0; k < 600; k++) {
    for (let v = 0; v < ORDINARY; v++) rows.push(exposure({ vmId: `ordinary-${v}`, becameAnomalous: rng.next() < 0.01 }));
    rows.push(exposure({ vmId: 'fragile', becameAnomalous: rng.next() < odds(0.01, 9) }));
  }
  const outcomes = [incident('rare', rows)];
  const mean = (m: ReturnType<typeof defaultModel>): number => {
    let sum = 0;
    for (let v = 0; v < ORDINARY; v++) sum += vulnerabilityOffset(m, `ordinary-${v}`);
    return sum / ORDINARY;
  };

  it('odds-ratio (default): ordinary VMs stay near offset 0, the fragile one near log 9', (ctx) => {
    const learned = learnFromOutcomes(defaultModel(), outcomes, { at: AT, vulnerabilityForgetting: 1 });
    const fragile = vulnerabilityOffset(learned, 'fragile');
    ctx.diagnostic(`ordinary mean offset ${mean(learned).toFixed(3)}, fragile ${fragile.toFixed(3)} (true ${Math.log(9).toFixed(3)})`);
    assert.ok(Math.abs(mean(learned)) < 0.15, `ordinary mean ${mean(learned).toFixed(3)}`);
    assert.ok(Math.abs(fragile - Math.log(9)) < 0.5, `fragile ${fragile.toFixed(3)}`);
  });

  it('residual (regression of the clamped 1/p̂ rule): every ordinary VM drifts well below 0', (ctx) => {
    const learned = learnFromOutcomes(defaultModel(), outcomes, { at: AT, vulnerabilityForgetting: 1, vulnerabilityEvidence: 'residual' });
    ctx.diagnostic(`residual: ordinary mean offset ${mean(learned).toFixed(3)}, fragile ${vulnerabilityOffset(learned, 'fragile').toFixed(3)}`);
    assert.ok(mean(learned) < -1, `ordinary mean ${mean(learned).toFixed(3)}`);
  });
});
