import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@foresight/service-kit';
import { parseStartArgs, STACK_DEFAULTS, startCommand, type StartRequest, type StartShell } from '../src/commands/start-command.js';
import { readStackConnection } from '../src/stack-config.js';

const request = (args: string[]): StartRequest => {
  const parsed = parseStartArgs(args);
  assert.notEqual(parsed, 'help');
  return parsed as StartRequest;
};

/** A shell with this environment that keeps what the command writes. */
function captured(env: Record<string, string>): StartShell & { readonly out: string[]; readonly err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { env, out, err, tty: false, stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) };
}

describe('foresight start flags', () => {
  it('parse the fleet, duration, seed and output folder', () => {
    const r = request(['--vms', '500', '--duration', '30m', '--seed', '7', '--incidents', '12', '--out', 'x']);
    assert.deepEqual(r.options, { vms: 500, durationMs: 30 * 60_000, seed: 7, incidents: 12 });
    assert.equal(r.stack, false);
    assert.ok(r.out.endsWith('/x'));
    assert.equal(parseStartArgs(['--help']), 'help');
  });

  it('give --stack a smaller default fleet and duration, which the flags still override', () => {
    const r = request(['--stack']);
    assert.equal(r.stack, true);
    assert.equal(r.keep, false);
    assert.deepEqual(r.options, { ...STACK_DEFAULTS });
    assert.deepEqual(request(['--stack', '--vms', '100', '--duration', '4m', '--keep', '--run-id', 'ci-1']).options, { vms: 100, durationMs: 4 * 60_000 });
    assert.equal(request(['--stack', '--keep']).keep, true);
    assert.equal(request(['--stack', '--run-id', 'ci-1']).runId, 'ci-1');
  });

  it('reject what does not parse, naming the flag', () => {
    assert.throws(() => parseStartArgs(['--vms', 'many']), /--vms must be an integer, got 'many'/);
    assert.throws(() => parseStartArgs(['--duration', 'soon']), /--duration must look like 90s, 60m or 1h/);
    assert.throws(() => parseStartArgs(['--keep']), /--keep only applies with --stack/);
    assert.throws(() => parseStartArgs(['--run-id', 'a']), /--run-id only applies with --stack/);
    assert.throws(() => parseStartArgs(['--stack', '--run-id', 'a b']), /--run-id must be/);
    assert.throws(() => parseStartArgs(['--stacks']), /Unknown option '--stacks'/);
  });

  it('exit 2 with the usage on a bad flag', async () => {
    const shell = captured({});
    assert.equal(await startCommand(['--vms', 'many'], shell), 2);
    assert.match(shell.err.join(''), /foresight start: --vms must be an integer[\s\S]*Usage: foresight start/);
  });
});

describe('the --stack connection', () => {
  it('reads the services\' settings, defaulting to the local stack, and names a world of its own for the run', () => {
    const stack = readStackConnection({}, { seed: 3, runId: 'ab12' });
    assert.deepEqual(stack.kafka.brokers, ['127.0.0.1:9092']);
    assert.equal(stack.kafka.registry.url, 'http://127.0.0.1:8081/apis/ccompat/v7');
    assert.equal(stack.neo4j.uri, 'bolt://127.0.0.1:7687');
    assert.equal(stack.redis.host, '127.0.0.1');
    assert.equal(stack.redis.port, 6379);
    assert.equal(stack.topicPrefix, 'foresight.sim-3-ab12.');
    assert.equal(stack.neo4jNamespace, 'default.sim-3-ab12');
    assert.equal(stack.redisKeyPrefix, 'foresight:sim-3-ab12:');
  });

  it('puts the run under the configured prefix, namespace and key prefix, with the configured servers and tuning', () => {
    const stack = readStackConnection({
      FORESIGHT_TOPIC_PREFIX: 'team.', FORESIGHT_NEO4J_NAMESPACE: 'lab', FORESIGHT_REDIS_KEY_PREFIX: 'lab:', FORESIGHT_KAFKA_BROKERS: 'k1:9092,k2:9092',
      FORESIGHT_SCHEMA_REGISTRY_URL: 'https://registry.internal/api', FORESIGHT_SCHEMA_REGISTRY_USERNAME: 'u', FORESIGHT_SCHEMA_REGISTRY_PASSWORD: 'p',
      FORESIGHT_REDIS_PORT: '6380', FORESIGHT_KAFKA_MAX_WAIT: '100ms',
    }, { seed: 1, runId: 'r' });
    assert.equal(stack.topicPrefix, 'team.sim-1-r.');
    assert.equal(stack.neo4jNamespace, 'lab.sim-1-r');
    assert.equal(stack.redisKeyPrefix, 'lab:sim-1-r:');
    assert.deepEqual(stack.kafka.brokers, ['k1:9092', 'k2:9092']);
    assert.deepEqual(stack.kafka.registry, { url: 'https://registry.internal/api', auth: { username: 'u', password: 'p' } });
    assert.equal(stack.redis.port, 6380);
    assert.equal(stack.consumer?.maxWaitTimeMs, 100);
  });

  it('names every bad setting', () => {
    assert.throws(() => readStackConnection({ FORESIGHT_KAFKA_BROKERS: 'nope', FORESIGHT_NEO4J_URI: 'http://x', FORESIGHT_REDIS_PORT: '0' }, { seed: 1, runId: 'r' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.variable).sort(), ['FORESIGHT_KAFKA_BROKERS', 'FORESIGHT_NEO4J_URI', 'FORESIGHT_REDIS_PORT']);
      return true;
    });
  });

  it('stops start-up with exit 1 and a message naming a bad setting', async () => {
    const shell = captured({ FORESIGHT_KAFKA_BROKERS: 'nope' });
    assert.equal(await startCommand(['--stack'], shell), 1);
    assert.match(shell.err.join(''), /foresight start --stack: invalid configuration \(1 problem\): FORESIGHT_KAFKA_BROKERS: expected/);
  });

  it('fails fast when the stack does not answer, naming each server\'s settings and `npm run stack:up`', { timeout: 30_000 }, async () => {
    // Port 1 on the loopback: nothing listens there, so every connection is refused at once.
    const shell = captured({
      FORESIGHT_KAFKA_BROKERS: '127.0.0.1:1', FORESIGHT_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7', FORESIGHT_NEO4J_URI: 'bolt://127.0.0.1:1',
      FORESIGHT_REDIS_PORT: '1',
    });
    const started = performance.now();
    assert.equal(await startCommand(['--stack', '--vms', '50'], shell), 1);
    const seconds = (performance.now() - started) / 1000;
    const text = shell.err.join('');
    assert.match(text, /the stack does not answer \(4 of 4\)/);
    for (const setting of ['FORESIGHT_KAFKA_BROKERS', 'FORESIGHT_SCHEMA_REGISTRY_URL', 'FORESIGHT_NEO4J_URI', 'FORESIGHT_REDIS_HOST, FORESIGHT_REDIS_PORT']) assert.ok(text.includes(`(${setting})`), setting);
    assert.match(text, /npm run stack:up/);
    assert.doesNotMatch(text, /simulating/, 'nothing ran');
    assert.ok(seconds < 10, `failed within ${seconds.toFixed(1)} s`);
  });
});
