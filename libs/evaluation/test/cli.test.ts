import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/foresight-eval.js', import.meta.url));
const evalCli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

test('foresight eval --help prints its flags, world knobs included, and runs nothing', () => {
  const r = evalCli('--help');
  assert.equal(r.status, 0);
  for (const flag of ['--incidents', '--grant-benefit', '--reach', '--detection-delay-scale', '--no-ablations', '--json']) assert.ok(r.stdout.includes(flag), flag);
  assert.ok(!r.stderr.includes('incidents\n'), 'no evaluation ran');
});

test('an unknown flag or a bad value stops foresight eval with exit code 2 and names it', () => {
  const cases: [string[], RegExp][] = [
    [['--incident', '10'], /unknown argument --incident/],
    [['--reach', '9'], /--reach needs a number of log-odds within \[-5, 5\], got 9/],
    [['--detection-delay-scale', '0'], /--detection-delay-scale needs a factor within \(0, 10\], got 0/],
    [['--seed', '1.5'], /--seed needs a positive integer, got 1.5/],
    [['--grant-benefit', ''], /--grant-benefit needs a positive number/],
    [['--out'], /--out needs a value/],
  ];
  for (const [args, message] of cases) {
    const r = evalCli(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test('a small run with both world knobs reports them in its JSON line', () => {
  const r = evalCli('--incidents', '12', '--vms', '150', '--bootstrap', '5', '--no-ablations', '--reach', '-0.5', '--detection-delay-scale', '2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { incidents: number; world: { reach: number; detectionDelayScale: number } };
  assert.equal(json.incidents, 12);
  assert.deepEqual([json.world.reach, json.world.detectionDelayScale], [-0.5, 2]);
});
