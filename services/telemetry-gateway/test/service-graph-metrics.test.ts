import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FlowEvent, InventoryEvent } from '@foresight/contracts';
import { IDENTITY_PRESETS } from '@foresight/core';
import { consumerOf, InMemoryBus } from '@foresight/messaging';
import { encodeMetricsRequest, type ExportMetricsServiceRequest, type KeyValue } from '@foresight/otlp';
import { DEFAULT_GATEWAY_SETTINGS } from '../src/gateway-settings.js';
import { TelemetryGateway } from '../src/telemetry-gateway.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const T = NOW - 120_000;
const START = T - 600_000;

function attrs(values: Record<string, string>): KeyValue[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}
const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();
const pod = (name: string): KeyValue[] => attrs({ 'k8s.pod.uid': `pod-${name}`, 'service.name': name, 'service.namespace': 'shop', 'k8s.node.name': 'node-1' });

/** The servicegraph connector's cumulative points at `at` (calls, failed, client-side bucket counts) for frontend → `server`. */
function graph(server: string, at: number, total: number, failed: number, buckets: number[]): NonNullable<ExportMetricsServiceRequest['resourceMetrics']> {
  const ends = attrs({ client: 'frontend', server, connection_type: server === 'redis' ? 'database' : '' });
  const counter = (name: string, value: number): object => ({
    name, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ asInt: value, startTimeUnixNano: ns(START), timeUnixNano: ns(at), attributes: ends }] },
  });
  return [{
    resource: { attributes: attrs({ 'service.name': 'otelcol' }) },
    scopeMetrics: [{
      metrics: [
        counter('traces_service_graph_request_total', total),
        counter('traces_service_graph_request_failed_total', failed),
        {
          name: 'traces_service_graph_request_client_seconds',
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [{
              startTimeUnixNano: ns(START), timeUnixNano: ns(at), attributes: ends, count: buckets.reduce((a, b) => a + b, 0),
              explicitBounds: [0.01, 0.1, 1], bucketCounts: buckets,
            }],
          },
        },
      ] as never,
    }],
  }];
}

const bus = new InMemoryBus({ groupId: 'service-graph-test' });
const flows: FlowEvent[] = [];
const inventory: InventoryEvent[] = [];
const gateway = new TelemetryGateway({
  bus, deadLetter: () => Promise.resolve(), clock: () => NOW,
  settings: { ...DEFAULT_GATEWAY_SETTINGS, identity: IDENTITY_PRESETS.pods, pathways: { ...DEFAULT_GATEWAY_SETTINGS.pathways, windowMs: 60_000, pairingWaitMs: 1_000 } },
});

before(async () => {
  await bus.startConsumers([
    consumerOf({ topic: 'flows', handle: (m) => { flows.push(m); return Promise.resolve(); } }),
    consumerOf({ topic: 'inventory', handle: (m) => { inventory.push(m); return Promise.resolve(); } }),
  ]);
});

after(async () => {
  await bus.close();
});

test('servicegraph metrics become API_CALL flows between the services VMs: calls/s from the counter delta, error rate, latency from the buckets; an unknown server is a virtual node', async () => {
  const known: ExportMetricsServiceRequest = {
    resourceMetrics: ['frontend', 'cart'].map((name) => ({
      resource: { attributes: pod(name) },
      scopeMetrics: [{ metrics: [{ name: 'k8s.container.cpu_limit', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: ns(T) }] } }] }],
    })),
  };
  for (const request of [
    known,
    { resourceMetrics: [...graph('cart', T, 1_000, 10, [500, 400, 100, 0]), ...graph('redis', T, 50, 0, [50, 0, 0, 0])] },
    // 30 s later: 600 more calls to cart (60 failed: 10 %), 300 under 10 ms, 290 under 100 ms, 10 under 1 s; 30 to redis
    { resourceMetrics: [...graph('cart', T + 30_000, 1_600, 70, [800, 690, 110, 0]), ...graph('redis', T + 30_000, 80, 0, [80, 0, 0, 0])] },
  ]) {
    const accepted = await gateway.acceptMetrics(Buffer.from(encodeMetricsRequest(request, 'otlp_proto')), 'otlp_proto', { transport: 'kafka' });
    assert.equal(accepted.outcome, 'accepted');
  }
  await gateway.tick(NOW + 60_000);
  await bus.drain();
  const calls = flows.filter((f) => f.eventId.startsWith('otel-sg:'));
  assert.equal(calls.length, 2, JSON.stringify(flows));
  const cart = calls.find((f) => f.target === 'pod-cart');
  assert.equal(cart?.source, 'pod-frontend');
  assert.equal(cart?.kind, 'API_CALL');
  assert.equal(cart?.callsPerSec, 600 / 60);
  assert.equal(cart?.errorRate, 0.1);
  assert.equal(cart?.latencyP50Ms, 10);
  // rank 594 of 600: the 4th of the 10 calls in (100 ms, 1 s]
  assert.ok(Math.abs((cart?.latencyP99Ms ?? 0) - (100 + (900 * 4) / 10)) < 1e-6, String(cart?.latencyP99Ms));
  const redis = calls.find((f) => f.target !== 'pod-cart');
  assert.equal(redis?.target, 'peer:shop:redis');
  assert.equal(redis?.callsPerSec, 30 / 60);
  assert.equal(inventory.find((i) => i.vmId === 'peer:shop:redis')?.labels.virtual, 'true');
});
