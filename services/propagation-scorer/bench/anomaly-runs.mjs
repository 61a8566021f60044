#!/usr/bin/env node
// What the scorer's anomalies handler costs per anomaly, alone: its process CPU, the Redis commands it causes and
// Redis's own CPU for them. Drives the handler's runs (handleRun, as the Kafka runtime does under a backlog) with the
// pipeline bench's anomalies (3,000 VMs, an OPEN anomaly of its own type on a distinct VM each, RESOLVED a second later)
// in event time: every --batch ms of event time, the anomalies of that window grouped into one run per system, the
// runs handled at once. Publishing only counts the messages. Prints, asserts nothing. Needs a build and a Redis of its
// own (REDIS_URL, default redis://127.0.0.1:6379): the command counts and CPU are the server's INFO deltas, so other
// clients of the same server are counted too. Deletes its own keys afterwards (its key prefix).
// Usage: node services/propagation-scorer/bench/anomaly-runs.mjs [--rate 300] [--seconds 10] [--batch 100]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { SeededRandom, defaultModel } from '@foresight/core';
import { silentLogger } from '@foresight/messaging';
import { generateTopology } from '@foresight/sim';
import { InMemoryGraphStore, RedisStateStore } from '@foresight/stores';
import { createPropagationScorer } from '../dist/src/index.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '300' }, seconds: { type: 'string', default: '10' }, batch: { type: 'string', default: '100' } } });
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const BATCH_MS = Number(values.batch);
const WARM_UP_MS = 3_000;
const T0 = 1_700_000_000_000;

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: url.hostname, port: Number(url.port || 6379) };
const fleet = generateTopology({ vms: 3000, seed: 5, epoch: T0 });
const graphStore = new InMemoryGraphStore();
await graphStore.upsertVms(fleet.vms);
await graphStore.upsertPathways(fleet.pathways);
const stateStore = new RedisStateStore({ ...connection, keyPrefix: `bench:scorer-runs:${Math.random().toString(36).slice(2, 10)}:` });
await stateStore.init();
const admin = new Redis(connection);
const model = { ...defaultModel('foresight', T0), version: 2, parentVersion: 1, grantThreshold: 0.05, releaseThreshold: 0.025 };
let published = 0;
let atRisk = 0;
const publish = (_topic, messages) => {
  published += messages.length;
  for (const m of messages) if (m.status === 'OPEN') atRisk += m.atRisk.length;
  return Promise.resolve();
};
const bus = { keyOwnership: () => ({ owns: () => true }), publish };
const scorer = createPropagationScorer({ bus, stateStore, graphStore, logger: silentLogger, initialModel: model });
await scorer.start();
const consumer = scorer.consumers.find((c) => c.topic === 'anomalies');

const random = new SeededRandom(9);
const order = fleet.vms.map((v) => v).sort(() => random.next() - 0.5);
let sequence = 0;
const pending = [];
/** The anomalies of one window of event time from `t`: OPEN ones at RATE, and the RESOLVED ones due by then. */
function windowFrom(t, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const at = t + Math.floor((i * BATCH_MS) / count);
    const vm = order[sequence % order.length];
    const eventId = `a${sequence++}`;
    const open = { eventId, eventTime: at, systemId: vm.systemId, level: 'COMPONENT', subjectId: vm.id, anomalyType: `bench_${eventId}`, severity: 0.8, state: 'OPEN', detectedAt: at, attributes: {} };
    out.push(open);
    while (pending.length > 0 && pending[0].at <= at) {
      const { event } = pending.shift();
      out.push({ ...event, eventId: `${event.eventId}-resolved`, state: 'RESOLVED', eventTime: at, detectedAt: at });
    }
    pending.push({ at: at + 1000, event: open });
  }
  return out;
}
async function handle(events) {
  const bySystem = new Map();
  for (const e of events) bySystem.set(e.systemId, [...(bySystem.get(e.systemId) ?? []), e]);
  const context = { publish };
  await Promise.all([...bySystem.values()].map((run) => consumer.handleRun(run, run.map(() => context))));
  return bySystem.size;
}
const commandStats = async () => new Map((await admin.info('commandstats')).split('\n').filter((l) => l.startsWith('cmdstat_')).map((l) => [l.slice(8, l.indexOf(':')), Number(/calls=(\d+)/.exec(l)[1])]));
const redisCpuSeconds = async () => {
  const info = await admin.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
};

const perWindow = Math.round((RATE * BATCH_MS) / 1000);
let t = T0 + 1000;
for (let elapsed = 0; elapsed < WARM_UP_MS; elapsed += BATCH_MS, t += BATCH_MS) await handle(windowFrom(t, perWindow));
const stats0 = await commandStats();
const redis0 = await redisCpuSeconds();
const cpu0 = process.cpuUsage();
let anomalies = 0;
let runs = 0;
const windows = [];
for (let elapsed = 0; elapsed < SECONDS * 1000; elapsed += BATCH_MS, t += BATCH_MS) {
  const events = windowFrom(t, perWindow);
  anomalies += perWindow;
  const begin = performance.now();
  runs += await handle(events);
  windows.push(performance.now() - begin);
}
const cpu = process.cpuUsage(cpu0);
const redisCpu = (await redisCpuSeconds()) - redis0;
const stats1 = await commandStats();
// The two INFO calls between the snapshots are not the scorer's.
const commands = [...stats1].map(([name, calls]) => [name, calls - (stats0.get(name) ?? 0) - (name === 'info' ? 2 : 0)]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
const total = commands.reduce((n, [, calls]) => n + calls, 0);
windows.sort((a, b) => a - b);
const round = (x, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
console.log(JSON.stringify({
  rate: RATE, seconds: SECONDS, batchMs: BATCH_MS, anomalies, runsPerWindow: round(runs / windows.length, 1),
  cpuMsPerAnomaly: round((cpu.user + cpu.system) / 1000 / anomalies), redisCpuMsPerAnomaly: round((redisCpu * 1000) / anomalies),
  redisCommandsPerAnomaly: round(total / anomalies, 1), commandsPerAnomaly: Object.fromEntries(commands.map(([name, calls]) => [name, round(calls / anomalies, 2)])),
  windowP50Ms: round(windows[Math.floor(windows.length / 2)], 1), windowP99Ms: round(windows[Math.floor(windows.length * 0.99)], 1),
  atRiskPerOpen: round(atRisk / (anomalies + (WARM_UP_MS / BATCH_MS) * perWindow), 1), published,
}));
await scorer.stop();
await stateStore.dropPrefix();
await stateStore.close();
admin.disconnect();
