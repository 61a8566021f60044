import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { RiskAssessment } from '@foresight/contracts';
import { fleetRecording, parseReplayLine, replayInto, replayRecording, replaySummary, replayWarnings, type ReplayLine } from '../src/index.js';

const example = new URL('../../../../examples/replay/small.ndjson', import.meta.url);
const exampleLines = (): string[] => readFileSync(example, 'utf8').trim().split('\n');
const MINUTE = 60_000;

/** The example with its anomalies `ms` later (the topology's flow windows stay where they are). */
function anomaliesLater(ms: number): string[] {
  return exampleLines().map((text) => {
    const line = JSON.parse(text) as { topic: string; message: Record<string, number> };
    if (line.topic !== 'anomalies') return text;
    return JSON.stringify({ ...line, message: { ...line.message, eventTime: line.message.eventTime + ms, detectedAt: line.message.detectedAt + ms } });
  });
}

const risks = (out: readonly ReplayLine[]): RiskAssessment[] => out.flatMap((l) => (l.topic === 'risk' ? [l.message as RiskAssessment] : []));

describe('replayRecording', () => {
  it('replays the example file into risk assessments and allocation commands', async () => {
    const out = await replayRecording(exampleLines());
    const assessments = risks(out);
    const allocations = out.filter((l) => l.topic === 'allocations');
    assert.ok(assessments.length >= 2, `expected risk assessments, got ${assessments.length}`);
    assert.ok(allocations.some((l) => 'action' in l.message && l.message.action === 'GRANT'), 'expected at least one GRANT');
    assert.ok(assessments[0].atRisk.some((r) => r.vmId === 'api-1' || r.vmId === 'api-2'), 'the callers of the slow database are at risk');
    assert.ok(assessments.some((r) => r.status === 'CLOSED'), 'the incident closes once resolved');
  });

  it('is deterministic: the same file gives the same output', async () => {
    assert.deepEqual(await replayRecording(exampleLines()), await replayRecording(exampleLines()));
  });

  it('names the line, the field and the shape expected of an invalid message', () => {
    assert.throws(() => parseReplayLine('{"topic":"anomalies","message":{"eventId":"x"}}', 7), /line 7: anomalies: field 'eventTime' is missing \(expected integer \(long\)\)/);
    assert.throws(() => parseReplayLine('{"topic":"risk","message":{}}', 3), /line 3: "topic" is "risk" \(expected \{"topic": one of inventory, /);
    assert.throws(() => parseReplayLine('not json', 2), /line 2: not JSON/);
    assert.equal(parseReplayLine('   ', 1), undefined);
  });

  it('regression: a misnamed key says which field is missing and names the unknown key, not "invalid $ = missing"', () => {
    const host = { eventId: 'h-1', eventTime: 1, host_id: 'host-a', removed: false, capacity: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 } };
    assert.throws(
      () => parseReplayLine(JSON.stringify({ topic: 'hosts', message: host }), 1),
      /^RuntimeError: line 1: hosts: field 'hostId' is missing \(expected string\); unknown field 'host_id' \(did you mean 'hostId'\?\)$/,
    );
    assert.throws(
      () => parseReplayLine(JSON.stringify({ topic: 'hosts', msg: { ...host, hostId: 'host-a' } }), 1),
      /^RuntimeError: line 1: hosts: no "message" \(expected \{"topic": "hosts", "message": \{…\}\}\); unknown key 'msg'$/,
    );
  });

  it('writes the model versions the learner published, and none with --learning off (the default model stays)', async () => {
    // NOTE: enough incidents on a small fleet for the learner to publish at least once (about 15 s on 2 cores).
    const recording = [...fleetRecording({ vms: 200, durationMs: 60 * MINUTE, incidents: 60, seed: 1 })];
    const learning = await replayRecording(recording, { learning: true });
    const models = learning.filter((l) => l.topic === 'model');
    assert.ok(models.length >= 1, 'the learner published a model version');
    const frozen = await replayRecording(recording, { learning: false });
    assert.equal(frozen.filter((l) => l.topic === 'model').length, 0);
    const versions = new Set(risks(frozen).map((r) => r.modelVersion));
    assert.equal(versions.size, 1, `one model scores everything, got versions ${[...versions].join(', ')}`);
  });
});

describe('replay: pathway ageing', () => {
  it('regression: pathways silently expired 30 min after their last flow window; the replay now says so, and the ageing is settable', async () => {
    const late = anomaliesLater(40 * MINUTE);
    const byDefault: ReplayLine[] = [];
    const expired = await replayInto(late, (l) => void byDefault.push(l));
    assert.equal(expired.pathways.seen, 6);
    assert.ok(expired.pathways.expired >= 6, `every pathway expired before the anomalies, got ${expired.pathways.expired}`);
    assert.ok(expired.pathways.expiredInTail < expired.pathways.expired);
    const first = risks(byDefault)[0].atRisk;
    assert.ok(first.every((r) => r.contributions.every((c) => c.kind === 'CO_LOCATED')), 'with the API pathways gone only co-located VMs are at risk');
    assert.ok(!first.some((r) => r.vmId === 'api-1'));
    assert.match(replayWarnings(expired).join('\n'), /^warning: pathways expired \d+ time\(s\) during the replay \(of 6 pathway\(s\) in the input's flows.*no flow window for 30m is removed.*--no-pathway-expiry/m);

    for (const pathways of [{ staleAfterMs: 'never' as const }, { staleAfterMs: 2 * 60 * MINUTE }]) {
      const out: ReplayLine[] = [];
      const kept = await replayInto(late, (l) => void out.push(l), { pathways });
      assert.equal(kept.pathways.expired, 0, JSON.stringify(pathways));
      assert.ok(risks(out)[0].atRisk.some((r) => r.vmId === 'api-1'), `the callers are at risk again with ${JSON.stringify(pathways)}`);
      assert.deepEqual(replayWarnings(kept), []);
    }
  });

  it('takes the half-life: a shorter one fades the unobserved traffic faster', async () => {
    const late = anomaliesLater(20 * MINUTE);
    const top = async (halfLifeMs: number): Promise<number> => risks(await replayRecording(late, { pathways: { staleAfterMs: 'never', halfLifeMs } }))[0].atRisk[0]?.probability ?? 0;
    const slow = await top(60 * MINUTE);
    const fast = await top(2 * MINUTE);
    assert.ok(fast < slow, `a 2 min half-life (${fast}) must leave less risk than a 60 min one (${slow})`);
  });

  it('refuses a non-positive duration', async () => {
    await assert.rejects(replayRecording(exampleLines(), { pathways: { staleAfterMs: 0 } }), /pathway staleAfterMs must be a positive duration/);
  });
});

describe('replay: anomalies on VMs the topology does not know', () => {
  it('regression: reports them with their ids and lines, and marks their risk assessment, instead of a silent sources: []', async () => {
    const ghost = { eventId: 'anom-ghost-1', eventTime: 1735689700000, systemId: 'shop', level: 'COMPONENT', subjectId: 'ghost-1', anomalyType: 'latency', severity: 0.7, state: 'OPEN', detectedAt: 1735689700000, attributes: {} };
    const lines = [...exampleLines()];
    lines.splice(13, 0, JSON.stringify({ topic: 'anomalies', message: ghost }));
    const out: ReplayLine[] = [];
    const report = await replayInto(lines, (l) => void out.push(l));
    assert.deepEqual(report.unknownVms, [{ vmId: 'ghost-1', lines: [14] }]);
    const marked = out.filter((l) => l.unknownVmIds !== undefined);
    assert.ok(marked.length >= 1);
    for (const line of marked) {
      assert.equal((line.message as RiskAssessment).incidentId, 'incident:anom-ghost-1');
      assert.deepEqual(line.unknownVmIds, ['ghost-1']);
      assert.deepEqual((line.message as RiskAssessment).sources, []);
    }
    assert.ok(risks(out).filter((r) => r.incidentId !== 'incident:anom-ghost-1').every((r) => !out.some((l) => l.message === r && l.unknownVmIds !== undefined)));
    assert.match(replayWarnings(report).join('\n'), /warning: 1 anomaly report\(s\) on 1 VM\(s\) with no inventory line before them: ghost-1 \(line 14\)/);
  });
});

describe('replay: output and counts', () => {
  it('streams: output reaches the sink while the input is still being read, line by line', async () => {
    const lines = anomaliesLater(0);
    const seen: number[] = [];
    let read = 0;
    async function* slowly(): AsyncGenerator<string> {
      for (const line of lines) {
        read++;
        yield await Promise.resolve(line);
      }
    }
    await replayInto(slowly(), () => void seen.push(read));
    assert.ok(seen.length > 0);
    assert.ok(seen[0] < lines.length, `the first output came after reading ${seen[0]} of ${lines.length} lines`);
  });

  it('counts ignored and dead-lettered records', async () => {
    const lines = exampleLines();
    const recovery = { eventId: 'anom-web-1-resolved', eventTime: 1735689700000, systemId: 'shop', level: 'COMPONENT', subjectId: 'web-1', anomalyType: 'latency', severity: 0, state: 'RESOLVED', detectedAt: 1735689700000, attributes: {} };
    const model = { eventId: 'model-bad', eventTime: 1735689700000, modelId: 'foresight', version: 9, parentVersion: null, parametersJson: '{}', metrics: {} };
    lines.splice(13, 0, JSON.stringify({ topic: 'anomalies', message: recovery }), JSON.stringify({ topic: 'model', message: model }));
    const report = await replayInto(lines, () => undefined);
    assert.deepEqual(report.ignored, { 'anomalies RESOLVED on a VM with no open incident': 1 });
    assert.equal(report.deadLettered.model?.records, 1);
    assert.match(replaySummary(report), /ignored 1 \(1 anomalies RESOLVED on a VM with no open incident\); dead-lettered 1 \(1 model\)$/);
    assert.match(replayWarnings(report).join('\n'), /warning: 1 model record\(s\) dead-lettered by the services \(first reason: model parameters: /);
  });
});
