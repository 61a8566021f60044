// Issue 17: OpenTelemetry in. The real telemetry-gateway process (services/telemetry-gateway/dist/src/main.js) on the
// real Kafka and registry: an OTLP protobuf ExportTraceServiceRequest published to the test's own `otlp_spans` topic
// (keyed by trace id, as the Collector's Kafka exporter with partition_traces_by_id writes it) becomes a flow on the
// test's flows topic; a malformed record lands on `<otlp_spans>.dlq` with its reason; POST /v1/traces does the same
// over OTLP/HTTP; a span without identity attributes is counted on /metrics.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FlowEvent, InventoryEvent } from '@foresight/contracts';
import { SPAN_KIND } from '@foresight/core';
import { consumerOf, DEAD_LETTER_HEADERS, KafkaBus } from '@foresight/messaging';
import { encodeTraceRequest, type ExportTraceServiceRequest, type KeyValue } from '@foresight/otlp';
import { eventually, newTestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { awaitReady, describeLogs, freePort, stopService, type ServiceProcess } from './fixtures/service-processes.js';

const MAIN = fileURLToPath(new URL('../../../services/telemetry-gateway/dist/src/main.js', import.meta.url));
const world = newTestWorld('otel-gateway');
const spansTopic = `${world.topicPrefix}otlp_spans`;
const metricsTopic = `${world.topicPrefix}otlp_metrics`;
const kafka = rawKafka(`otel-gateway-${world.id}`);
const producer = kafka.producer();
const flows: FlowEvent[] = [];
const inventory: InventoryEvent[] = [];
let gateway: ServiceProcess;
let otlpPort: number;
let bus: KafkaBus;

/** The gateway process, as `foresight run` would start a service (same log handling as service-processes.ts). */
function startGateway(env: Readonly<Record<string, string>>): ServiceProcess {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let port: number | undefined;
  for (const [stream, tag] of [[child.stdout, ''], [child.stderr, '[stderr] ']] as const) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (port === undefined && line.includes('"service starting"')) {
          try {
            port = (JSON.parse(line) as { port?: number }).port;
          } catch { /* not JSON */ }
        }
        lines.push(tag + line);
        if (lines.length > 2_000) lines.splice(0, lines.length - 2_000);
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { label: `telemetry-gateway ${world.id}`, child, lines, port: () => port, exited };
}

function attrs(values: Record<string, string>): KeyValue[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** One call `from` → `to` (a CLIENT span and its SERVER child) in trace `n`, ending `atMs`. */
function callRequest(n: number, from: string, to: string, atMs: number): ExportTraceServiceRequest {
  const traceId = Buffer.alloc(16, n);
  const clientId = Buffer.alloc(8, n);
  const ns = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();
  const resource = (service: string): KeyValue[] => attrs({ 'k8s.pod.uid': `${world.id}-${service}`, 'service.name': service, 'service.namespace': world.id, 'k8s.node.name': 'node-1' });
  return {
    resourceSpans: [
      { resource: { attributes: resource(from) }, scopeSpans: [{ spans: [{ traceId, spanId: clientId, kind: SPAN_KIND.CLIENT, name: 'call', startTimeUnixNano: ns(atMs - 30), endTimeUnixNano: ns(atMs) }] }] },
      {
        resource: { attributes: resource(to) },
        scopeSpans: [{ spans: [{ traceId, spanId: Buffer.alloc(8, n + 100), parentSpanId: clientId, kind: SPAN_KIND.SERVER, name: 'serve', startTimeUnixNano: ns(atMs - 25), endTimeUnixNano: ns(atMs - 5) }] }],
      },
      { resource: { attributes: attrs({ 'service.name': 'no-pod' }) }, scopeSpans: [{ spans: [{ traceId, spanId: Buffer.alloc(8, n + 50), kind: SPAN_KIND.INTERNAL, startTimeUnixNano: ns(atMs - 1), endTimeUnixNano: ns(atMs) }] }] },
    ],
  };
}

function flowOf(from: string, to: string): FlowEvent | undefined {
  return flows.find((f) => f.source === `${world.id}-${from}` && f.target === `${world.id}-${to}`);
}

before(async () => {
  await producer.connect();
  bus = await KafkaBus.connect({ connection: stackConnection(`otel-gateway-${world.id}`), topicPrefix: world.topicPrefix, groupId: world.groupId, partitions: 1, topics: ['flows', 'inventory'] });
  await bus.startConsumers([
    consumerOf({ topic: 'flows', handle: (m) => { flows.push(m); return Promise.resolve(); } }),
    consumerOf({ topic: 'inventory', handle: (m) => { inventory.push(m); return Promise.resolve(); } }),
  ]);
  otlpPort = await freePort();
  gateway = startGateway({
    FORESIGHT_TOPIC_PREFIX: world.topicPrefix,
    FORESIGHT_GATEWAY_SPANS_TOPIC: spansTopic,
    FORESIGHT_GATEWAY_METRICS_TOPIC: metricsTopic,
    FORESIGHT_GATEWAY_GROUP: `${world.groupId}-gateway`,
    FORESIGHT_GATEWAY_HTTP_PORT: String(otlpPort),
    FORESIGHT_GATEWAY_IDENTITY: 'pods',
    FORESIGHT_GATEWAY_WINDOW: '1s',
    FORESIGHT_GATEWAY_PAIRING_WAIT: '300ms',
    FORESIGHT_HTTP_PORT: '0',
    FORESIGHT_LOG_LEVEL: 'info',
    FORESIGHT_SHUTDOWN_TIMEOUT: '5s',
    FORESIGHT_TICK_INTERVAL: '200ms',
    FORESIGHT_KAFKA_SESSION_TIMEOUT: '6s',
    FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '500ms',
    FORESIGHT_KAFKA_MAX_WAIT: '100ms',
    FORESIGHT_KAFKA_PARTITIONS: '1',
  });
  await awaitReady(gateway, 90_000);
});

after(async () => {
  if (gateway !== undefined) await stopService(gateway, 5_000);
  await bus?.close();
  await producer.disconnect();
  const state = { dropPrefix: () => Promise.resolve(), close: () => Promise.resolve() };
  const graph = { dropNamespace: () => Promise.resolve(), close: () => Promise.resolve() };
  await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state }).catch(() => undefined);
});

test('an OTLP protobuf request on otlp_spans becomes a flow and inventory; a malformed record goes to the DLQ with its reason', { timeout: 120_000 }, async () => {
  try {
    const request = callRequest(1, 'frontend', 'cart', Date.now());
    await producer.send({ topic: spansTopic, messages: [
      { key: Buffer.from('not an otlp request'), value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]) },
      { key: Buffer.alloc(16, 1), value: encodeTraceRequest(request, 'otlp_proto') },
    ] });
    const flow = await eventually('the frontend → cart flow', () => flowOf('frontend', 'cart'), 60_000);
    assert.equal(flow.kind, 'API_CALL');
    assert.equal(flow.latencyP50Ms, 30);
    assert.equal(flow.errorRate, 0);
    await eventually('the inventory of both pods', () => (['frontend', 'cart'].every((s) => inventory.some((i) => i.vmId === `${world.id}-${s}` && i.groupId === s && i.hostId === 'node-1')) ? true : undefined));

    const consumer = kafka.consumer({ groupId: `${world.groupId}-dlq` });
    const letters: Record<string, string>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${spansTopic}.dlq`, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => { letters.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]))); return Promise.resolve(); } });
    try {
      const letter = await eventually('the dead letter', () => letters[0], 30_000);
      assert.equal(letter[DEAD_LETTER_HEADERS.code], 'OTLP_MALFORMED');
      assert.equal(letter[DEAD_LETTER_HEADERS.originalTopic], spansTopic);
      assert.match(letter[DEAD_LETTER_HEADERS.reason], /not an OTLP ExportTraceServiceRequest/);
    } finally {
      await consumer.disconnect();
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${describeLogs([gateway])}`);
  }
});

test('POST /v1/traces (protobuf) to the gateway becomes a flow too; spans without a pod are counted on /metrics', { timeout: 120_000 }, async () => {
  const response = await fetch(`http://127.0.0.1:${otlpPort}/v1/traces`, {
    method: 'POST', body: encodeTraceRequest(callRequest(2, 'cart', 'catalog', Date.now()), 'otlp_proto'), headers: { 'content-type': 'application/x-protobuf' },
  });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  await eventually('the cart → catalog flow', () => flowOf('cart', 'catalog'), 60_000);
  const metrics = await (await fetch(`http://127.0.0.1:${gateway.port()}/metrics`)).text();
  assert.match(metrics, /foresight_gateway_spans_skipped_total\{[^}]*reason="NO_VM_ATTRIBUTE"[^}]*\} [1-9]/);
});
