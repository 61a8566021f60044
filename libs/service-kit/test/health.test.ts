import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Readiness, startHealthServer, startTelemetry } from '../src/index.js';

describe('health server', () => {
  const telemetry = startTelemetry({ serviceName: 'health-test' });
  after(() => telemetry.shutdown());

  it('serves /healthz, /readyz (503 until every check passes) and /metrics on one ephemeral port', async () => {
    const readiness = new Readiness();
    const server = await startHealthServer({ port: 0, readiness, metrics: telemetry.metrics });
    try {
      assert.ok(server.port > 0);
      assert.equal(server.url, `http://127.0.0.1:${server.port}`);

      const live = await fetch(`${server.url}/healthz`);
      assert.equal(live.status, 200);
      assert.deepEqual(await live.json(), { status: 'ok' });

      assert.equal((await fetch(`${server.url}/readyz`)).status, 503, 'no checks registered yet');
      let kafkaUp = false;
      readiness.add('kafka', () => ({ ok: kafkaUp, detail: kafkaUp ? 'connected' : 'connecting' }));
      readiness.add('redis', () => true);
      const notReady = await fetch(`${server.url}/readyz`);
      assert.equal(notReady.status, 503);
      const body = await notReady.json() as { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
      assert.equal(body.ready, false);
      assert.deepEqual({ ok: body.checks.kafka.ok, detail: body.checks.kafka.detail }, { ok: false, detail: 'connecting' });
      assert.equal(body.checks.redis.ok, true);

      kafkaUp = true;
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal((await ready.json() as { ready: boolean }).ready, true);

      telemetry.instruments.recordHandled({ topic: 'vm-anomalies', outcome: 'ok' }, 3.2);
      telemetry.instruments.recordHandled({ topic: 'vm-anomalies', outcome: 'ok' }, 7);
      telemetry.instruments.activeGrants.set(5);
      const metrics = await fetch(`${server.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const exposition = await metrics.text();
      assert.match(exposition, /# TYPE foresight_messages_processed_total counter/);
      assert.match(exposition, /foresight_messages_processed_total\{topic="vm-anomalies",outcome="ok"\} 2/);
      assert.match(exposition, /foresight_handler_duration_count\{topic="vm-anomalies",outcome="ok"\} 2/);
      assert.match(exposition, /foresight_grants_active 5/);

      assert.equal((await fetch(`${server.url}/nope`)).status, 404);
      assert.equal((await fetch(`${server.url}/healthz`, { method: 'POST' })).status, 405);
    } finally {
      await server.close();
    }
  });

  it('counts a throwing or hanging check as not ready, with the reason', async () => {
    const readiness = new Readiness(50);
    readiness.add('neo4j', () => Promise.reject(new Error('ServiceUnavailable')));
    readiness.add('slow', () => new Promise<boolean>(() => undefined));
    const report = await readiness.report();
    assert.equal(report.ready, false);
    assert.equal(report.checks.neo4j.detail, 'ServiceUnavailable');
    assert.equal(report.checks.slow.detail, 'no answer within 50 ms');
  });

  it('rejects when its port is taken', async () => {
    const readiness = new Readiness();
    const first = await startHealthServer({ port: 0, readiness });
    try {
      await assert.rejects(startHealthServer({ port: first.port, readiness }), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
