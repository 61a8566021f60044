import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FlowEvent, InventoryEvent } from '@foresight/contracts';
import { IDENTITY_PRESETS, SPAN_KIND } from '@foresight/core';
import { consumerOf, InMemoryBus, silentLogger } from '@foresight/messaging';
import { decodeTraceResponse, encodeTraceRequest, type ExportTraceServiceRequest, type KeyValue } from '@foresight/otlp';
import { DEFAULT_GATEWAY_SETTINGS } from '../src/gateway-settings.js';
import { startOtlpHttpServer, type OtlpHttpServer, type OtlpReceiver } from '../src/otlp-http-server.js';
import { TelemetryGateway, type GatewayDeadLetter } from '../src/telemetry-gateway.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const WINDOW = 10_000;

function attrs(values: Record<string, string>): KeyValue[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** One call frontend → cart in trace `n` (a CLIENT span and its SERVER child), plus a span of a resource with no pod uid. */
export function shopRequest(n: number, startMs: number, options: { anonymous?: boolean } = {}): ExportTraceServiceRequest {
  const traceId = Buffer.alloc(16, n + 1);
  const clientId = Buffer.alloc(8, 0xc0 + (n % 16));
  const ns = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  return {
    resourceSpans: [
      {
        resource: { attributes: attrs({ 'k8s.pod.uid': 'pod-frontend', 'service.name': 'frontend', 'service.namespace': 'shop', 'k8s.node.name': 'node-1' }) },
        scopeSpans: [{ spans: [{ traceId, spanId: clientId, kind: SPAN_KIND.CLIENT, name: 'GET', startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + 20) }] }],
      },
      {
        resource: { attributes: attrs({ 'k8s.pod.uid': 'pod-cart', 'service.name': 'cart', 'service.namespace': 'shop', 'k8s.node.name': 'node-2' }) },
        scopeSpans: [{ spans: [{
          traceId, spanId: Buffer.alloc(8, 0x50), parentSpanId: clientId, kind: SPAN_KIND.SERVER, name: 'GET', startTimeUnixNano: ns(startMs + 1), endTimeUnixNano: ns(startMs + 19),
        }] }],
      },
      ...(options.anonymous === true ? [{
        resource: { attributes: attrs({ 'service.name': 'batch' }) },
        scopeSpans: [{ spans: [{ traceId, spanId: Buffer.alloc(8, 0x77), kind: SPAN_KIND.INTERNAL, startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + 1) }] }],
      }] : []),
    ],
  };
}

const bus = new InMemoryBus({ groupId: 'otlp-http-test' });
const flows: FlowEvent[] = [];
const inventory: InventoryEvent[] = [];
const deadLetters: GatewayDeadLetter[] = [];
const gateway = new TelemetryGateway({
  bus, deadLetter: (letter) => { deadLetters.push(letter); return Promise.resolve(); }, clock: () => NOW,
  settings: { ...DEFAULT_GATEWAY_SETTINGS, identity: IDENTITY_PRESETS.pods, pathways: { ...DEFAULT_GATEWAY_SETTINGS.pathways, windowMs: WINDOW, pairingWaitMs: 1_000 } },
});
let server: OtlpHttpServer;
let url: string;

before(async () => {
  await bus.startConsumers([
    consumerOf({ topic: 'flows', handle: (m) => { flows.push(m); return Promise.resolve(); } }),
    consumerOf({ topic: 'inventory', handle: (m) => { inventory.push(m); return Promise.resolve(); } }),
  ]);
  server = await startOtlpHttpServer({
    acceptTraces: (p, e, o) => gateway.acceptTraces(p, e, o), acceptMetrics: (p, e, o) => gateway.acceptMetrics(p, e, o), ready: () => true,
  }, { host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, maxInFlight: 4, retryAfterMs: 2_000, logger: silentLogger });
  url = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  await bus.close();
});

test('POST /v1/traces, protobuf and gzip: 200 with an empty response, and the call becomes a flow once its window closes', async () => {
  const body = gzipSync(encodeTraceRequest(shopRequest(1, NOW - 30_000), 'otlp_proto'));
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
  assert.deepEqual(decodeTraceResponse(Buffer.from(await response.arrayBuffer()), 'otlp_proto').partialSuccess ?? null, null);
  await gateway.tick(NOW);
  await bus.drain();
  const flow = flows.find((f) => f.source === 'pod-frontend');
  assert.ok(flow, JSON.stringify(flows));
  assert.equal(flow.target, 'pod-cart');
  assert.equal(flow.kind, 'API_CALL');
  assert.equal(flow.latencyP50Ms, 20);
  assert.deepEqual(inventory.map((i) => [i.vmId, i.hostId, i.groupId, i.systemId]).sort(), [['pod-cart', 'node-2', 'cart', 'shop'], ['pod-frontend', 'node-1', 'frontend', 'shop']]);
});

test('POST /v1/traces in JSON: spans whose resource maps to no VM are reported in partial_success and skipped', async () => {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', body: encodeTraceRequest(shopRequest(2, NOW - 5_000, { anonymous: true }), 'otlp_json'), headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 200);
  const answer = await response.json() as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
  assert.equal(Number(answer.partialSuccess?.rejectedSpans), 1);
  assert.match(answer.partialSuccess?.errorMessage ?? '', /1 NO_VM_ATTRIBUTE/);
});

test('a body that is not an export request is answered 400 and dead-lettered with its reason', async () => {
  const before = deadLetters.length;
  for (const [body, type] of [[Buffer.from([0x0a, 0xff, 0xff, 0x01]), 'application/x-protobuf'], [Buffer.from('{"resourceSpans":'), 'application/json']] as const) {
    const response = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': type } });
    assert.equal(response.status, 400, type);
    await response.arrayBuffer();
  }
  assert.deepEqual(deadLetters.slice(before).map((d) => [d.signal, d.code, d.origin.transport]), [['traces', 'OTLP_MALFORMED', 'http'], ['traces', 'OTLP_MALFORMED', 'http']]);
  assert.ok(deadLetters.slice(before).every((d) => d.reason.length > 0 && d.payload.length > 0));
});

test('a body over the bound is 413 (also once decompressed), another content type 415, a bad gzip 400, another path 404', async () => {
  const big = Buffer.alloc(65 * 1024, 1);
  assert.equal((await fetch(`${url}/v1/traces`, { method: 'POST', body: big, headers: { 'content-type': 'application/x-protobuf' } })).status, 413);
  assert.equal((await fetch(`${url}/v1/traces`, { method: 'POST', body: gzipSync(big), headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' } })).status, 413);
  assert.equal((await fetch(`${url}/v1/traces`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })).status, 415);
  assert.equal((await fetch(`${url}/v1/traces`, { method: 'POST', body: 'not gzip', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })).status, 400);
  assert.equal((await fetch(`${url}/v1/logs`, { method: 'POST', body: 'x', headers: { 'content-type': 'application/json' } })).status, 404);
});

test('beyond the in-flight bound the receiver answers 429, and 503 while it cannot publish, both with Retry-After', async () => {
  let release: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => { release = resolve; });
  let ready = true;
  const receiver: OtlpReceiver = {
    acceptTraces: async () => { await stalled; return { outcome: 'accepted', items: 0, rejected: 0, message: '' }; },
    acceptMetrics: () => Promise.resolve({ outcome: 'accepted', items: 0, rejected: 0, message: '' }),
    ready: () => ready,
  };
  const small = await startOtlpHttpServer(receiver, { host: '127.0.0.1', port: 0, maxBodyBytes: 1024, maxInFlight: 1, retryAfterMs: 2_500, logger: silentLogger });
  try {
    const post = (): Promise<Response> => fetch(`http://127.0.0.1:${small.port}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5_000) });
    const first = post();
    await new Promise((resolve) => setImmediate(resolve));
    let second = await post();
    for (let i = 0; i < 50 && second.status === 200; i += 1) second = await post();
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '3');
    release();
    assert.equal((await first).status, 200);
    ready = false;
    const unavailable = await post();
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('retry-after'), '3');
  } finally {
    release();
    await small.close();
  }
});
