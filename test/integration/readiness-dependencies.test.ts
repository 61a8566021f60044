// Issue 16, finding 5: /readyz stayed 200 while Redis was frozen or a partition was blocked. The services' readiness
// checks (dependencyChecks, registered by addDependencyChecks) must fail for a Redis that does not answer (SIGSTOP)
// and for a partition with records waiting and no progress, naming which check failed and why.
// The Redis here is the test's own throwaway redis-server (never the shared one); the topic is the test's own.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { topicFor } from '@foresight/contracts';
import { hostEvent } from '@foresight/contracts/testing';
import { KafkaBus, consumerOf } from '@foresight/messaging';
import { Readiness, dependencyChecks, startHealthServer, type HealthServer, type ReadinessReport } from '@foresight/service-kit';
import { RedisStateStore } from '@foresight/stores';
import { eventually, newTestWorld } from '../support/test-world.js';
import { deleteTopicsUnder, rawKafka, stackConnection } from './fixtures/messaging-stack.js';

const world = newTestWorld('readyz');
const cleanups: (() => Promise<void> | void)[] = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
  const admin = rawKafka(`readyz-cleanup-${world.id}`).admin();
  await admin.connect();
  await deleteTopicsUnder(admin, world.topicPrefix);
  await admin.disconnect();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function readyz(server: HealthServer): Promise<{ status: number; body: ReadinessReport }> {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: await response.json() as ReadinessReport };
}

async function serve(checks: ReturnType<typeof dependencyChecks>): Promise<HealthServer> {
  const readiness = new Readiness();
  for (const [name, check] of Object.entries(checks)) readiness.add(name, check);
  const server = await startHealthServer({ port: 0, readiness });
  cleanups.push(() => server.close());
  return server;
}

test('a frozen (SIGSTOPped) Redis fails the redis check within its timeout, and passes again once it runs', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const redis: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  cleanups.push(() => {
    redis.kill('SIGCONT');
    redis.kill('SIGKILL');
  });
  const store = new RedisStateStore({ host: '127.0.0.1', port, keyPrefix: `${world.keyPrefix}` });
  cleanups.push(() => store.close());
  await eventually('the throwaway redis-server up', async () => {
    await store.init();
    return true;
  }, 15_000);

  const server = await serve(dependencyChecks({ redis: () => store.idempotency.has('readyz') }, 60_000));
  const healthy = await readyz(server);
  assert.equal(healthy.status, 200, JSON.stringify(healthy.body));

  assert.ok(redis.kill('SIGSTOP'));
  const started = Date.now();
  const frozen = await readyz(server);
  const tookMs = Date.now() - started;
  assert.equal(frozen.status, 503, JSON.stringify(frozen.body));
  assert.deepEqual(frozen.body.failed, ['redis']);
  assert.match(frozen.body.checks.redis.detail ?? '', /no answer within 2000 ms/);
  assert.ok(tookMs < 5_000, `answered within the check timeout, not hung (${tookMs} ms)`);

  assert.ok(redis.kill('SIGCONT'));
  await eventually('ready again once Redis runs', async () => ((await readyz(server)).status === 200 ? true : undefined), 15_000);
});

test('a partition with records waiting and no progress fails the consumers check, naming it, until it moves again', { timeout: 120_000 }, async () => {
  const bus = await KafkaBus.connect({
    connection: stackConnection(`readyz-${world.id}`), topicPrefix: world.topicPrefix, groupId: world.groupId, partitions: 1, topics: ['hosts'],
  });
  cleanups.push(() => bus.close());
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  cleanups.push(() => release());
  const handled: string[] = [];
  await bus.startConsumers([consumerOf({
    topic: 'hosts',
    handle: async (message) => {
      if (message.eventId === 'blocking') await gate; // a handler that hangs
      handled.push(message.eventId);
    },
  })]);
  const server = await serve(dependencyChecks({ bus }, 1_500));
  await eventually('the bus ready', async () => ((await readyz(server)).status === 200 ? true : undefined), 30_000);

  await bus.publish('hosts', [hostEvent('blocking', 'h-1'), hostEvent('behind-it', 'h-1')]);
  const stalled = await eventually('readiness failing for the blocked partition', async () => {
    const answer = await readyz(server);
    return answer.status === 503 ? answer : undefined;
  }, 30_000);
  assert.deepEqual(stalled.body.failed, ['consumers'], JSON.stringify(stalled.body));
  assert.equal(stalled.body.checks.kafka.ok, true);
  assert.equal(stalled.body.checks.registry.ok, true);
  assert.match(stalled.body.checks.consumers.detail ?? '', new RegExp(`${topicFor(world.topicPrefix, 'hosts').replaceAll('.', '\\.')}/0 \\(group ${world.groupId}\\): 2 record\\(s\\) waiting`));
  assert.deepEqual(handled, []);

  release();
  await eventually('both records handled', () => (handled.length === 2 ? true : undefined));
  await eventually('ready again once the partition moves', async () => ((await readyz(server)).status === 200 ? true : undefined), 15_000);
});
