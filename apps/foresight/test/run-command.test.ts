import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { runCommand, RUN_USAGE, servicesOf, type RunOutput } from '../src/commands/run-command.js';
import { main } from '../src/cli.js';

/** An output that keeps what the command writes. */
function captured(): RunOutput & { readonly out: string[]; readonly err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) };
}

describe('foresight run targets', () => {
  it('names every service for all, in start order', () => {
    assert.deepEqual(servicesOf('all'), ['topology-builder', 'propagation-scorer', 'allocator', 'learner']);
  });

  it('takes one service, or several joined by commas, and starts them in start order whatever the order given', () => {
    assert.deepEqual(servicesOf('learner'), ['learner']);
    assert.deepEqual(servicesOf('allocator,topology-builder,propagation-scorer'), ['topology-builder', 'propagation-scorer', 'allocator']);
  });

  it('refuses nothing, an unknown service, an empty name and a service named twice', () => {
    for (const bad of [undefined, '', 'scorer', 'allocator,', 'allocator,allocator', 'all,learner']) assert.equal(servicesOf(bad), undefined, String(bad));
  });
});

describe('foresight run --help', () => {
  it('prints the run usage (targets, FORESIGHT_* settings in docs/operations.md) on stdout and exits 0', async () => {
    for (const args of [['--help'], ['-h'], ['help'], ['all', '--help']]) {
      const output = captured();
      assert.equal(await runCommand(args, output), 0, args.join(' '));
      assert.equal(output.out.join(''), RUN_USAGE);
      assert.deepEqual(output.err, []);
    }
    for (const fragment of ['topology-builder', 'propagation-scorer', 'allocator', 'learner', 'all', '<a>,<b>', 'FORESIGHT_', 'docs/operations.md']) {
      assert.ok(RUN_USAGE.includes(fragment), fragment);
    }
  });

  it('exits 0 through the CLI too', async () => {
    const write = mock.method(process.stdout, 'write', () => true);
    try {
      assert.equal(await main(['run', '--help']), 0);
    } finally {
      write.mock.restore();
    }
    assert.equal(write.mock.calls.map((call) => String(call.arguments[0])).join(''), RUN_USAGE);
  });

  it('without a target, or with one it does not know or something after it, prints the usage on stderr and exits 2', async () => {
    for (const [args, got] of [[[], 'nothing'], [['scorer'], 'scorer'], [['all', 'extra'], 'all extra']] as const) {
      const output = captured();
      assert.equal(await runCommand(args, output), 2, got);
      assert.deepEqual(output.out, []);
      assert.match(output.err.join(''), new RegExp(`^foresight run: expected all, or one or more of topology-builder, .* got ${got}\\n\\nUsage: foresight run <target>`));
    }
  });
});
