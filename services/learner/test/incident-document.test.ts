import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RiskAssessment } from '@foresight/contracts';
import { InMemoryStateStore } from '@foresight/stores';
import { decodePredictions, encodePredictions, foldAssessment, IncidentPredictionBook, type IncidentPredictions } from '../src/incident-predictions.js';
import { LEARNER_DOCUMENTS } from '../src/learner-documents.js';

const assessment = fc.record({
  version: fc.integer({ min: 1, max: 4 }), closed: fc.boolean(),
  entries: fc.array(fc.record({ vm: fc.integer({ min: 0, max: 6 }), p: fc.double({ min: 0, max: 1, noNaN: true }), edge: fc.boolean() }), { maxLength: 6 }),
}).map(({ version, closed, entries }): RiskAssessment => ({
  eventId: `r-${version}`, eventTime: 1_000 * version, incidentId: 'inc/1', version, status: closed ? 'CLOSED' : 'OPEN', systemId: 's0',
  anomalyType: 'latency', severity: 1, estimator: 'mpp', sources: [{ vmId: 'src', onsetAt: 500 * version }], modelVersion: 1, generatedAt: 1_000 * version,
  atRisk: entries.map((e) => ({
    vmId: `vm${e.vm}`, hostId: 'h1', probability: e.p, etaMs: 0, path: ['src', `vm${e.vm}`],
    contributions: e.edge ? [{ from: 'src', to: `vm${e.vm}`, kind: 'API_CALL', direction: 'reverse', probability: e.p, delayMs: 1 }] : [],
  })),
}));

/** The fold as first written (conditional spreads), kept as the reference of the faster one. */
function referenceFold(current: IncidentPredictions | undefined, risk: RiskAssessment, predictionThreshold: number): IncidentPredictions {
  if (current !== undefined && risk.version <= current.lastVersion) return current;
  const sources: Record<string, number> = { ...current?.sources };
  for (const s of risk.sources) {
    const known = sources[s.vmId];
    if (known !== undefined) sources[s.vmId] = Math.min(known, s.onsetAt);
    else if (current === undefined || (current.predictions[s.vmId] === undefined && s.onsetAt <= current.onsetAt)) sources[s.vmId] = s.onsetAt;
  }
  const predictions: Record<string, IncidentPredictions['predictions'][string]> = { ...current?.predictions };
  for (const entry of risk.atRisk) {
    if (!Number.isFinite(entry.probability)) continue;
    const before = predictions[entry.vmId];
    const flagged = entry.probability >= predictionThreshold ? risk.generatedAt : undefined;
    const firstFlaggedAt = before?.firstFlaggedAt ?? flagged;
    const hop = entry.contributions.findLast((c) => c.to === entry.vmId);
    const edge = (hop === undefined ? undefined : { parentVmId: hop.from, kind: hop.kind, direction: hop.direction }) ?? before?.edge;
    predictions[entry.vmId] = {
      vmId: entry.vmId, probability: Math.max(before?.probability ?? 0, Math.min(1, Math.max(0, entry.probability))),
      ...(firstFlaggedAt === undefined ? {} : { firstFlaggedAt }), ...(edge === undefined ? {} : { edge }),
    };
  }
  const onsets = Object.values(sources);
  const closedAt = risk.status === 'CLOSED' ? risk.generatedAt : current?.closedAt;
  return {
    incidentId: risk.incidentId, systemId: risk.systemId, anomalyType: current?.anomalyType ?? risk.anomalyType,
    modelVersion: current?.modelVersion ?? risk.modelVersion,
    onsetAt: onsets.length > 0 ? Math.min(...onsets) : (current?.onsetAt ?? risk.generatedAt),
    sources, lastVersion: risk.version, predictions, ...(closedAt === undefined ? {} : { closedAt }),
  };
}

/** The same incident with its keys in a fixed order (the stored form does not keep the order of an object's keys). */
function canonical(incident: IncidentPredictions | undefined): unknown {
  if (incident === undefined) return undefined;
  const { predictions, ...rest } = incident;
  return { ...rest, predictions: Object.entries(predictions) };
}

describe('incident prediction documents', () => {
  it('fold assessments exactly as the reference fold does, keys in the same order', () => {
    const risky = assessment.chain((r) => fc.record({ sourceAt: fc.integer({ min: 0, max: 3_000 }), extra: fc.boolean(), p: fc.constantFrom(Number.NaN, 2, -1, 0.5) }).map(({ sourceAt, extra, p }) => ({
      ...r, sources: [{ vmId: extra ? 'vm1' : 'src', onsetAt: sourceAt }, { vmId: 'src', onsetAt: 500 * r.version }],
      atRisk: [...r.atRisk, ...(extra ? [{ ...r.atRisk[0] ?? { vmId: 'vm5', hostId: 'h1', etaMs: 0, path: [], contributions: [] }, probability: p }] : [])],
    })));
    fc.assert(fc.property(fc.array(risky, { minLength: 1, maxLength: 6 }), (risks) => {
      let incident: IncidentPredictions | undefined;
      let reference: IncidentPredictions | undefined;
      for (const risk of risks) {
        incident = foldAssessment(incident, risk, 0.3);
        reference = referenceFold(reference, risk, 0.3);
        assert.equal(JSON.stringify(incident), JSON.stringify(reference));
      }
    }), { numRuns: 500 });
  });

  it('decode what they encode: every listed VM, its probability, first flag and edge, in listing order', () => {
    fc.assert(fc.property(fc.array(assessment, { minLength: 1, maxLength: 6 }), (risks) => {
      let incident: IncidentPredictions | undefined;
      for (const risk of risks) incident = foldAssessment(incident, risk, 0.3);
      const stored = JSON.parse(JSON.stringify(encodePredictions(incident as IncidentPredictions))) as Parameters<typeof decodePredictions>[0];
      assert.deepEqual(canonical(decodePredictions(stored)), canonical(incident));
    }), { numRuns: 300 });
  });

  it('are shorter than the keyed form, and a document in the keyed form is still read and folded into', async () => {
    const risks = [1, 2].map((version) => fc.sample(assessment, { numRuns: 1, seed: version })[0]).map((r, i) => ({
      ...r, version: i + 1, status: 'OPEN' as const,
      atRisk: [0, 1, 2].map((k) => ({ vmId: `vm${k}`, hostId: 'h1', probability: 0.5, etaMs: 0, path: ['src', `vm${k}`], contributions: [{ from: 'src', to: `vm${k}`, kind: 'API_CALL', direction: 'forward', probability: 0.5, delayMs: 1 }] })),
    }));
    const first = foldAssessment(undefined, risks[0], 0.3);
    assert.ok(JSON.stringify(encodePredictions(first)).length < JSON.stringify(first).length * 0.75);
    const store = new InMemoryStateStore();
    await store.documents.put(LEARNER_DOCUMENTS.incident, 'inc/1', JSON.stringify(first));
    const book = new IncidentPredictionBook(store, 0.3);
    assert.deepEqual(canonical(await book.get('inc/1')), canonical(first));
    assert.deepEqual((await book.all()).map(canonical), [canonical(first)]);
    const next = await book.record(risks[1]);
    assert.deepEqual(canonical(next), canonical(foldAssessment(first, risks[1], 0.3)));
    assert.deepEqual(canonical(await book.get('inc/1')), canonical(next));
    assert.ok('listed' in (JSON.parse((await store.documents.get(LEARNER_DOCUMENTS.incident, 'inc/1')) as string) as object), 'written back in the compact form');
  });
});
