import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeError, StartupError } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/service-fixture.js', import.meta.url));
const DEADLINE_MS = 10_000;

interface Fixture {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first log line whose msg is `msg` (rejects after the deadline). */
  waitForLog(msg: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(env: Record<string, string>): Fixture {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { PATH: process.env.PATH ?? '', FORESIGHT_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>;
      stdout = stdout.slice(newline + 1);
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog: (msg) => {
      const seen = logs.find((l) => l.msg === msg);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${msg}' log within ${DEADLINE_MS} ms; stderr: ${stderr}`)), DEADLINE_MS);
        waiters.push({ msg, resolve: (line) => { clearTimeout(timer); resolve(line); } });
        void exited.then(() => { clearTimeout(timer); reject(new Error(`exited before '${msg}'; stderr: ${stderr}`)); });
      });
    },
  };
}

describe('runService', () => {
  it('stops gracefully on SIGTERM and exits 0, not ready while stopping', async () => {
    const fixture = launch({});
    const started = await fixture.waitForLog('service started');
    const url = String(started.url);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /target_info\{service_name="fixture",service_version="0.0.1"\} 1/);
    fixture.child.kill('SIGTERM');
    const { code } = await fixture.exited;
    assert.equal(code, 0, fixture.stderr());
    const messages = fixture.logs.map((l) => l.msg);
    assert.deepEqual(messages.slice(messages.indexOf('service stopping')), ['service stopping', 'fixture stop called', 'service stopped']);
    assert.equal(fixture.logs.at(-1)!.exitCode, 0);
    assert.equal(fixture.stderr(), '');
  });

  it('exits 1 with one stderr line naming every bad setting, secrets hidden', async () => {
    const fixture = launch({ FORESIGHT_HTTP_PORT: 'abc', FIXTURE_WORKERS: '99', FORESIGHT_KAFKA_SASL_PASSWORD: 'unused' });
    const { code } = await fixture.exited;
    assert.equal(code, 1);
    const lines = fixture.stderr().trimEnd().split('\n');
    assert.equal(lines.length, 1, fixture.stderr());
    assert.match(lines[0], /^fixture: invalid configuration \(2 problems\): /);
    assert.match(lines[0], /FORESIGHT_HTTP_PORT: expected an integer 0\.\.65535, got 'abc'/);
    assert.match(lines[0], /FIXTURE_WORKERS: expected an integer 1\.\.8, got '99'/);
    assert.deepEqual(fixture.logs, []);
  });

  it('exits 1 naming the start-up step that failed', async () => {
    const fixture = launch({ FIXTURE_BEHAVIOUR: 'fail-start' });
    const { code } = await fixture.exited;
    assert.equal(code, 1);
    assert.equal(fixture.stderr(), 'fixture: start-up failed: fake-kafka: connect ECONNREFUSED 127.0.0.1:1\n');
    assert.ok(fixture.logs.some((l) => l.msg === 'start-up failed' && l.level === 'error'));
  });

  it('prints no registry password from FORESIGHT_SCHEMA_REGISTRY_URL on stderr or in the log when start-up fails', async () => {
    const fixture = launch({ FIXTURE_BEHAVIOUR: 'registry-down', FORESIGHT_SCHEMA_REGISTRY_URL: 'http://user:secret@127.0.0.1:1/apis?token=tok3n' });
    const { code } = await fixture.exited;
    assert.equal(code, 1);
    assert.match(fixture.stderr(), /^fixture: start-up failed: schema registry: schema registry at http:\/\/127\.0\.0\.1:1\/apis\?token=\*\*\* unreachable/);
    const logs = JSON.stringify(fixture.logs);
    assert.ok(fixture.logs.some((l) => l.msg === 'start-up failed'), logs);
    for (const secret of ['secret', 'tok3n']) {
      assert.ok(!fixture.stderr().includes(secret), `${secret} on stderr: ${fixture.stderr()}`);
      assert.ok(!logs.includes(secret), `${secret} in the log: ${logs}`);
    }
    assert.ok(logs.includes('http://***@127.0.0.1:1/apis?token=***'), logs);
  });

  it('exits 1 when stop() outlives FORESIGHT_SHUTDOWN_TIMEOUT', async () => {
    const fixture = launch({ FIXTURE_BEHAVIOUR: 'hang-stop', FORESIGHT_SHUTDOWN_TIMEOUT: '300ms' });
    await fixture.waitForLog('service started');
    fixture.child.kill('SIGTERM');
    const { code } = await fixture.exited;
    assert.equal(code, 1);
    assert.equal(fixture.stderr(), 'fixture: shutdown did not finish within 300 ms; exiting\n');
  });

  it('logs an uncaught exception, shuts down and exits 1', async () => {
    const fixture = launch({ FIXTURE_BEHAVIOUR: 'crash' });
    const { code } = await fixture.exited;
    assert.equal(code, 1);
    assert.equal(fixture.stderr(), 'fixture: uncaught exception: handler blew up\n');
    const messages = fixture.logs.map((l) => l.msg);
    assert.ok(messages.includes('uncaught exception'));
    assert.ok(messages.includes('fixture stop called'));
    assert.equal(messages.at(-1), 'service stopped');
  });

  it('exits 1 naming the health server when its port is taken', async () => {
    const first = launch({});
    const started = await first.waitForLog('service started');
    const second = launch({ FORESIGHT_HTTP_PORT: String(started.port) });
    const { code } = await second.exited;
    first.child.kill('SIGTERM');
    await first.exited;
    assert.equal(code, 1);
    assert.match(second.stderr(), /^fixture: start-up failed: health server: listen EADDRINUSE/);
  });
});

describe('describeError', () => {
  it('summarises causes and aggregate errors on one line', () => {
    const refused = new AggregateError([new Error('connect ECONNREFUSED ::1:6379'), new Error('connect ECONNREFUSED 127.0.0.1:6379')]);
    assert.equal(describeError(new StartupError('redis', refused)), 'redis: connect ECONNREFUSED ::1:6379, connect ECONNREFUSED 127.0.0.1:6379');
    assert.equal(describeError(new Error('write failed\nretrying', { cause: new Error('EPIPE') })), 'write failed retrying (cause: EPIPE)');
    assert.equal(describeError('plain'), 'plain');
  });
});
