import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LearnerState } from '@foresight/core';
import { StoreError } from '@foresight/stores';
import type { LearnerMetrics } from '../src/learner-metrics.js';
import { HORIZON, MINUTE, anomaly, assessment, learnerWorld, starTopology, type LearnerWorld } from './learner-world.js';

const T0 = 10_000_000;

function countingMetrics(): LearnerMetrics & { trimmed: number; refused: number; verdicts: string[] } {
  const m = {
    trimmed: 0, refused: 0, verdicts: [] as string[],
    incidentLabelled: () => undefined,
    modelDecision: (verdict: string) => { m.verdicts.push(verdict); },
    trainingStateTrimmed: (n: number) => { m.trimmed += n; },
    storeRefused: () => { m.refused++; },
  };
  return m;
}

/** Incidents with twelve listed children, half of them anomalous: a few kilobytes of outcome each. */
async function play(w: LearnerWorld, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = `big-${i}`;
    const { source, children } = await starTopology(w.graph, id, 12);
    await w.send('risk', [assessment(id, source, T0 + i * MINUTE, children.map((c) => [c, 0.3] as const))]);
    await w.send('anomalies', [anomaly(source, T0 + i * MINUTE), ...children.slice(0, 6).map((c, k) => anomaly(c, T0 + i * MINUTE + (k + 1) * 10_000))]);
  }
  await w.tick(T0 + count * MINUTE + HORIZON + MINUTE);
}

describe('the training document stays within the store cap', () => {
  it('trims the oldest outcomes when the document passes its budget, counted, and keeps learning', async () => {
    const metrics = countingMetrics();
    // A cap small enough that 40 incidents do not fit (an outcome of twelve exposures is about 18 kB; the store's own cap is 4 MiB).
    const w = await learnerWorld({ minIncidentsPerStep: 5, trainingDocumentMaxLength: 400_000 }, undefined, metrics);
    await play(w, 40);
    const json = await w.store.documents.get('learner-training', 'state');
    assert.ok(json !== undefined);
    assert.ok(json.length <= 360_000, `document of ${json.length} characters over its 90% budget`);
    assert.ok(metrics.trimmed > 0, 'trimming is counted');
    const state = (JSON.parse(json) as { learner: LearnerState }).learner;
    assert.equal(state.recorded, 40, 'every incident was taken in');
    assert.ok(state.training.length + (state.window?.length ?? 0) + state.heldOut.length < 80, 'old outcomes were trimmed');
    assert.ok(metrics.verdicts.length > 0, `training steps still ran (${json.length} chars, ${state.training.length} training, ${state.heldOut.length} held out, trimmed ${metrics.trimmed})`);
    await w.close();
  });

  it('a store that refuses the training document never fails the tick', async () => {
    const metrics = countingMetrics();
    const w = await learnerWorld({ minIncidentsPerStep: 5 }, undefined, metrics);
    const documents = w.store.documents as { put: (kind: string, id: string, json: string) => Promise<void> };
    const put = documents.put.bind(documents);
    documents.put = (kind, id, json) => (kind === 'learner-training' ? Promise.reject(new StoreError('INVALID_INPUT', 'document too large')) : put(kind, id, json));
    await play(w, 12);
    assert.ok(metrics.refused > 0, 'the refusals are counted');
    assert.equal(w.evaluations.length, 12, 'labelling went on');
    assert.equal(await w.store.documents.get('learner-training', 'state'), undefined);
    await w.close();
  });
});
