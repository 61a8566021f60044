import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topicCodec } from '@foresight/contracts';
import { labelIncident, type LabellingEvidence } from '../src/index.js';
import type { IncidentPredictions } from '../src/incident-predictions.js';

const t0 = 1_767_225_600_000;

describe('labelIncident', () => {
  it('regression: a VM listed after its reported onset has lead time 0, not negative (the evaluation stays valid Avro)', () => {
    const incident: IncidentPredictions = {
      incidentId: 'inc-1', systemId: 'shop', anomalyType: 'latency', modelVersion: 1, onsetAt: t0, sources: { db: t0 }, lastVersion: 2,
      predictions: {
        early: { vmId: 'early', probability: 0.6, firstFlaggedAt: t0 + 1_000 },
        late: { vmId: 'late', probability: 0.5, firstFlaggedAt: t0 + 90_000 },
      },
    };
    const evidence: LabellingEvidence = {
      onsets: { systemId: 'shop', newestAt: t0 + 90_000, vms: { early: [{ at: t0 + 31_000, anomalyType: 'latency' }], late: [{ at: t0 + 60_000, anomalyType: 'latency' }] } },
      horizonMs: 30 * 60_000,
      grantAppliedAt: new Map(),
      featuresOf: () => undefined,
    };
    const { evaluation } = labelIncident(incident, evidence);
    assert.deepEqual([...evaluation.leadTimesMs].sort((a, b) => a - b), [0, 30_000]);
    assert.equal(evaluation.truePositives, 2);
    const message = { ...evaluation, eventId: 'e-1', eventTime: t0 + 31 * 60_000 };
    assert.doesNotThrow(() => topicCodec('evaluations').encode(message));
  });
});
