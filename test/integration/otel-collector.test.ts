// Issue 17: the real OpenTelemetry Collector built by `npm run stack:up` (infra/stack.d/otelcol.sh from
// infra/otelcol/builder-config.yaml) running infra/otelcol/config.yaml. An OTLP/HTTP JSON request with two traces
// becomes two otlp_proto records on otlp_spans, each keyed by its trace id in hex (partition_traces_by_id) and holding
// only that trace's spans; a metrics request becomes a record on otlp_metrics. The test runs a Collector process of its
// own on its own topic prefix; a second test goes through the stack's own Collector (port 4318) to the shared otlp_spans.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { decodeMetricsRequest, decodeTraceRequest, type ExportTraceServiceRequest } from '@foresight/otlp';
import { eventually, newTestWorld } from '../support/test-world.js';
import { deleteTopicsUnder, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { startCollector, type CollectorProcess } from './fixtures/otel-collector.js';

const world = newTestWorld('otelcol');
const kafka = rawKafka(`otelcol-${world.id}`);
const consumers: Consumer[] = [];
let collector: CollectorProcess;

interface Received { readonly topic: string; readonly key: string | undefined; readonly value: Buffer }

/** Consumes `topic` from `from` (the beginning, or offsets taken before the test sent anything) into `into`. */
async function consume(topic: string, into: Received[], from: 'beginning' | { partition: number; offset: string }[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  // Kafka would create it on the Collector's first record; a consumer cannot subscribe before it exists.
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] }).catch(() => false);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${world.groupId}-${consumers.length}`, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: from === 'beginning' });
  await consumer.run({
    eachMessage: ({ message }: { message: KafkaMessage }) => {
      if (message.value !== null) into.push({ topic, key: message.key?.toString('utf8'), value: message.value });
      return Promise.resolve();
    },
  });
  if (from !== 'beginning') for (const { partition, offset } of from) consumer.seek({ topic, partition, offset });
}

/** One OTLP JSON trace: a SERVER span in `service` and its CLIENT child calling `peer`. */
function jsonTrace(traceId: string, service: string, peer: string): object {
  const now = BigInt(Date.now()) * 1_000_000n;
  const server = randomBytes(8).toString('hex');
  return {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'service.namespace', value: { stringValue: world.id } }] },
    scopeSpans: [{
      scope: { name: 'otel-collector.test' },
      spans: [
        { traceId, spanId: server, name: `GET /${service}`, kind: 2, startTimeUnixNano: String(now - 30_000_000n), endTimeUnixNano: String(now) },
        {
          traceId, spanId: randomBytes(8).toString('hex'), parentSpanId: server, name: `call ${peer}`, kind: 3,
          startTimeUnixNano: String(now - 20_000_000n), endTimeUnixNano: String(now - 5_000_000n),
          attributes: [{ key: 'peer.service', value: { stringValue: peer } }], status: { code: 2, message: 'boom' },
        },
      ],
    }],
  };
}

async function post(url: string, body: object): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(response.status, 200, `POST ${url}: ${response.status} ${await response.text()}`);
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');
const spansOf = (request: ExportTraceServiceRequest) => (request.resourceSpans ?? []).flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []));
const serviceOf = (request: ExportTraceServiceRequest): string | undefined =>
  request.resourceSpans?.[0]?.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? undefined;

before(async () => {
  collector = await startCollector({ topicPrefix: world.topicPrefix, brokers: stackConnection(world.id).brokers.join(',') });
});

after(async () => {
  await Promise.allSettled(consumers.map((c) => c.disconnect()));
  await collector?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await deleteTopicsUnder(admin, world.topicPrefix);
  await admin.disconnect();
});

test('an OTLP/HTTP request with two traces becomes one otlp_proto record per trace on otlp_spans, keyed by the trace id', { timeout: 90_000 }, async () => {
  const received: Received[] = [];
  await consume(`${world.topicPrefix}otlp_spans`, received, 'beginning');
  const [a, b] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  await post(`${collector.httpUrl}/v1/traces`, { resourceSpans: [jsonTrace(a, 'frontend', 'cart'), jsonTrace(b, 'cart', 'db')] });

  await eventually('both traces on otlp_spans', () => (received.length >= 2 ? true : undefined), 60_000, 50);
  assert.deepEqual(received.map((r) => r.key).sort(), [a, b].sort(), 'each record is keyed by its trace id (hex)');
  for (const record of received) {
    const request = decodeTraceRequest(record.value, 'otlp_proto');
    const spans = spansOf(request);
    assert.equal(spans.length, 2, 'a record holds the whole trace and nothing else');
    assert.ok(spans.every((s) => hex(s.traceId) === record.key));
    assert.equal(serviceOf(request), record.key === a ? 'frontend' : 'cart', 'the resource travels with its spans');
    const client = spans.find((s) => s.kind === 3);
    assert.equal(client?.status?.code, 2, 'the span status (ERROR) is kept');
    assert.equal(client?.attributes?.find((x) => x.key === 'peer.service')?.value?.stringValue, record.key === a ? 'cart' : 'db');
  }
});

test('an OTLP/HTTP metrics request becomes an otlp_proto record on otlp_metrics', { timeout: 90_000 }, async () => {
  const received: Received[] = [];
  await consume(`${world.topicPrefix}otlp_metrics`, received, 'beginning');
  const now = String(BigInt(Date.now()) * 1_000_000n);
  await post(`${collector.httpUrl}/v1/metrics`, {
    resourceMetrics: [{
      resource: { attributes: [{ key: 'host.name', value: { stringValue: `${world.id}-vm-1` } }] },
      scopeMetrics: [{ metrics: [{ name: 'system.cpu.utilization', unit: '1', gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 0.73 }] } }] }],
    }],
  });
  const record = await eventually('the metrics record', () => received[0], 60_000, 50);
  const request = decodeMetricsRequest(record.value, 'otlp_proto');
  const metric = request.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0];
  assert.equal(metric?.name, 'system.cpu.utilization');
  assert.equal(metric?.gauge?.dataPoints?.[0]?.asDouble, 0.73);
});

test("the stack's own Collector (npm run stack:up, OTLP/HTTP on 4318) writes to the shared otlp_spans", { timeout: 90_000 }, async () => {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'otlp_spans', numPartitions: 3 }] }).catch(() => false);
  // where the shared topic ends before this test sends: only what follows is read
  const offsets = (await admin.fetchTopicOffsets('otlp_spans')).map((p) => ({ partition: p.partition, offset: p.high }));
  await admin.disconnect();
  const received: Received[] = [];
  await consume('otlp_spans', received, offsets);
  const id = randomBytes(16).toString('hex');
  await post(`${endpoint}/v1/traces`, { resourceSpans: [jsonTrace(id, 'frontend', 'catalog')] });
  const record = await eventually(`trace ${id} on otlp_spans`, () => received.find((r) => r.key === id), 60_000, 50);
  assert.equal(spansOf(decodeTraceRequest(record.value, 'otlp_proto')).length, 2);
});
