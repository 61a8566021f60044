#!/usr/bin/env node
// What the hot-score writer costs per risk version on a real Redis, against the writer before issue 14 (which left the
// vmrisk field of every VM a version dropped, and of every VM of a closed incident, until the hash's TTL).
// Prints, asserts nothing. Needs Redis (REDIS_URL, default redis://127.0.0.1:6379) and a build of libs/stores.
// Usage: node libs/stores/bench/hot-score-writes.mjs [--incidents 40] [--vms 200] [--versions 10] [--churn 0.1]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisStateStore } from '../dist/src/index.js';

const { values } = parseArgs({ options: { incidents: { type: 'string', default: '40' }, vms: { type: 'string', default: '200' }, versions: { type: 'string', default: '10' }, churn: { type: 'string', default: '0.1' } } });
const INCIDENTS = Number(values.incidents);
const VMS = Number(values.vms);
const VERSIONS = Number(values.versions);
const CHURN = Number(values.churn);
const TTL = 3_600_000;

// The writer before issue 14, verbatim: one script, no removal of dropped VMs' fields.
const PREVIOUS_SCRIPT = `
local current = redis.call('GET', KEYS[3])
if current and tonumber(current) >= tonumber(ARGV[1]) then return '0' end
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[1], KEYS[2])
local n = #KEYS - 3
for i = 1, n do
  local vmId, probability, eta = ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]
  redis.call('ZADD', KEYS[1], probability, vmId)
  redis.call('HSET', KEYS[2], vmId, eta)
  local risk = KEYS[3 + i]
  redis.call('HSET', risk, ARGV[3], ARGV[1] .. '|' .. probability .. '|' .. eta)
  if redis.call('PTTL', risk) < ttl then redis.call('PEXPIRE', risk, ttl) end
end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ttl)
if n > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return '1'
`;

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: url.hostname, port: Number(url.port || 6379), ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }) };

/** Each incident's versions: VMS entries drawn from a fleet, CHURN of them replaced per version, then a CLOSED (empty) one. */
function workload(seed) {
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const fleet = 20 * VMS;
  const plans = [];
  for (let i = 0; i < INCIDENTS; i++) {
    let vms = new Set();
    while (vms.size < VMS) vms.add(`vm-${Math.floor(random() * fleet)}`);
    const versions = [];
    for (let v = 1; v <= VERSIONS; v++) {
      if (v > 1) {
        const kept = [...vms].filter(() => random() >= CHURN);
        vms = new Set(kept);
        while (vms.size < VMS) vms.add(`vm-${Math.floor(random() * fleet)}`);
      }
      versions.push([...vms].map((vmId) => ({ vmId, probability: Math.round(random() * 1e6) / 1e6, etaAt: 1_700_000_000_000 + Math.floor(random() * 1e6) })));
    }
    versions.push([]);
    plans.push({ incidentId: `inc-${i}`, versions });
  }
  return plans;
}

async function riskFields(raw, prefix) {
  let fields = 0;
  let hashes = 0;
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}vmrisk:*`, 'COUNT', 1000);
    for (const key of keys) {
      fields += await raw.hlen(key);
      hashes += 1;
    }
    cursor = next;
  } while (cursor !== '0');
  return { hashes, fields };
}

async function run(label, plans, put, raw, prefix, calls) {
  const openTimes = [];
  const closeTimes = [];
  for (let v = 0; v <= VERSIONS; v++) {
    for (const { incidentId, versions } of plans) {
      const start = process.hrtime.bigint();
      await put(incidentId, v + 1, versions[v]);
      (v === VERSIONS ? closeTimes : openTimes).push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const left = await riskFields(raw, prefix);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const p50 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { label, openMeanMs: mean(openTimes), openP50Ms: p50(openTimes), closeMeanMs: mean(closeTimes), scriptCalls: calls(), riskHashesLeft: left.hashes, riskFieldsLeft: left.fields };
}

const raw = new Redis(connection);
const plans = workload(7);
const rounds = [];
for (let round = 0; round < 3; round++) {
  // The previous writer: one EVAL per version.
  const before = `bench-hot-${randomUUID()}:`;
  let beforeCalls = 0;
  const sha = await raw.script('LOAD', PREVIOUS_SCRIPT);
  rounds.push(await run('previous writer', plans, async (incidentId, version, entries) => {
    const keys = [`${before}scores:${incidentId}`, `${before}etas:${incidentId}`, `${before}scorever:${incidentId}`, ...entries.map((e) => `${before}vmrisk:${e.vmId}`)];
    const args = [String(version), TTL, incidentId];
    for (const e of entries) args.push(e.vmId, String(e.probability), String(e.etaAt));
    beforeCalls += 1;
    await raw.evalsha(sha, keys.length, ...keys, ...args);
  }, raw, before, () => beforeCalls));
  // The current writer: RedisStateStore.putIncidentScores (script calls counted as it makes them: one per version, plus
  // one per 256 VMs the version dropped).
  const after = `bench-hot-${randomUUID()}:`;
  const store = new RedisStateStore({ ...connection, keyPrefix: after });
  await store.init();
  let afterCalls = 0;
  const previous = new Map();
  rounds.push(await run('current writer', plans, async (incidentId, version, entries) => {
    const kept = new Set(entries.map((e) => e.vmId));
    const dropped = (previous.get(incidentId) ?? []).filter((vmId) => !kept.has(vmId)).length;
    afterCalls += 1 + Math.ceil(dropped / 256);
    previous.set(incidentId, entries.map((e) => e.vmId));
    await store.putIncidentScores(incidentId, version, entries, TTL);
  }, raw, after, () => afterCalls));
  await store.dropPrefix();
  await store.close();
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${before}*`, 'COUNT', 1000);
    if (keys.length > 0) await raw.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
raw.disconnect();

console.log(`hot-score writes: ${INCIDENTS} incidents × ${VERSIONS} open versions of ${VMS} VMs (${Math.round(CHURN * 100)}% replaced per version) + 1 CLOSED version each; 3 rounds, interleaved`);
const fmt = (x) => x.toFixed(3).padStart(8);
console.log('writer            round  open put mean ms  open put p50 ms  close put mean ms  script calls  vmrisk hashes left  vmrisk fields left');
rounds.forEach((r, i) => {
  console.log(`${r.label.padEnd(16)}  ${String(Math.floor(i / 2) + 1).padStart(5)}  ${fmt(r.openMeanMs).padStart(16)}  ${fmt(r.openP50Ms).padStart(15)}  ${fmt(r.closeMeanMs).padStart(17)}  ${String(r.scriptCalls).padStart(12)}  ${String(r.riskHashesLeft).padStart(18)}  ${String(r.riskFieldsLeft).padStart(18)}`);
});
