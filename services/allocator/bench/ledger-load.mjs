// `REDIS_PORT=6418 REDIS_PID=<its pid> node services/allocator/bench/ledger-load.mjs` (after npm run build): runs the
// real allocator (createAllocator on a RedisStateStore, risk handed over in partition runs of BATCH, default 8) over
// synthetic risk assessments shaped like the pipeline bench's (27 VMs named, 16 at or above the grant threshold of
// 0.05; each incident OPEN, then CLOSED a second later), against a Redis of its own (start one: redis-server --port
// 6418 --save ''), and prints per anomaly: the allocator process's CPU, the Redis server's CPU (from /proc), Redis
// commands (INFO commandstats, inside scripts included), round trips (total_reads_processed) and bytes sent to Redis.
// COUNT_DOCS=1 adds the bytes of the documents written; PROFILE=<file> writes a V8 profile of the measured phase.
// Prints what it measured; asserts nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Redis } from 'ioredis';
import { InMemoryBus, silentLogger } from '@foresight/messaging';
import { RedisStateStore } from '@foresight/stores';
import { defaultModel } from '@foresight/core';
import { createAllocator } from '@foresight/allocator';

const ANOMALIES = Number(process.env.ANOMALIES ?? 2000);
const BATCH = Number(process.env.BATCH ?? 8);
const port = Number(process.env.REDIS_PORT ?? 6390);
const redisPid = Number(process.env.REDIS_PID);
const cpuOf = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) * 10; };
let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };

const keyPrefix = `ll:${Date.now()}:`;
const store = new RedisStateStore({ port, keyPrefix });
await store.init();
let docBytes = 0;
if (process.env.COUNT_DOCS) { const pv = store.documents.putValues; store.documents.putValues = (k, d) => { for (const x of d) docBytes += JSON.stringify(x.value).length; return pv(k, d); }; }
const model = { ...defaultModel('foresight', 0), grantThreshold: 0.05, releaseThreshold: 0.025 };
const bus = new InMemoryBus({ topicPrefix: 'll.', groupId: 'allocator' });
const allocator = createAllocator({ bus, stateStore: store, logger: silentLogger, model, settings: {
  budget: { cpuMillis: 1e9, memoryMiB: 1e9, networkMbps: 1e9 }, maxGrantsPerMinute: 100000 } });
await allocator.start(0);
const HOSTS = 319, VMS = 3000;
const hostOf = (v) => `h${v % HOSTS}`;
const inv = allocator.consumers.find((c) => c.topic === 'inventory');
const hosts = allocator.consumers.find((c) => c.topic === 'hosts');
const ctx = { publish: async () => {} };
for (let h = 0; h < HOSTS; h++) await hosts.handle({ eventId: `h${h}`, eventTime: 0, hostId: `h${h}`, removed: false, capacity: { cpuMillis: 64000, memoryMiB: 262144, networkMbps: 10000 } }, ctx);
for (let v = 0; v < VMS; v++) await inv.handle({ eventId: `v${v}`, eventTime: 0, vmId: `vm-${v}`, removed: false, hostId: hostOf(v), groupId: 'g', systemId: 'sys', capacity: { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 }, allocation: { cpuMillis: 1000, memoryMiB: 2048, networkMbps: 100 }, criticality: 0.5, labels: {} }, ctx);
const risk = allocator.consumers.find((c) => c.topic === 'risk');
let published = 0;
const contexts = [{ publish: async (_t, msgs) => { published += msgs.length; } }];
function assessment(i, status, version, at) {
  const src = (i * 7919) % VMS;
  const atRisk = [];
  if (status === 'OPEN') {
    const used = new Set([src]);
    for (let k = 0; k < 27; k++) {
      let v; do { v = Math.floor(rnd() * VMS); } while (used.has(v)); used.add(v);
      const p = k < 16 ? 0.05 + rnd() * 0.8 : rnd() * 0.045;
      const mid = `vm-${(v + 1) % VMS}`;
      atRisk.push({ vmId: `vm-${v}`, hostId: hostOf(v), probability: p, etaMs: 30000 + k * 1000, path: [`vm-${src}`, mid, `vm-${v}`], contributions: [] });
    }
  }
  return { eventId: `r${i}-${version}`, eventTime: at, incidentId: `inc-${i}`, version, status, systemId: 'sys', anomalyType: 'cpu_saturation', severity: 1,
    estimator: 'most-probable-path', sources: [{ vmId: `vm-${src}`, onsetAt: at - 10 }], modelVersion: 2, generatedAt: at, atRisk };
}
// A stream: anomaly i opens at 10 ms steps and closes 1 s later (so ~100 incidents open at a time).
const events = [];
for (let i = 0; i < ANOMALIES; i++) { events.push([i * 10 + 1000, assessment(i, 'OPEN', 1, i * 10 + 1000)]); events.push([i * 10 + 2000, null, i]); }
events.sort((a, b) => a[0] - b[0]);
const stream = events.map(([at, a, i]) => a ?? assessment(i, 'CLOSED', 2, at));
const admin = new Redis({ port });
const stats = async () => Object.fromEntries((await admin.info('commandstats')).split('\n').flatMap((l) => { const m = /cmdstat_(\S+):calls=(\d+),usec=(\d+)/.exec(l); return m ? [[m[1], [Number(m[2]), Number(m[3])]]] : []; }));
// warm-up
const warm = 400;
for (let i = 0; i < warm; i += BATCH) await risk.handleRun(stream.slice(i, i + BATCH), contexts);
const net = async () => { const t = await admin.info('stats'); return [Number(/total_net_input_bytes:(\d+)/.exec(t)[1]), Number(/total_reads_processed:(\d+)/.exec(t)[1])]; };
const session = process.env.PROFILE ? new Session() : undefined;
if (session) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start'); }
const n0 = await net(); const s0 = await stats(); const r0 = cpuOf(redisPid); const c0 = process.cpuUsage(); docBytes = 0; const t0 = Date.now(); published = 0;
for (let i = warm; i < stream.length; i += BATCH) await risk.handleRun(stream.slice(i, i + BATCH), contexts);
const c1 = process.cpuUsage(c0);
if (session) { const { profile } = await session.post('Profiler.stop'); writeFileSync(process.env.PROFILE, JSON.stringify(profile)); } const r1 = cpuOf(redisPid); const s1 = await stats(); const n1 = await net();
const n = (stream.length - warm) / 2;
const rows = Object.keys(s1).map((k) => [k, s1[k][0] - (s0[k]?.[0] ?? 0), s1[k][1] - (s0[k]?.[1] ?? 0)]).filter((r) => r[1] > 0).sort((a, b) => b[2] - a[2]);
const calls = rows.reduce((s, r) => s + r[1], 0);
console.log(JSON.stringify({ anomalies: n, wallMs: Date.now() - t0, allocatorCpuMsPerAnomaly: +((c1.user + c1.system) / 1000 / n).toFixed(3), redisCpuMsPerAnomaly: +((r1 - r0) / n).toFixed(3),
  redisCommandsPerAnomaly: +(calls / n).toFixed(1), ...(process.env.COUNT_DOCS ? { documentBytesPerAnomaly: Math.round(docBytes / n) } : {}), bytesToRedisPerAnomaly: Math.round((n1[0] - n0[0]) / n), redisReadsPerAnomaly: +((n1[1] - n0[1]) / n).toFixed(2), commandsPublishedPerAnomaly: +(published / n).toFixed(1) }));
for (const [k, c, u] of rows.slice(0, 14)) console.log(`  ${k.padEnd(12)} ${(c / n).toFixed(1).padStart(7)}/anomaly ${(u / c).toFixed(1).padStart(7)} us/call`);
await admin.quit(); await bus.close(); await store.close();
