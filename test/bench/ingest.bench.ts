// `npm run bench -- ingest [--json] [--requests N] [--spans-per-request S] [--open-traces T]`: OpenTelemetry in
// (issue 17) on the local stack. A test-owned `otlp_spans` topic is filled with N OTLP protobuf export requests (S
// spans each: CLIENT/SERVER pairs between 20 services, event time advancing 1 s per 100 requests), then, in the same
// run: `rawConsumePerSec`, spans/s of a bare kafkajs consumer reading the topic (no decoding); `spansPerSec`, spans/s
// through one gateway (the raw-bytes consumer, protobuf decoding, identity, pairing, windows, and publishing
// inventory, hosts and flows to Kafka through the runtime), first record to last handled; and `rssMiB`, the
// process's resident memory after T traces were left open (each with a CLIENT span waiting for its SERVER and a
// SERVER waiting for its CLIENT) in a fresh gateway, after a full GC.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Partitioners } from 'kafkajs';
import { IDENTITY_PRESETS, SPAN_KIND } from '@foresight/core';
import { KafkaBus, KafkaRawTopics } from '@foresight/messaging';
import { encodeTraceRequest, type ExportTraceServiceRequest, type KeyValue, type Span } from '@foresight/otlp';
import { DEFAULT_GATEWAY_SETTINGS, otlpBatchHandler, TelemetryGateway, type GatewaySettings } from '@foresight/telemetry-gateway';
import { deleteTopicsUnder, rawKafka, stackConnection } from '../integration/fixtures/messaging-stack.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const REQUESTS = option('requests', 2_000);
const SPANS_PER_REQUEST = option('spans-per-request', 200);
const OPEN_TRACES = option('open-traces', 100_000);
const SERVICES = 20;
const PARTITIONS = 3;
const T0 = Date.now() - 3_600_000;
const prefix = `bench.${randomUUID().slice(0, 8)}.`;
const spansTopic = `${prefix}otlp_spans`;

function attrs(values: Record<string, string>): KeyValue[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

const resources = Array.from({ length: SERVICES }, (_, i) => attrs({ 'k8s.pod.uid': `pod-${i}`, 'service.name': `svc-${i}`, 'service.namespace': 'bench', 'k8s.node.name': `node-${i % 4}` }));
const ns = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

function id(bytes: number, seed: number, salt: number): Buffer {
  const b = Buffer.alloc(bytes);
  b.writeUInt32BE(seed >>> 0, bytes - 4);
  b.writeUInt32BE(salt, 0);
  return b;
}

/** Request r: S/2 calls, each a CLIENT span of service a and the SERVER span of service b it parents, in trace r·S+k. */
function request(r: number, spans: number): ExportTraceServiceRequest {
  const perService = resources.map(() => [] as Span[]);
  const at = T0 + r * 10;
  for (let k = 0; k < spans / 2; k += 1) {
    const n = r * spans + k;
    const a = n % SERVICES;
    const b = (a + 1 + (n % 3)) % SERVICES;
    const traceId = id(16, n, 0x7a11);
    const clientId = id(8, n, 1);
    perService[a].push({ traceId, spanId: clientId, kind: SPAN_KIND.CLIENT, name: 'call', startTimeUnixNano: ns(at), endTimeUnixNano: ns(at + 5 + (n % 20)) });
    perService[b].push({ traceId, spanId: id(8, n, 2), parentSpanId: clientId, kind: SPAN_KIND.SERVER, name: 'serve', startTimeUnixNano: ns(at + 1), endTimeUnixNano: ns(at + 4 + (n % 20)) });
  }
  return { resourceSpans: perService.flatMap((list, i) => (list.length === 0 ? [] : [{ resource: { attributes: resources[i] }, scopeSpans: [{ spans: list }] }])) };
}

/** T open traces: per trace a CLIENT span whose SERVER never comes and a SERVER span whose CLIENT never comes. */
function openTraces(from: number, count: number): ExportTraceServiceRequest {
  const perService = resources.map(() => [] as Span[]);
  for (let n = from; n < from + count; n += 1) {
    const traceId = id(16, n, 0x0be7);
    perService[n % SERVICES].push({ traceId, spanId: id(8, n, 3), kind: SPAN_KIND.CLIENT, startTimeUnixNano: ns(T0), endTimeUnixNano: ns(T0 + 5) });
    perService[(n + 1) % SERVICES].push({ traceId, spanId: id(8, n, 4), parentSpanId: id(8, n, 5), kind: SPAN_KIND.SERVER, startTimeUnixNano: ns(T0), endTimeUnixNano: ns(T0 + 4) });
  }
  return { resourceSpans: perService.map((list, i) => ({ resource: { attributes: resources[i] }, scopeSpans: [{ spans: list }] })) };
}

const SETTINGS: GatewaySettings = {
  ...DEFAULT_GATEWAY_SETTINGS, identity: IDENTITY_PRESETS.pods,
  pathways: { ...DEFAULT_GATEWAY_SETTINGS.pathways, windowMs: 1_000, pairingWaitMs: 1_000, maxFutureSkewMs: 3_600_000 },
};

async function fill(): Promise<number> {
  const kafka = rawKafka('bench-ingest-fill');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: spansTopic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let bytes = 0;
  for (let r = 0; r < REQUESTS; r += 100) {
    const messages = [];
    for (let i = r; i < Math.min(REQUESTS, r + 100); i += 1) {
      const value = encodeTraceRequest(request(i, SPANS_PER_REQUEST), 'otlp_proto');
      bytes += value.length;
      // NOTE: partition_traces_by_id keys a record by its trace id; a request's first trace stands for it.
      messages.push({ key: id(16, i * SPANS_PER_REQUEST, 0x7a11), value });
    }
    await producer.send({ topic: spansTopic, acks: -1, messages });
  }
  await producer.disconnect();
  return bytes;
}

/** Seconds a bare kafkajs consumer takes to read every record of the topic. */
async function rawConsume(): Promise<number> {
  const kafka = rawKafka('bench-ingest-raw');
  const consumer = kafka.consumer({ groupId: `${prefix}raw`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: spansTopic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: ({ batch }) => {
        if (started === 0) started = performance.now();
        seen += batch.messages.length;
        if (seen >= REQUESTS) resolve(performance.now());
        return Promise.resolve();
      },
    });
  });
  const ended = await done;
  await consumer.disconnect();
  return (ended - started) / 1000;
}

/** Seconds one gateway takes from its first record to its last, publishing to the stack; and the flows it published. */
async function throughGateway(): Promise<{ seconds: number; flows: number }> {
  const connection = stackConnection('bench-ingest-gateway');
  const bus = await KafkaBus.connect({ connection, topicPrefix: prefix, partitions: PARTITIONS, topics: ['inventory', 'hosts', 'flows'] });
  const raw = await KafkaRawTopics.connect({ connection, partitions: PARTITIONS });
  let flows = 0;
  const gateway = new TelemetryGateway({ bus, deadLetter: () => Promise.reject(new Error('no dead letter expected')), settings: SETTINGS, metrics: {
    spansReceived: () => undefined, spansSkipped: () => undefined, request: () => undefined, flowsPublished: (n) => { flows += n; },
  } });
  const handle = otlpBatchHandler(gateway, { spansTopic, metricsTopic: '', encoding: 'otlp_proto' });
  let records = 0;
  let started = 0;
  let finish: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { finish = resolve; });
  await raw.consume(`${prefix}gateway`, [spansTopic], async (batch) => {
    if (started === 0) started = performance.now();
    await handle(batch);
    records += batch.length;
    if (records >= REQUESTS) finish(performance.now());
  });
  const ended = await done;
  await gateway.flush();
  await raw.close();
  await bus.close();
  return { seconds: (ended - started) / 1000, flows };
}

/** Resident memory (MiB) after `count` traces were left open in a fresh gateway, after a full GC. */
async function openTraceMemory(count: number): Promise<{ rssMiB: number; pendingSpans: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const gateway = new TelemetryGateway({ bus: { publish: () => Promise.resolve() }, deadLetter: () => Promise.resolve(), settings: { ...SETTINGS, pathways: { ...SETTINGS.pathways, pairingWaitMs: 3_600_000 } } });
  for (let from = 0; from < count; from += 5_000) {
    await gateway.acceptTraces(encodeTraceRequest(openTraces(from, Math.min(5_000, count - from)), 'otlp_proto'), 'otlp_proto', { transport: 'kafka' });
  }
  gc?.();
  gc?.();
  return { rssMiB: Math.round(process.memoryUsage().rss / 1024 / 1024), pendingSpans: gateway.pendingSpans };
}

const kafka = rawKafka('bench-ingest-admin');
const admin = kafka.admin();
await admin.connect();
try {
  const bytes = await fill();
  const spans = REQUESTS * SPANS_PER_REQUEST;
  const rawSeconds = await rawConsume();
  const gateway = await throughGateway();
  const memory = await openTraceMemory(OPEN_TRACES);
  const result = {
    requests: REQUESTS, spansPerRequest: SPANS_PER_REQUEST, spans, topicMiB: Math.round(bytes / 1024 / 102.4) / 10,
    spansPerSec: Math.round(spans / gateway.seconds), flowsPublished: gateway.flows,
    rawConsumePerSec: Math.round(spans / rawSeconds), rawConsumeRecordsPerSec: Math.round(REQUESTS / rawSeconds),
    openTraces: OPEN_TRACES, pendingSpans: memory.pendingSpans, rssMiB: memory.rssMiB,
  };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(`ingest: ${spans} spans in ${REQUESTS} OTLP protobuf requests (${result.topicMiB} MiB) on ${PARTITIONS} partitions`);
    console.log(`  through one gateway (decode, pair, aggregate, publish): ${result.spansPerSec} spans/s, ${gateway.flows} flows published`);
    console.log(`  raw kafkajs consume of the same topic:                 ${result.rawConsumePerSec} spans/s (${result.rawConsumeRecordsPerSec} records/s)`);
    console.log(`  ${OPEN_TRACES} open traces (${memory.pendingSpans} spans waiting): rss ${memory.rssMiB} MiB`);
  }
} finally {
  await deleteTopicsUnder(admin, prefix);
  await admin.disconnect();
}
