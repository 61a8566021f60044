import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExposureIndex } from '../../src/learning/exposing-edges.js';
import { foldOnsetReport, labelIncident, type LabellingInput, type ObservedOnset } from '../../src/learning/label-incident.js';
import { defaultModel } from '../../src/model/default-model.js';
import { NEUTRAL_FEATURES, type Pathway } from '../../src/topology/pathway.js';

const t0 = 1_767_225_600_000;
const MINUTE = 60_000;
const features = { bandwidthMbps: 20, callsPerSec: 50, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.01, lastSeenAt: 7 };
const api = (source: string, target: string): Pathway => ({ source, target, kind: 'API_CALL', features });

describe('foldOnsetReport', () => {
  it('opens an onset, ignores a repeated OPEN while it is open, closes it on RESOLVED, and returns the same list when nothing changed', () => {
    const open = foldOnsetReport([], { state: 'OPEN', at: 10, anomalyType: 'latency' });
    assert.deepEqual(open, [{ at: 10, anomalyType: 'latency' }]);
    assert.equal(foldOnsetReport(open, { state: 'OPEN', at: 20, anomalyType: 'latency' }), open);
    const closed = foldOnsetReport(open, { state: 'RESOLVED', at: 30, anomalyType: 'latency' });
    assert.deepEqual(closed, [{ at: 10, anomalyType: 'latency', resolvedAt: 30 }]);
    assert.equal(foldOnsetReport(closed, { state: 'RESOLVED', at: 40, anomalyType: 'latency' }), closed, 'nothing open to close');
    assert.equal(foldOnsetReport(closed, { state: 'OPEN', at: 10, anomalyType: 'latency' }), closed, 'a redelivered OPEN');
  });
});

describe('labelIncident', () => {
  // db is the source; api (listed) is affected a minute later; web (listed) stays healthy; cache (unlisted) is affected.
  const onsets = new Map<string, readonly ObservedOnset[]>([
    ['db', [{ at: t0, anomalyType: 'latency' }]],
    ['api', [{ at: t0 - 5 * MINUTE, anomalyType: 'latency', resolvedAt: t0 - 4 * MINUTE }, { at: t0 + MINUTE, anomalyType: 'latency', resolvedAt: t0 + 11 * MINUTE }]],
    ['cache', [{ at: t0 + 2 * MINUTE, anomalyType: 'latency' }]],
    ['late', [{ at: t0 + 31 * MINUTE, anomalyType: 'latency' }]],
  ]);
  const input: LabellingInput = {
    incident: { incidentId: 'inc', anomalyType: 'mystery', onsetAt: t0, modelVersion: 0, sources: new Map([['db', t0]]) },
    predictions: [
      { vmId: 'web', probability: 0.2, firstFlaggedAt: t0 + 1_000, edge: { parentVmId: 'api', kind: 'API_CALL', direction: 'forward' } },
      { vmId: 'api', probability: 0.7, firstFlaggedAt: t0 + 1_000, edge: { parentVmId: 'db', kind: 'API_CALL', direction: 'forward' } },
      { vmId: 'db', probability: 1 },
    ],
    horizonMs: 30 * MINUTE,
    onsets,
    grantAppliedAt: new Map([['api', t0 + 30_000], ['web', t0 + 30_000]]),
    featuresOf: () => features,
    exposing: {
      index: new ExposureIndex({ vms: ['db', 'api', 'web', 'cache', 'late'].map((id) => ({ id, hostId: `h-${id}` })), pathways: [api('db', 'api'), api('api', 'web'), api('db', 'web'), api('db', 'cache')] }),
      model: defaultModel('m'),
    },
  };

  it('judges the listed VMs in id order, the source neither listed nor missed, and only onsets within the horizon', () => {
    const { outcome, summary } = labelIncident(input);
    assert.deepEqual(outcome.exposures.map((e) => [e.vmId, e.becameAnomalous, e.grantInPlace, e.degradedMinutes, e.onsetDelayMs]), [
      ['api', true, true, 10, MINUTE],
      ['web', false, true, 0, undefined],
    ]);
    assert.deepEqual(outcome.missed, [{
      vmId: 'cache', anomalyType: 'latency', onsetDelayMs: 2 * MINUTE,
      edge: { kind: 'API_CALL', direction: 'forward', features, parentAffected: true, parentVmId: 'db', parentOnsetDelayMs: 0 },
    }], 'a missed VM carries the edge that exposed it');
    assert.equal(outcome.modelVersion, 1, 'a version-0 prediction is recorded as version 1');
    assert.deepEqual({ ...summary, leadTimesMs: [...summary.leadTimesMs] }, {
      incidentId: 'inc', anomalyType: 'mystery', modelVersion: 0, predicted: 2, affected: 2, truePositives: 1, precision: 0.5, recall: 0.5,
      brier: ((0.7 - 1) ** 2 + 0.2 ** 2) / 2, leadTimesMs: [MINUTE - 1_000], usefulGrants: 1, wastedGrants: 1,
    });
  });

  it('records every exposed VM that was never listed and stayed healthy as a negative with probability 0', () => {
    const index = new ExposureIndex({
      vms: ['db', 'api', 'web', 'cache', 'late', 'quiet'].map((id) => ({ id, hostId: `h-${id}` })),
      pathways: [api('db', 'api'), api('api', 'web'), api('db', 'web'), api('db', 'cache'), api('db', 'quiet')],
    });
    const { outcome, summary } = labelIncident({ ...input, exposing: { index, model: defaultModel('m') } });
    const quiet = outcome.exposures.find((e) => e.vmId === 'quiet');
    assert.deepEqual(quiet, {
      vmId: 'quiet', anomalyType: 'mystery', predictedProbability: 0, becameAnomalous: false, grantInPlace: false, degradedMinutes: 0,
      edge: { kind: 'API_CALL', direction: 'forward', features, parentAffected: true, parentVmId: 'db', parentOnsetDelayMs: 0 },
    });
    assert.deepEqual(outcome.exposures.map((e) => e.vmId), ['api', 'quiet', 'web'], 'in id order');
    assert.equal(summary.predicted, 2, 'not a prediction');
    assert.equal(labelIncident({ ...input, exposing: undefined }).outcome.exposures.length, 2, 'without the exposure index only the listed VMs');
  });

  it('with neutral features, every recorded edge keeps only its lastSeenAt (the uniform-edge-weights ablation)', () => {
    const neutral = { ...NEUTRAL_FEATURES, lastSeenAt: features.lastSeenAt };
    const { outcome } = labelIncident({ ...input, neutralFeatures: true });
    const web = outcome.exposures.find((e) => e.vmId === 'web');
    assert.deepEqual(web?.edge?.features, neutral);
    assert.equal(web?.exposingEdges?.length, 2, 'db and api both exposed web');
    for (const edge of web?.exposingEdges ?? []) assert.deepEqual(edge.features, neutral);
    const observed = labelIncident(input).outcome.exposures.find((e) => e.vmId === 'web');
    assert.deepEqual(observed?.edge?.features, features);
  });
});
