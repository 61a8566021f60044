import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultModel, learnFromOutcomes, refitOnWindow, type IncidentOutcome } from '@foresight/core';
import { RuntimeError } from '@foresight/messaging';
import { refitOffThread } from '../src/window-refitter.js';

const AT = 1_700_000_000_000;

/** Judged incidents along API edges: the busier the edge, the likelier the infection. */
function window(count: number): IncidentOutcome[] {
  return Array.from({ length: count }, (_, i) => ({
    incidentId: `inc-${i}`, onsetAt: AT, modelVersion: 1,
    exposures: Array.from({ length: 12 }, (_, j) => ({
      vmId: `vm-${i}-${j}`, anomalyType: 'latency', predictedProbability: 0.2, becameAnomalous: (i + j) % 5 === 0 && j > 5, grantInPlace: false,
      edge: {
        kind: 'API_CALL' as const, direction: 'reverse' as const, parentAffected: true, parentOnsetDelayMs: 0,
        features: { bandwidthMbps: 1, callsPerSec: 1 + 40 * j, latencyP50Ms: 5, latencyP99Ms: 20, errorRate: 0, lastSeenAt: AT },
      },
    })),
  }));
}

describe('refitOffThread', () => {
  it('returns exactly the model refitOnWindow returns on this thread', async () => {
    const start = defaultModel();
    const outcomes = window(60);
    const stepped = learnFromOutcomes(start, outcomes.slice(-10), { at: AT });
    const options = { at: AT, prior: start };
    const here = refitOnWindow(stepped, outcomes, options);
    assert.notDeepEqual(here.types, stepped.types, 'the window moved the carriers');
    assert.deepEqual(await refitOffThread({ stepped, window: outcomes, options }), here);
  });

  it('turns a failure in the worker into a retriable error naming it', async () => {
    const start = defaultModel();
    const bad = window(3);
    const poisoned = [{ ...bad[0], exposures: [{ ...bad[0].exposures[0], predictedProbability: Number.NaN }] }];
    await assert.rejects(refitOffThread({ stepped: start, window: poisoned, options: { at: AT, prior: start } }),
      (e: unknown) => e instanceof RuntimeError && e.code === 'HANDLER_RETRIABLE' && /window refit failed/.test(e.message) && /predictedProbability/.test(e.message));
  });
});
