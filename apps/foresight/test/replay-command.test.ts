import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseReplayArguments } from '../src/commands/replay-command.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(root, 'apps/foresight/bin/foresight.js');
const example = join(root, 'examples/replay/small.ndjson');
const dir = mkdtempSync(join(tmpdir(), 'foresight-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function replay(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, 'replay', ...args], { encoding: 'utf8', cwd: root });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The example with its anomalies 40 min after the only flow window. */
function lateAnomalies(): string {
  const file = join(dir, 'late.ndjson');
  const lines = readFileSync(example, 'utf8').trim().split('\n').map((text) => {
    const line = JSON.parse(text) as { topic: string; message: Record<string, number> };
    if (line.topic !== 'anomalies') return text;
    return JSON.stringify({ ...line, message: { ...line.message, eventTime: line.message.eventTime + 40 * 60_000, detectedAt: line.message.detectedAt + 40 * 60_000 } });
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('foresight replay flags', () => {
  it('parse learning and pathway ageing', () => {
    assert.deepEqual(parseReplayArguments(['f']), { file: 'f', out: undefined, learning: true, pathways: {} });
    const parsed = parseReplayArguments(['f', '--learning', 'off', '--pathway-stale-after', '2h', '--pathway-half-life', '45m']);
    assert.notEqual(parsed, 'help');
    assert.deepEqual(parsed, { file: 'f', out: undefined, learning: false, pathways: { staleAfterMs: 2 * 3_600_000, halfLifeMs: 45 * 60_000 } });
    assert.deepEqual(parseReplayArguments(['f', '--no-pathway-expiry']), { file: 'f', out: undefined, learning: true, pathways: { staleAfterMs: 'never' } });
  });

  it('refuse what does not parse, naming the flag', () => {
    assert.throws(() => parseReplayArguments(['f', '--learning', 'maybe']), /--learning must be on or off, got 'maybe'/);
    assert.throws(() => parseReplayArguments(['f', '--pathway-stale-after', 'soon']), /--pathway-stale-after must be a positive duration such as 45m or 2h, got 'soon'/);
    assert.throws(() => parseReplayArguments(['f', '--pathway-half-life', '0']), /--pathway-half-life must be a positive duration/);
    assert.throws(() => parseReplayArguments(['f', '--no-pathway-expiry', '--pathway-stale-after', '1h']), /exclude each other/);
  });
});

describe('foresight replay', () => {
  it('keeps working on the example: the same NDJSON on stdout and in --out, counts on stderr', () => {
    const out = join(dir, 'out.ndjson');
    const toStdout = replay(example);
    const toFile = replay(example, '--out', out);
    assert.equal(toStdout.status, 0, toStdout.stderr);
    assert.equal(toFile.status, 0, toFile.stderr);
    assert.equal(readFileSync(out, 'utf8'), toStdout.stdout);
    const topics = toStdout.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { topic: string }).topic);
    assert.ok(topics.includes('risk') && topics.includes('allocations'));
    assert.match(toStdout.stderr, /17 event\(s\) from 17 line\(s\); published \d+ risk assessment\(s\), \d+ allocation command\(s\), 0 model version\(s\); ignored 0; dead-lettered 0\n$/);
  });

  it('warns on stderr when pathways expire during the replay, and not once --pathway-stale-after keeps them', () => {
    const late = lateAnomalies();
    const expiring = replay(late);
    assert.equal(expiring.status, 0, expiring.stderr);
    assert.match(expiring.stderr, /foresight replay: warning: pathways expired \d+ time\(s\) during the replay \(of 6 pathway\(s\)/);
    const kept = replay(late, '--pathway-stale-after', '2h');
    assert.equal(kept.status, 0, kept.stderr);
    assert.doesNotMatch(kept.stderr, /expired/);
    assert.ok(kept.stdout.length > expiring.stdout.length, 'more is at risk, more is granted');
  });

  it('warns about anomalies on VMs with no inventory, with their ids, and marks them in the output', () => {
    const file = join(dir, 'ghost.ndjson');
    const ghost = { eventId: 'anom-ghost', eventTime: 1735689700000, systemId: 'shop', level: 'COMPONENT', subjectId: 'ghost-7', anomalyType: 'latency', severity: 0.5, state: 'OPEN', detectedAt: 1735689700000, attributes: {} };
    writeFileSync(file, `${readFileSync(example, 'utf8').trim()}\n${JSON.stringify({ topic: 'anomalies', message: ghost })}\n`);
    const run = replay(file);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /warning: 1 anomaly report\(s\) on 1 VM\(s\) with no inventory line before them: ghost-7 \(line 18\)/);
    assert.match(run.stdout, /"incidentId":"incident:anom-ghost".*"unknownVmIds":\["ghost-7"\]/);
  });

  it('exits 1 naming the line and the field of a malformed line', () => {
    const file = join(dir, 'bad.ndjson');
    writeFileSync(file, '{"topic":"hosts","message":{"eventId":"h","eventTime":1,"host":"a","removed":false,"capacity":{"cpuMillis":1,"memoryMiB":1,"networkMbps":1}}}\n');
    const run = replay(file);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /bad.ndjson: line 1: hosts: field 'hostId' is missing \(expected string\); unknown field 'host' \(did you mean 'hostId'\?\)/);
  });
});
