import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { startTelemetry, withSpan } from '../src/index.js';

describe('OTLP export', () => {
  it('posts spans to <endpoint>/v1/traces and metrics to <endpoint>/v1/metrics on flush', async () => {
    const requests: { path: string; type: string; bytes: number }[] = [];
    const collector = createServer((request, response) => {
      let bytes = 0;
      request.on('data', (chunk: Buffer) => void (bytes += chunk.length));
      request.on('end', () => {
        requests.push({ path: request.url ?? '', type: request.headers['content-type'] ?? '', bytes });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const { port } = collector.address() as AddressInfo;
    const telemetry = startTelemetry({ serviceName: 'otlp-test', otlpEndpoint: `http://127.0.0.1:${port}/`, otlpMetricsIntervalMs: 60_000 });
    try {
      await withSpan('publish grant', { 'foresight.grant': 'g-1' }, () => undefined);
      telemetry.instruments.recordHandled({ topic: 'risk', outcome: 'ok' }, 1);
      await telemetry.forceFlush();
      const paths = requests.map((r) => r.path).sort();
      assert.deepEqual(paths, ['/v1/metrics', '/v1/traces']);
      assert.ok(requests.every((r) => r.bytes > 0));
    } finally {
      await telemetry.shutdown();
      collector.close();
    }
  });
});
