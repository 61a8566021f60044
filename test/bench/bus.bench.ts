// `npm run bench -- bus [--json] [--messages N] [--rate HZ] [--seconds S]`: the messaging runtime against raw kafkajs
// on the same broker in the same run. Throughput: N messages published in chunks of 500, from the first publish to the
// last handler call. Latency: one message at a time at a fixed rate, publish call → handler call, per message.
// The throughput ratio is the median of paired rounds (the machine is shared); client CPU per message is the
// load-independent view of the same cost. Both sides use the same producer settings (idempotent, acks=all) and 3 partitions consumed concurrently, so the
// ratio measures what the runtime adds: Avro encoding + validation, registry framing, decoding, the delivery pipeline.
// Broker CPU per message (the local stack's Kafka, from /proc) is measured over the same rounds.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Partitioners, type Consumer, type Producer } from 'kafkajs';
import { topicCodec, type FlowEvent } from '@foresight/contracts';
import { KafkaBus, consumerOf } from '@foresight/messaging';
import { deleteTopicsUnder, rawKafka, stackConnection } from '../integration/fixtures/messaging-stack.js';
import { cpuSecondsOf, stackPids } from './process-cpu.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const MESSAGES = option('messages', 20_000);
const RATE_HZ = option('rate', 200);
const SECONDS = option('seconds', 10);
const CHUNK = 500;
const ROUNDS = 8;
const PARTITIONS = 3;
const t0 = 1_767_225_600_000;

const prefix = `bench.${randomUUID().slice(0, 8)}.`;
/** The local broker (infra/stack.sh's pid file): its CPU per message is the other half of what a message costs. */
const brokerPid = stackPids()['kafka'];
const flow = (id: string, i: number): FlowEvent => ({
  eventId: id, eventTime: t0 + i, source: `vm-${i % 64}`, target: 'vm-db', kind: 'API_CALL', windowStart: t0, windowEnd: t0 + 60_000,
  bandwidthMbps: 12.5, callsPerSec: 340, latencyP50Ms: 4, latencyP99Ms: 38, errorRate: 0.002,
});

/** One side of the comparison: publish a chunk, and learn of each handled message by its id. */
interface Side {
  publish(messages: FlowEvent[]): Promise<void>;
  close(): Promise<void>;
}

type OnHandled = (eventId: string) => void;

async function runtimeSide(onHandled: OnHandled): Promise<Side> {
  const bus = await KafkaBus.connect({ connection: stackConnection('bench-runtime'), topicPrefix: prefix, groupId: `${prefix}runtime`, partitions: PARTITIONS, topics: ['flows'] });
  await bus.startConsumers([consumerOf({ topic: 'flows', handle: (message) => Promise.resolve(onHandled(message.eventId)) })]);
  const deadline = Date.now() + 30_000;
  while (!bus.health().ready && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return { publish: (messages) => bus.publish('flows', messages), close: () => bus.close() };
}

async function rawSide(onHandled: OnHandled): Promise<Side> {
  const kafka = rawKafka('bench-raw');
  const topic = `${prefix}raw-flows`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer: Consumer = kafka.consumer({ groupId: `${prefix}raw`, maxWaitTimeInMs: 1000 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => { joined = true; });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    // The leanest raw loop: batches auto-resolved, no per-message heartbeat.
    eachBatch: ({ batch }) => {
      for (const message of batch.messages) onHandled((JSON.parse(message.value!.toString('utf8')) as FlowEvent).eventId);
      return Promise.resolve();
    },
  });
  const deadline = Date.now() + 30_000;
  while (!joined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return {
    publish: async (messages) => {
      await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.source, value: JSON.stringify(m) })) });
    },
    close: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** A side with its bookkeeping: how many it handled, and per-message latency while a latency block runs. */
class Measured {
  handled = 0;
  readonly sentAt = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly throughputs: number[] = [];
  /** Client CPU (user + system, this process) per message in throughput rounds, in µs. */
  readonly cpuPerMessage: number[] = [];
  /** The broker's CPU per message in the same rounds, in µs (10 ms clock ticks over a round of thousands). */
  readonly brokerCpuPerMessage: number[] = [];
  side!: Side;

  constructor(readonly name: string) {}

  readonly onHandled = (eventId: string): void => {
    this.handled++;
    const start = this.sentAt.get(eventId);
    if (start !== undefined) this.latencies.push(performance.now() - start);
  };

  async waitHandled(target: number, what: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (this.handled < target) {
      if (Date.now() > deadline) throw new Error(`${this.name}: timed out waiting for ${what} (${this.handled}/${target})`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async warmUp(): Promise<void> {
    const target = this.handled + CHUNK;
    await this.side.publish(Array.from({ length: CHUNK }, (_, i) => flow(`${this.name}-warm-${i}`, i)));
    await this.waitHandled(target, 'the warm-up');
  }

  /** Publishes `count` in chunks; from the first publish to the last handler call. */
  async throughput(round: number, count: number): Promise<void> {
    const target = this.handled + count;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const brokerStart = cpuSecondsOf(brokerPid);
    for (let offset = 0; offset < count; offset += CHUNK) {
      await this.side.publish(Array.from({ length: Math.min(CHUNK, count - offset) }, (_, i) => flow(`${this.name}-tp${round}-${offset + i}`, offset + i)));
    }
    await this.waitHandled(target, 'a throughput round');
    this.throughputs.push(count / ((performance.now() - start) / 1000));
    const cpu = process.cpuUsage(cpuStart);
    this.cpuPerMessage.push((cpu.user + cpu.system) / count);
    const brokerEnd = cpuSecondsOf(brokerPid);
    if (brokerStart !== undefined && brokerEnd !== undefined) this.brokerCpuPerMessage.push(((brokerEnd - brokerStart) * 1e6) / count);
  }

  /** Publishes `count` one by one at RATE_HZ. */
  async latencyBlock(block: number, count: number): Promise<void> {
    const target = this.handled + count;
    const blockStart = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const wait = blockStart + (i * 1000) / RATE_HZ - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = `${this.name}-lat${block}-${i}`;
      this.sentAt.set(id, performance.now());
      sends.push(this.side.publish([flow(id, i)]));
    }
    await Promise.all(sends);
    await this.waitHandled(target, 'a latency block');
  }

  percentile(q: number): number {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }

  meanThroughput(): number {
    return this.throughputs.reduce((a, b) => a + b, 0) / this.throughputs.length;
  }

  medianCpuPerMessage(): number {
    return median(this.cpuPerMessage);
  }

  /** Null when the broker's process is not readable (not the local stack, or not Linux). */
  medianBrokerCpuPerMessage(): number | null {
    return this.brokerCpuPerMessage.length === 0 ? null : median(this.brokerCpuPerMessage);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Alternates the two sides round by round, so that noise from the shared machine falls on both alike. */
async function compare(): Promise<{ raw: Measured; runtime: Measured }> {
  const raw = new Measured('raw');
  const runtime = new Measured('runtime');
  raw.side = await rawSide(raw.onHandled);
  runtime.side = await runtimeSide(runtime.onHandled);
  try {
    await raw.warmUp();
    await runtime.warmUp();
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 === 0 ? [raw, runtime] : [runtime, raw]) await side.throughput(round, Math.ceil(MESSAGES / ROUNDS));
    }
    const rounds = 4;
    const perBlock = Math.ceil((RATE_HZ * SECONDS) / rounds);
    for (let block = 0; block < rounds; block++) {
      for (const side of block % 2 === 0 ? [raw, runtime] : [runtime, raw]) await side.latencyBlock(block, perBlock);
    }
  } finally {
    await Promise.allSettled([raw.side.close(), runtime.side.close()]);
  }
  return { raw, runtime };
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const roundOrNull = (x: number | null): number | null => (x === null ? null : round(x, 1));

try {
  const { raw, runtime } = await compare();
  const avroBytes = 5 + topicCodec('flows').encode(flow('runtime-tp0-0', 0)).length;
  const jsonBytes = Buffer.byteLength(JSON.stringify(flow('raw-tp0-0', 0)));
  const result = {
    benchmark: 'bus', messages: MESSAGES, latencyRateHz: RATE_HZ, latencySamples: runtime.latencies.length, partitions: PARTITIONS, avroBytes, jsonBytes,
    runtimeMsgsPerSec: Math.round(runtime.meanThroughput()), rawMsgsPerSec: Math.round(raw.meanThroughput()),
    // The median of the per-round ratios: each round runs both sides back to back, under the same machine load.
    throughputRatio: round(median(runtime.throughputs.map((t, i) => t / raw.throughputs[i])), 3),
    throughputRatioOfMeans: round(runtime.meanThroughput() / raw.meanThroughput(), 3),
    runtimeCpuUsPerMsg: round(runtime.medianCpuPerMessage(), 1), rawCpuUsPerMsg: round(raw.medianCpuPerMessage(), 1),
    runtimeBrokerCpuUsPerMsg: roundOrNull(runtime.medianBrokerCpuPerMessage()), rawBrokerCpuUsPerMsg: roundOrNull(raw.medianBrokerCpuPerMessage()),
    runtimeP50Ms: round(runtime.percentile(0.5)), rawP50Ms: round(raw.percentile(0.5)), runtimeP99Ms: round(runtime.percentile(0.99)), rawP99Ms: round(raw.percentile(0.99)),
    addedP99Ms: round(runtime.percentile(0.99) - raw.percentile(0.99)),
  };
  const rows: [string, string, string][] = [
    ['throughput (msg/s)', String(result.runtimeMsgsPerSec), String(result.rawMsgsPerSec)],
    ['client CPU (µs/msg)', String(result.runtimeCpuUsPerMsg), String(result.rawCpuUsPerMsg)],
    ['broker CPU (µs/msg)', String(result.runtimeBrokerCpuUsPerMsg ?? 'n/a'), String(result.rawBrokerCpuUsPerMsg ?? 'n/a')],
    ['latency p50 (ms)', String(result.runtimeP50Ms), String(result.rawP50Ms)],
    ['latency p99 (ms)', String(result.runtimeP99Ms), String(result.rawP99Ms)],
  ];
  console.log(`messaging runtime vs raw kafkajs: ${MESSAGES} msgs throughput, ${RATE_HZ} msg/s × ${SECONDS} s latency, ${PARTITIONS} partitions, ${ROUNDS} alternating throughput rounds; value ${result.avroBytes} B Avro vs ${result.jsonBytes} B JSON`);
  console.log(`${'metric'.padEnd(22)}${'runtime (Avro+registry)'.padStart(26)}${'raw kafkajs (JSON)'.padStart(22)}`);
  for (const [metric, a, b] of rows) console.log(`${metric.padEnd(22)}${a.padStart(26)}${b.padStart(22)}`);
  console.log(`throughputRatio ${result.throughputRatio} (median of rounds; ratio of means ${result.throughputRatioOfMeans}; target ≥ 0.7), addedP99Ms ${result.addedP99Ms} (target < 2)`);
  if (json) console.log(JSON.stringify(result));
} finally {
  const admin = rawKafka('bench-cleanup').admin();
  await admin.connect();
  await deleteTopicsUnder(admin, prefix);
  await admin.disconnect();
}
