import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForesightError } from '../../src/errors.js';
import { healthyEvidenceFactor } from '../../src/incident/healthy-evidence.js';
import { assess } from '../../src/incident/assess-incident.js';
import { observeAnomalous, observeHealthy, observeRecovered, openIncident, type IncidentState } from '../../src/incident/incident-state.js';
import type { RiskEntry } from '../../src/propagation/propagation-score.js';
import { chain, MODEL, T0, TYPE } from './incident-fixtures.js';

// Latency travels a → b → c → d → e.
const { snapshot } = chain(['a', 'b', 'c', 'd', 'e']);

function riskOf(atRisk: readonly RiskEntry[], vmId: string): RiskEntry {
  const entry = atRisk.find((r) => r.vmId === vmId);
  assert.ok(entry, `${vmId} should be at risk`);
  return entry;
}

function opened(): IncidentState {
  return openIncident('inc-1', TYPE, T0, [{ vmId: 'a', onsetAt: T0, severity: 0.8 }]);
}

describe('assess', () => {
  it('is a new, versioned assessment stamped with the event time, model and snapshot versions', () => {
    const s = opened();
    const { state, assessment } = assess(s, snapshot, MODEL, T0 + 1000);
    assert.equal(state.version, s.version + 1);
    assert.equal(assessment.version, state.version);
    assert.equal(state.lastAssessment, assessment);
    assert.equal(assessment.generatedAt, T0 + 1000);
    assert.equal(assessment.modelVersion, MODEL.version);
    assert.equal(assessment.snapshotVersion, snapshot.version);
    assert.equal(assessment.incidentId, 'inc-1');
    assert.equal(assessment.severity, 0.8);
    assert.deepEqual(assessment.sources, [{ vmId: 'a', onsetAt: T0 }]);
    assert.deepEqual(assessment.atRisk.map((r) => r.vmId).slice(0, 2), ['b', 'c']);
    const again = assess(state, snapshot, MODEL, T0 + 2000);
    assert.equal(again.assessment.version, state.version + 1);
  });

  it('a VM seen healthy long past its ETA drops in the next version, and so do the VMs downstream of it', () => {
    const whole = { floor: 0 }; // score the whole chain: the evidence pushes b far below the default floor
    const first = assess(opened(), snapshot, MODEL, T0, whole);
    const b = riskOf(first.assessment.atRisk, 'b');
    const c = riskOf(first.assessment.atRisk, 'c');
    const d = riskOf(first.assessment.atRisk, 'd');
    const healthyAt = b.etaAt + 10 * (b.etaAt - T0);
    const next = assess(observeHealthy(first.state, 'b', healthyAt), snapshot, MODEL, healthyAt, whole);
    assert.equal(next.assessment.version, first.assessment.version + 2);
    const b2 = riskOf(next.assessment.atRisk, 'b');
    const expected = b.probability * healthyEvidenceFactor(b.probability, T0, b.etaAt - T0, healthyAt);
    assert.ok(Math.abs(b2.probability - expected) < 1e-9, `b: ${b2.probability} vs ${expected}`);
    assert.ok(b2.probability < b.probability / 10);
    for (const [before, id] of [[c, 'c'], [d, 'd']] as const) {
      const after = riskOf(next.assessment.atRisk, id);
      assert.ok(after.probability < before.probability / 10, `${id} should drop`);
    }
    assert.deepEqual(next.assessment.healthyEvidence.map((e) => e.vmId), ['b']);
  });

  for (const estimator of ['multipath', 'montecarlo'] as const) {
    it(`healthy evidence lowers the VM and its downstream with the ${estimator} estimator too`, () => {
      const options = { estimator, floor: 0, samples: 4000 };
      const first = assess(opened(), snapshot, MODEL, T0, options);
      const b = riskOf(first.assessment.atRisk, 'b');
      const c = riskOf(first.assessment.atRisk, 'c');
      const healthyAt = T0 + 5 * (b.etaAt - T0);
      const next = assess(observeHealthy(first.state, 'b', healthyAt), snapshot, MODEL, healthyAt, options).assessment;
      assert.equal(next.estimator, estimator);
      assert.ok(riskOf(next.atRisk, 'b').probability < b.probability / 5);
      assert.ok(riskOf(next.atRisk, 'c').probability < c.probability / 5);
    });
  }

  it('healthy before the ETA is weak evidence; healthy before the onset is none', () => {
    const base = assess(opened(), snapshot, MODEL, T0);
    const b = riskOf(base.assessment.atRisk, 'b');
    const early = assess(observeHealthy(opened(), 'b', T0 + (b.etaAt - T0) / 10), snapshot, MODEL, T0);
    const p = riskOf(early.assessment.atRisk, 'b').probability;
    assert.ok(p < b.probability && p > 0.9 * b.probability, `early healthy: ${p} vs ${b.probability}`);
    const before = assess(observeHealthy(opened(), 'b', T0 - 5000), snapshot, MODEL, T0);
    assert.equal(riskOf(before.assessment.atRisk, 'b').probability, b.probability);
  });

  it('a VM seen anomalous becomes a source and leaves atRisk', () => {
    const s = observeAnomalous(opened(), 'c', T0 + 60_000, 0.5);
    const { assessment } = assess(s, snapshot, MODEL, T0 + 60_000);
    assert.deepEqual(assessment.sources.map((x) => x.vmId), ['a', 'c']);
    assert.equal(assessment.atRisk.some((r) => r.vmId === 'c'), false);
    assert.ok(riskOf(assessment.atRisk, 'd').probability > 0.4);
  });

  it('a recovered source no longer spreads; when all have recovered the assessment is empty and RESOLVED', () => {
    let s = observeAnomalous(opened(), 'c', T0 + 60_000);
    s = observeRecovered(s, 'c', T0 + 120_000);
    const partial = assess(s, snapshot, MODEL, T0 + 120_000).assessment;
    assert.equal(partial.status, 'OPEN');
    assert.deepEqual(partial.sources.map((x) => x.vmId), ['a']);
    assert.equal(partial.atRisk.some((r) => r.vmId === 'c' || r.vmId === 'd'), false);
    s = observeRecovered(s, 'a', T0 + 180_000);
    const done = assess(s, snapshot, MODEL, T0 + 180_000);
    assert.equal(done.state.status, 'RESOLVED');
    assert.equal(done.assessment.status, 'RESOLVED');
    assert.deepEqual(done.assessment.atRisk, []);
    assert.deepEqual(done.assessment.sources, []);
  });

  it('records and ignores VM ids the snapshot does not know, listing them in the assessment', () => {
    let s = observeAnomalous(opened(), 'ghost', T0);
    s = observeHealthy(s, 'phantom', T0 + 10);
    const { assessment } = assess(s, snapshot, MODEL, T0 + 10);
    assert.deepEqual(assessment.unknownVmIds, ['ghost', 'phantom']);
    assert.deepEqual(assessment.sources.map((x) => x.vmId), ['a']);
    const onlyGhost = assess(observeAnomalous(openIncident('inc-2', TYPE, T0), 'ghost', T0), snapshot, MODEL, T0).assessment;
    assert.deepEqual(onlyGhost.atRisk, []);
    assert.equal(onlyGhost.status, 'OPEN');
  });

  it('rejects a non-finite assessment time with INVALID_ARGUMENT', () => {
    assert.throws(() => assess(opened(), snapshot, MODEL, Number.NaN), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
  });
});
