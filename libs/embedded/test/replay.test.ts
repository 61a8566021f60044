import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fleetRecording, parseReplayLine, replayRecording } from '../src/index.js';

const example = new URL('../../../../examples/replay/small.ndjson', import.meta.url);

describe('replayRecording', () => {
  it('replays the example file into risk assessments and allocation commands', async () => {
    const lines = readFileSync(example, 'utf8').split('\n');
    const out = await replayRecording(lines);
    const risks = out.filter((l) => l.topic === 'risk');
    const allocations = out.filter((l) => l.topic === 'allocations');
    assert.ok(risks.length >= 2, `expected risk assessments, got ${risks.length}`);
    assert.ok(allocations.some((l) => 'action' in l.message && l.message.action === 'GRANT'), 'expected at least one GRANT');
    const first = risks[0].message;
    assert.ok('atRisk' in first && first.atRisk.some((r) => r.vmId === 'api-1' || r.vmId === 'api-2'), 'the callers of the slow database are at risk');
    assert.ok(risks.some((l) => 'status' in l.message && l.message.status === 'CLOSED'), 'the incident closes once resolved');
  });

  it('is deterministic: the same file gives the same output', async () => {
    const lines = readFileSync(example, 'utf8').split('\n');
    assert.deepEqual(await replayRecording(lines), await replayRecording(lines));
  });

  it('names the line of an invalid message', () => {
    assert.throws(() => parseReplayLine('{"topic":"anomalies","message":{"eventId":"x"}}', 7), /line 7: anomalies: invalid/);
    assert.throws(() => parseReplayLine('{"topic":"risk","message":{}}', 3), /line 3: expected/);
    assert.throws(() => parseReplayLine('not json', 2), /line 2: not JSON/);
    assert.equal(parseReplayLine('   ', 1), undefined);
  });

  it('writes the model versions the learner published, and none with --learning off (the default model stays)', async () => {
    // NOTE: enough incidents on a small fleet for the learner to publish at least once (about 6 s on 2 cores).
    const recording = [...fleetRecording({ vms: 200, durationMs: 60 * 60_000, incidents: 80, seed: 1 })];
    const learning = await replayRecording(recording, { learning: true });
    const models = learning.filter((l) => l.topic === 'model');
    assert.ok(models.length >= 1, 'the learner published a model version');
    const frozen = await replayRecording(recording, { learning: false });
    assert.equal(frozen.filter((l) => l.topic === 'model').length, 0);
    const versions = new Set(frozen.flatMap((l) => (l.topic === 'risk' && 'modelVersion' in l.message ? [l.message.modelVersion] : [])));
    assert.equal(versions.size, 1, `one model scores everything, got versions ${[...versions].join(', ')}`);
  });
});
