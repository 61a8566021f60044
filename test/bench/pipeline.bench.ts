// `npm run bench -- pipeline [--json] [--rate HZ] [--seconds S] [--vms N] [--grant-threshold P] [--layout one|split|separate|path]`:
// anomaly → GRANT latency through the real stack. The services run as child processes laid out by --layout (default
// one `foresight run all` process; see LAYOUT). The bench process publishes the topology, then OPEN anomalies at
// --rate per second on distinct VMs (each resolved a second later, so incidents close and grants are released, as in
// production), and consumes `allocations` and `risk`. Each anomaly has its own anomaly type (`bench_<id>`, scored with
// the model's generic carriers), so it opens an incident of its own instead of joining a neighbour's: every anomaly
// can be matched. Latency = from the publish call of an anomaly to the consumption of the first GRANT of the incident
// it opened (incidentId is derived from the anomaly's eventId); anomalies without a GRANT within GIVE_UP_MS are
// counted as unmatched. Stage timings come from the Kafka timestamps of the first risk assessment and first GRANT.
// rawRoundTripP99Ms: a raw kafkajs produce → consume of single messages on the same broker in the same run (the floor
// of one hop; the chain has three). cpuMsPerAnomaly: CPU ms per measured anomaly of each service process, of the stack
// (kafka, registry, redis, neo4j) and of the bench itself, their total, and servicesAndStack (the total without the bench).
import { randomUUID } from 'node:crypto';
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Partitioners } from 'kafkajs';
import { topicFor, topicProjection, type AnomalyEvent } from '@foresight/contracts';
import { SeededRandom, defaultModel, serialiseModel } from '@foresight/core';
import { KafkaBus } from '@foresight/messaging';
import { flowEvents, generateTopology, hostEvents, inventoryEvents } from '@foresight/sim';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { rawKafka, stackConnection } from '../integration/fixtures/messaging-stack.js';
import { cpuSecondsOf, stackPids } from './process-cpu.js';
import { dropBenchWorld, numericOption, percentile, progressLog, round, sleep, until } from './bench-kit.js';
import { awaitReady, describeLogs, freePort, startService, stopService } from '../integration/fixtures/service-processes.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => numericOption(args, name, fallback);
const json = args.includes('--json');
const RATE = option('rate', 500);
const SECONDS = option('seconds', 10);
const VMS = option('vms', 3000);
const GRANT_THRESHOLD = option('grant-threshold', 0.05);
/**
 * How the services are deployed: `one` = one `run all` process; `split` = the latency path (topology-builder,
 * propagation-scorer, allocator) in one process and the learner in its own at a lower CPU priority (nice 10), as an
 * operator would run a background consumer on a shared box; `separate` = every service in its own process (the
 * production shape); `path` = the latency path alone in one process (no learner: diagnosis).
 */
const layoutArg = args.indexOf('--layout') >= 0 ? args[args.indexOf('--layout') + 1] : 'one';
if (!['one', 'split', 'separate', 'path'].includes(layoutArg)) throw new Error(`--layout must be one, split, separate or path, got ${layoutArg}`);
const LAYOUT = layoutArg as 'one' | 'split' | 'separate' | 'path';
const WARM_UP = 300;
const RESOLVE_AFTER_MS = 1000;
const GIVE_UP_MS = 20_000;
const QUIET_MS = 1_000;

const id = randomUUID().slice(0, 8);
const prefix = `bench.pipeline.${id}.`;
const keyPrefix = `bench:pipeline:${id}:`;
const namespace = `bench-pipeline-${id}`;
const log = progressLog(json);

/**
 * Where the service process spent its handler time: messages and mean handler duration per consumed topic, read from
 * its Prometheus endpoint (foresight.handler.duration), whole run including the warm-up and the topology load.
 */
async function handlerTimes(port: number | undefined, label = ''): Promise<Record<string, { messages: number; meanMs: number }>> {
  if (port === undefined) return {};
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^foresight_handler_duration_(?:milliseconds_)?(sum|count)\{([^}]*)\} ([0-9.e+-]+)$/.exec(line);
    const topic = m === null ? undefined : /topic="([^"]+)"/.exec(m[2])?.[1];
    if (m === null || topic === undefined) continue;
    const into = m[1] === 'sum' ? sums : counts;
    into.set(topic, (into.get(topic) ?? 0) + Number(m[3]));
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([topic, n]) => [`${label}${topic}`, { messages: n, meanMs: round((sums.get(topic) ?? 0) / Math.max(n, 1), 2) }]));
}

/** The process's event-loop delay (ms) by quantile since its previous scrape (foresight.eventloop.delay). */
async function eventLoopDelay(port: number | undefined): Promise<Record<string, number>> {
  if (port === undefined) return {};
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^foresight_eventloop_delay(?:_milliseconds)?\{quantile="([a-z0-9]+)"\} ([0-9.e+-]+)$/gm)) out[m[1]] = round(Number(m[2]));
  return out;
}

/** Raw kafkajs, single messages at `rate`: produce call → eachMessage, p99 in ms. */
async function rawRoundTrip(count: number, rate: number): Promise<{ p50: number; p99: number }> {
  const kafka = rawKafka('bench-pipeline-raw');
  const topic = `${prefix}raw`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `${prefix}raw`, maxWaitTimeInMs: 100 });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => { joined = true; });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: ({ message }) => {
      const start = sentAt.get(message.key?.toString() ?? '');
      if (start !== undefined) latencies.push(performance.now() - start);
      return Promise.resolve();
    },
  });
  await until('the raw consumer to join', () => joined, 30_000);
  const begin = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = begin + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const key = `m-${i}`;
    sentAt.set(key, performance.now());
    sends.push(producer.send({ topic, acks: -1, messages: [{ key, value: key }] }));
  }
  await Promise.all(sends);
  await until('the raw round trips', () => latencies.length >= count, 30_000);
  await consumer.disconnect();
  await producer.disconnect();
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

const env: Record<string, string> = {
  FORESIGHT_TOPIC_PREFIX: prefix,
  FORESIGHT_REDIS_KEY_PREFIX: keyPrefix,
  FORESIGHT_NEO4J_NAMESPACE: namespace,
  FORESIGHT_INSTANCE_ID: 'bench',
  FORESIGHT_HTTP_PORT: String(await freePort()),
  FORESIGHT_LOG_LEVEL: 'warn',
  FORESIGHT_TICK_INTERVAL: '500ms',
  FORESIGHT_KAFKA_MAX_WAIT: '100ms',
  FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '1s',
  FORESIGHT_ALLOCATOR_BUDGET_CPU_MILLIS: '1000000000',
  FORESIGHT_ALLOCATOR_BUDGET_MEMORY_MIB: '1000000000',
  FORESIGHT_ALLOCATOR_BUDGET_NETWORK_MBPS: '1000000000',
  FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE: '100000',
  FORESIGHT_LEARNER_MIN_INCIDENTS: '100000',
};

const LATENCY_PATH = 'topology-builder,propagation-scorer,allocator';
const PROCESSES: Record<typeof LAYOUT, { target: string; nice?: number }[]> = {
  one: [{ target: 'all' }],
  split: [{ target: LATENCY_PATH }, { target: 'learner', nice: 10 }],
  separate: [{ target: 'topology-builder' }, { target: 'propagation-scorer' }, { target: 'allocator' }, { target: 'learner' }],
  path: [{ target: LATENCY_PATH }],
};
const services = [];
for (const { target, nice } of PROCESSES[LAYOUT]) {
  const child = startService(`foresight run ${target}`, target, { ...env, FORESIGHT_HTTP_PORT: String(await freePort()) });
  if (nice !== undefined && child.child.pid !== undefined) setPriority(child.child.pid, nice);
  services.push(child);
}
const processes = PROCESSES[LAYOUT].map(({ target, nice }) => `${target}${nice === undefined ? '' : ` (nice ${nice})`}`).join(' | ');
const bus = await KafkaBus.connect({ connection: stackConnection('bench-pipeline'), topicPrefix: prefix, maxWaitTimeMs: 100, topics: ['inventory', 'hosts', 'flows', 'anomalies', 'model', 'allocations', 'risk'] });
const graph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace });
const state = new RedisStateStore({ keyPrefix });
// The probe of the outputs (allocations and risk), started once the topology is loaded.
const probe = rawKafka('bench-pipeline-probe').consumer({ groupId: `${prefix}probe`, maxWaitTimeInMs: 100 });
let failed = false;
try {
  await state.init();
  for (const service of services) await awaitReady(service, 120_000);
  log(`services ready: ${processes}`);

  // The topology: a few thousand VMs, one flow window per pathway.
  const now0 = Date.now();
  const fleet = generateTopology({ vms: VMS, seed: 5, epoch: now0 });
  const inventory = inventoryEvents(fleet, now0);
  const flows = flowEvents(fleet, { seed: 5, until: now0, windows: 1, dropRate: 0 });
  await bus.publish('hosts', hostEvents(fleet, now0));
  for (let i = 0; i < inventory.length; i += 1000) await bus.publish('inventory', inventory.slice(i, i + 1000));
  for (let i = 0; i < flows.length; i += 1000) await bus.publish('flows', flows.slice(i, i + 1000));
  const model = { ...defaultModel('foresight', now0), version: 2, parentVersion: 1, grantThreshold: GRANT_THRESHOLD, releaseThreshold: GRANT_THRESHOLD / 2 };
  await bus.publish('model', [{ eventId: 'model:foresight:2', eventTime: now0, modelId: 'foresight', version: 2, parentVersion: 1, parametersJson: serialiseModel(model), metrics: {} }]);
  const pathways = new Set(flows.map((f) => `${f.source}|${f.target}|${f.kind}`)).size;
  log(`published ${fleet.hosts.length} hosts, ${inventory.length} VMs, ${flows.length} flows (${pathways} pathways), model v2 (grant threshold ${GRANT_THRESHOLD})`);
  const admin = rawKafka('bench-pipeline-admin').admin();
  await admin.connect();
  const lag = async (group: string, topic: string): Promise<number> => {
    const full = topicFor(prefix, topic as 'topology-changes');
    const ends = await admin.fetchTopicOffsets(full);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [full] });
    return ends.reduce((sum, end) => sum + Number(end.offset) - Math.max(0, Number(committed.partitions.find((p) => p.partition === end.partition)?.offset ?? 0)), 0);
  };
  await until('the topology in the graph store', async () => {
    const stored = await graph.loadTopology();
    return stored.vms.length === fleet.vms.length && stored.pathways.length === pathways;
  }, 300_000);
  await until('the scorer to follow every topology change', async () => (await lag(`${prefix}propagation-scorer.bench`, 'topology-changes')) === 0 && (await lag(`${prefix}topology-builder`, 'flows')) === 0, 120_000);
  await until('the allocator to know every host', async () => (await Promise.all(fleet.hosts.map((h) => state.hostLedger(h.id)))).every((l) => l !== undefined) && (await lag(`${prefix}allocator`, 'inventory')) === 0, 120_000);
  await admin.disconnect();
  log('topology loaded and followed');

  // The probe: first GRANT per incident.
  const firstGrantAt = new Map<string, number>();
  // Wall-clock stamps per incident (epoch ms): the anomaly's publish, the Kafka timestamps of its first OPEN risk
  // assessment (set by the scorer's producer) and of its first GRANT (the allocator's), and the probe's consumption.
  const stamps = new Map<string, { anomaly?: number; risk?: number; grant?: number; probe?: number }>();
  let grants = 0;
  // When a probe last saw an output (any command, any assessment): the measured phase ends once they fall quiet.
  let lastOutputAt = performance.now();
  // The size of what flows between scorer and allocator: entries per OPEN assessment, and how many reach the grant threshold.
  const riskEntries: number[] = [];
  const riskAboveGrant: number[] = [];
  // NOTE: the probes read the raw records (one kafkajs consumer for both topics, one batch at a time) and decode only
  // the fields they need (topicProjection skips the rest, e.g. each at-risk VM's path and contributions), so the
  // bench's own CPU stays small beside what it measures.
  const readCommand = topicProjection<{ incidentId: string; action: string }>('allocations', ['incidentId', 'action']);
  const readRisk = topicProjection<{ incidentId: string; status: string; atRisk: readonly { probability: number }[] }>('risk', ['incidentId', 'status', 'atRisk.probability']);
  const allocationsTopic = topicFor(prefix, 'allocations');
  const riskTopic = topicFor(prefix, 'risk');
  let probeJoined = false;
  probe.on(probe.events.GROUP_JOIN, () => { probeJoined = true; });
  await probe.connect();
  await probe.subscribe({ topics: [allocationsTopic, riskTopic], fromBeginning: true });
  await probe.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: ({ batch }) => {
      if (batch.messages.length === 0) return Promise.resolve();
      const consumedAt = performance.now();
      const consumedAtEpoch = Date.now();
      lastOutputAt = consumedAt;
      for (const message of batch.messages) {
        if (message.value === null) continue;
        if (batch.topic === allocationsTopic) {
          const command = readCommand(message.value);
          if (command.action !== 'GRANT') continue;
          grants++;
          if (!firstGrantAt.has(command.incidentId)) {
            firstGrantAt.set(command.incidentId, consumedAt);
            stamps.set(command.incidentId, { ...stamps.get(command.incidentId), grant: Number(message.timestamp), probe: consumedAtEpoch });
          }
        } else {
          const risk = readRisk(message.value);
          if (risk.status !== 'OPEN') continue;
          if (stamps.get(risk.incidentId)?.risk === undefined) stamps.set(risk.incidentId, { ...stamps.get(risk.incidentId), risk: Number(message.timestamp) });
          riskEntries.push(risk.atRisk.length);
          let above = 0;
          for (const entry of risk.atRisk) if (entry.probability >= GRANT_THRESHOLD) above++;
          riskAboveGrant.push(above);
        }
      }
      return Promise.resolve();
    },
  });
  await until('the probe to join', () => probeJoined, 30_000);

  // Anomalies at RATE on distinct VMs (shuffled), each resolved RESOLVE_AFTER_MS later.
  const random = new SeededRandom(9);
  const order = fleet.vms.map((v) => v).sort(() => random.next() - 0.5);
  const publishedAt = new Map<string, number>();
  const pendingResolve: { at: number; event: AnomalyEvent }[] = [];
  let sequence = 0;
  const anomaly = (vm: (typeof order)[number], state: 'OPEN' | 'RESOLVED', eventId: string): AnomalyEvent => {
    const at = Date.now();
    return { eventId, eventTime: at, systemId: vm.systemId, level: 'COMPONENT', subjectId: vm.id, anomalyType: `bench_${eventId}`, severity: 0.8, state, detectedAt: at, attributes: {} };
  };
  const sends: Promise<void>[] = [];
  // Every anomaly due by now goes out in one publish call (at high rates a timer tick covers several), with the
  // resolutions that fell due: the latency of each is still measured from that call.
  const drive = async (count: number, measured: boolean): Promise<number> => {
    const begin = performance.now();
    for (let i = 0; i < count;) {
      const wait = begin + (i * 1000) / RATE - performance.now();
      if (wait > 1) await sleep(wait);
      const batch: AnomalyEvent[] = [];
      const callAt = performance.now();
      const callAtEpoch = Date.now();
      for (; i < count && begin + (i * 1000) / RATE <= callAt + 1; i++) {
        const vm = order[sequence % order.length];
        const eventId = `a${sequence++}`;
        const open = anomaly(vm, 'OPEN', eventId);
        batch.push(open);
        pendingResolve.push({ at: callAtEpoch + RESOLVE_AFTER_MS, event: open });
        if (measured) {
          publishedAt.set(`incident:${eventId}`, callAt);
          stamps.set(`incident:${eventId}`, { ...stamps.get(`incident:${eventId}`), anomaly: callAtEpoch });
        }
      }
      while (pendingResolve.length > 0 && pendingResolve[0].at <= callAtEpoch) {
        const { event } = pendingResolve.shift() as { event: AnomalyEvent };
        batch.push({ ...event, eventId: `${event.eventId}-resolved`, state: 'RESOLVED', eventTime: callAtEpoch, detectedAt: callAtEpoch });
      }
      sends.push(bus.publish('anomalies', batch));
    }
    return count / ((performance.now() - begin) / 1000);
  };
  const raw = await rawRoundTrip(1000, 200);
  await drive(WARM_UP, false);
  await Promise.all(sends);
  await sleep(2000);
  for (const service of services) await eventLoopDelay(service.port());
  // CPU per process over the measured phase (publish to the last GRANT awaited), per measured anomaly: the capacity
  // figure, steadier than latency near saturation on a shared box.
  const cpuPids: Record<string, number | undefined> = {
    ...Object.fromEntries(services.map((service, i) => [PROCESSES[LAYOUT][i].target, service.child.pid])), ...stackPids(),
  };
  const cpuBefore = Object.fromEntries(Object.entries(cpuPids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  const benchCpuBefore = process.cpuUsage();
  const measuredStart = performance.now();
  const achieved = await drive(Math.round(RATE * SECONDS), true);
  await Promise.all(sends);
  const measuredIds = [...publishedAt.keys()];
  // The measured phase ends once every measured anomaly has its OPEN assessment (the scorer has taken them all) and
  // then either every one has its GRANT and the outputs (RELEASEs, CLOSED assessments) have been quiet for QUIET_MS, or
  // the outputs have been quiet for 3 × QUIET_MS with some unmatched (an incident below the grant threshold has no
  // GRANT); at GIVE_UP_MS at the latest. So the CPU window holds the work of the measured anomalies and a few seconds of
  // idling at most, whatever the fan-out, and a pause of the outputs while the scorer is still behind does not end it.
  const quietFor = (ms: number): boolean => performance.now() - lastOutputAt > ms;
  const scored = (): boolean => measuredIds.every((i) => stamps.get(i)?.risk !== undefined);
  await until('the outputs of the measured anomalies', () => scored() && ((quietFor(QUIET_MS) && measuredIds.every((i) => firstGrantAt.has(i))) || quietFor(3 * QUIET_MS)), GIVE_UP_MS)
    .catch(() => undefined);
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const measuredWindowMs = performance.now() - measuredStart;
  const cpuMsPerAnomaly: Record<string, number> = {};
  for (const [name, pid] of Object.entries(cpuPids)) {
    const before = cpuBefore[name];
    const after = cpuSecondsOf(pid);
    if (before !== undefined && after !== undefined) cpuMsPerAnomaly[name] = round((1000 * (after - before)) / measuredIds.length, 2);
  }
  cpuMsPerAnomaly.bench = round((benchCpu.user + benchCpu.system) / 1000 / measuredIds.length, 2);
  cpuMsPerAnomaly.total = round(Object.values(cpuMsPerAnomaly).reduce((a, b) => a + b, 0), 2);
  // The system's share: the services and the stack (Kafka, registry, Redis, Neo4j), without the bench's own process.
  cpuMsPerAnomaly.servicesAndStack = round(cpuMsPerAnomaly.total - cpuMsPerAnomaly.bench, 2);
  const serviceEventLoopDelayMs: Record<string, Record<string, number>> = {};
  let handlers: Record<string, { messages: number; meanMs: number }> = {};
  for (const [i, service] of services.entries()) {
    const label = services.length === 1 ? '' : `${PROCESSES[LAYOUT][i].target}: `;
    serviceEventLoopDelayMs[PROCESSES[LAYOUT][i].target] = await eventLoopDelay(service.port());
    handlers = { ...handlers, ...await handlerTimes(service.port(), label) };
  }
  const latencies = measuredIds.flatMap((i) => {
    const end = firstGrantAt.get(i);
    const start = publishedAt.get(i);
    return end === undefined || start === undefined ? [] : [end - start];
  });
  // Where the time went, per matched anomaly: anomaly publish → risk published (scorer), → GRANT published
  // (allocator), → GRANT consumed (delivery to the probe). Kafka timestamps are the producers' clocks: same machine.
  const stage = (from: 'anomaly' | 'risk' | 'grant', to: 'risk' | 'grant' | 'probe') => {
    const spans = measuredIds.flatMap((i) => {
      const s = stamps.get(i);
      const a = s?.[from];
      const b = s?.[to];
      return a === undefined || b === undefined ? [] : [b - a];
    });
    return { p50: percentile(spans, 0.5), p99: percentile(spans, 0.99) };
  };
  // Capacity: matched anomalies per second from the first measured publish to the last first-GRANT. Equals the rate
  // while the pipeline keeps up; below it, it is what the pipeline sustains (steadier than latency near saturation).
  const firstPublish = Math.min(...measuredIds.map((i) => publishedAt.get(i) ?? Number.POSITIVE_INFINITY));
  const lastGrant = Math.max(...measuredIds.map((i) => firstGrantAt.get(i) ?? Number.NEGATIVE_INFINITY));
  const sustainedPerSec = latencies.length / ((lastGrant - firstPublish) / 1000);
  const stages = { toRisk: stage('anomaly', 'risk'), riskToGrant: stage('risk', 'grant'), grantToProbe: stage('grant', 'probe') };
  const result = {
    benchmark: 'pipeline', layout: LAYOUT, processes, vms: fleet.vms.length, hosts: fleet.hosts.length, pathways,
    rate: RATE, seconds: SECONDS, gaveUpAfterMs: GIVE_UP_MS, anomalies: measuredIds.length, ratePerSec: round(achieved), matched: latencies.length, unmatched: measuredIds.length - latencies.length,
    grants, grantsPerAnomaly: round(grants / (WARM_UP + measuredIds.length), 2), p50Ms: round(percentile(latencies, 0.5)), p99Ms: round(percentile(latencies, 0.99)), maxMs: round(Math.max(...latencies)),
    rawRoundTripP50Ms: round(raw.p50), rawRoundTripP99Ms: round(raw.p99),
    sustainedPerSec: round(sustainedPerSec), stagesMs: stages, serviceEventLoopDelayMs, cpuMsPerAnomaly, cpuWindowMs: Math.round(measuredWindowMs),
    riskEntriesP50: percentile(riskEntries, 0.5), riskEntriesP99: percentile(riskEntries, 0.99), riskEntriesAtGrantThresholdP50: percentile(riskAboveGrant, 0.5),
    handlers,
  };
  const rows: [string, string][] = [
    ['services', result.processes], ['topology', `${result.vms} VMs, ${result.hosts} hosts, ${result.pathways} pathways`],
    ['anomalies (measured)', `${result.anomalies} at ${result.rate}/s target, ${result.ratePerSec}/s achieved`],
    ['matched to a GRANT', `${result.matched} (unmatched ${result.unmatched}; ${result.grants} GRANTs in all)`],
    ['sustained (matched / first publish → last GRANT)', `${result.sustainedPerSec}/s`],
    ['anomaly → GRANT p50', `${result.p50Ms} ms`], ['anomaly → GRANT p99', `${result.p99Ms} ms`], ['anomaly → GRANT max', `${result.maxMs} ms`],
    ['raw kafkajs round trip p50 / p99', `${result.rawRoundTripP50Ms} / ${result.rawRoundTripP99Ms} ms`],
    ...Object.entries(stages).map(([name, v]): [string, string] => [`  stage ${name} p50 / p99`, `${round(v.p50)} / ${round(v.p99)} ms`]),
    ...Object.entries(serviceEventLoopDelayMs).map(([target, delays]): [string, string] => [`event-loop delay, ${target}`, Object.entries(delays).map(([q, v]) => `${q} ${v} ms`).join(', ')]),
    ['CPU ms per measured anomaly', `${Object.entries(cpuMsPerAnomaly).map(([name, ms]) => `${name} ${ms}`).join(', ')} (over ${result.cpuWindowMs} ms)`],
    ['at-risk VMs per OPEN assessment', `p50 ${result.riskEntriesP50}, p99 ${result.riskEntriesP99}; p50 ${result.riskEntriesAtGrantThresholdP50} at the grant threshold`],
    ...Object.entries(handlers).map(([topic, h]): [string, string] => [`  handled ${topic}`, `${h.messages} messages, mean ${h.meanMs} ms in the handler`]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  failed = true;
  process.stderr.write(`${describeLogs(services, 60)}\n${String((error as Error).stack ?? error)}\n`);
} finally {
  await Promise.all(services.map((service) => stopService(service, 15_000)));
  await probe.disconnect().catch(() => undefined);
  await bus.close();
  await dropBenchWorld('bench-pipeline-cleanup', prefix, graph, state);
}
process.exit(failed ? 1 : 0);
