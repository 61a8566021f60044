import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/foresight-eval.js', import.meta.url));
const evalCli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

test('foresight eval --degraded-leases: listed in --help, refuses an unknown value with exit code 2', () => {
  assert.ok(evalCli('--help').stdout.includes('--degraded-leases'));
  const r = evalCli('--degraded-leases', 'hold');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--degraded-leases needs one of keep, handover, got hold/);
});

test('foresight eval reports the degraded-lease setting it ran with (default keep)', () => {
  const small = ['--incidents', '8', '--vms', '150', '--bootstrap', '5', '--no-ablations', '--json'];
  for (const [args, expected] of [[[], 'keep'], [['--degraded-leases', 'handover'], 'handover']] as const) {
    const r = evalCli(...small, ...args);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { degradedLeases: string };
    assert.equal(json.degradedLeases, expected);
    assert.match(r.stdout, new RegExp(`degraded leases: ${expected}`));
  }
});
