import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topicCodec } from '@foresight/contracts';
import { defaultModel, ExposureIndex, type Pathway } from '@foresight/core';
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

  describe('exposing edges (joint credit)', () => {
    const features = { bandwidthMbps: 20, callsPerSec: 50, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.01, lastSeenAt: 0 };
    const api = (source: string, target: string): Pathway => ({ source, target, kind: 'API_CALL', features });
    // db is the source; api is affected a minute later; web (called by both) three minutes later; cache only by db.
    const index = new ExposureIndex({
      vms: ['db', 'api', 'web', 'cache'].map((id) => ({ id, hostId: `host-${id}` })),
      pathways: [api('db', 'api'), api('db', 'web'), api('api', 'web'), api('db', 'cache')],
    });
    const incident: IncidentPredictions = {
      incidentId: 'inc-2', systemId: 'shop', anomalyType: 'mystery', modelVersion: 1, onsetAt: t0, sources: { db: t0 }, lastVersion: 1,
      predictions: {
        api: { vmId: 'api', probability: 0.5, firstFlaggedAt: t0 + 1_000, edge: { parentVmId: 'db', kind: 'API_CALL', direction: 'forward' } },
        web: { vmId: 'web', probability: 0.4, firstFlaggedAt: t0 + 1_000, edge: { parentVmId: 'api', kind: 'API_CALL', direction: 'forward' } },
        cache: { vmId: 'cache', probability: 0.3, firstFlaggedAt: t0 + 1_000, edge: { parentVmId: 'db', kind: 'API_CALL', direction: 'forward' } },
      },
    };
    const base: LabellingEvidence = {
      onsets: {
        systemId: 'shop', newestAt: t0 + 180_000,
        vms: { db: [{ at: t0, anomalyType: 'latency' }], api: [{ at: t0 + 60_000, anomalyType: 'latency' }], web: [{ at: t0 + 180_000, anomalyType: 'latency' }] },
      },
      horizonMs: 30 * 60_000,
      grantAppliedAt: new Map(),
      featuresOf: () => features,
    };
    const withExposing: LabellingEvidence = { ...base, exposing: { index, model: defaultModel('m') } };

    it('a VM with two earlier-affected neighbours gets both exposing edges, and keeps its recorded edge', () => {
      const web = labelIncident(incident, withExposing).outcome.exposures.find((e) => e.vmId === 'web');
      assert.ok(web !== undefined);
      assert.equal(web.edge?.parentVmId, 'api', 'the likeliest edge of the latest explanation is still recorded');
      assert.deepEqual(web.exposingEdges, [
        { kind: 'API_CALL', direction: 'forward', features, parentAffected: true, parentVmId: 'db', parentOnsetDelayMs: 0 },
        { kind: 'API_CALL', direction: 'forward', features, parentAffected: true, parentVmId: 'api', parentOnsetDelayMs: 60_000 },
      ]);
    });

    it('a VM with a single exposing parent is recorded as before: its edge only', () => {
      const before = labelIncident(incident, base).outcome;
      const after = labelIncident(incident, withExposing).outcome;
      for (const vmId of ['api', 'cache']) {
        const exposure = after.exposures.find((e) => e.vmId === vmId);
        assert.equal(exposure?.exposingEdges, undefined);
        assert.deepEqual(exposure, before.exposures.find((e) => e.vmId === vmId));
      }
      assert.deepEqual(after.missed, before.missed);
    });
  });
});
