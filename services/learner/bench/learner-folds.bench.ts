// `node services/learner/dist/bench/learner-folds.bench.js [--anomalies N] [--run R] [--impl DIR] [--label]`: the learner's
// consumers alone on the real Redis (REDIS_URL, default redis://127.0.0.1:6379; keys under a prefix of their own,
// deleted after), fed the messages of N anomalies as the pipeline bench makes them (3,000 VMs in 80 systems; per
// anomaly an OPEN and a RESOLVED, an OPEN assessment listing ~27 VMs, sometimes an update, a CLOSED one; a GRANT per
// VM listed at ≥ 0.05 and its RELEASE). Each topic is handed over in runs of R messages (1: a consumer keeping up, every
// message through `handle`; 64: a backlog, through `handleRun`), the runtime's idempotency calls included for the
// consumers that are not idempotent by themselves. Prints this process's CPU and the Redis commands per anomaly;
// --label then labels every incident (one tick past the horizon) and prints that too. --impl DIR runs another copy
// of the learner's compiled sources (or, run with `npx tsx services/learner/bench/learner-folds.bench.ts`, its .ts
// sources, e.g. a checkout of an earlier commit), to compare.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AllocationCommand, AnomalyEvent, RiskAssessment } from '@foresight/contracts';
import { SeededRandom, defaultModel } from '@foresight/core';
import type { AnyConsumerDeclaration, MessageBus } from '@foresight/messaging';
import { RedisStateStore } from '@foresight/stores';
import type { createLearner as createLearnerHere } from '../src/learner.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ANOMALIES = Number(option('anomalies', '2000'));
const RUN = Number(option('run', '1'));
const IMPL = resolve(option('impl', new URL('../src', import.meta.url).pathname));
const LABEL = args.includes('--label');
const VMS = 3000;
const GRANT_THRESHOLD = 0.05;
const SYSTEMS = 80;

const vmId = (i: number): string => `vm-${String(i).padStart(4, '0')}`;

/** Every message the learner consumes for the anomalies, by topic, each in event-time order. */
function messages(): { anomalies: AnomalyEvent[]; risk: RiskAssessment[]; allocations: AllocationCommand[] } {
  const random = new SeededRandom(18);
  const anomalies: AnomalyEvent[] = [];
  const risk: RiskAssessment[] = [];
  const allocations: AllocationCommand[] = [];
  const t0 = 1_800_000_000_000;
  for (let i = 0; i < ANOMALIES; i++) {
    const at = t0 + i * 10;
    const source = vmId(i % VMS);
    const systemId = `sys-${(i % VMS) % SYSTEMS}`;
    const incidentId = `inc-${i}`;
    const anomaly = (state: 'OPEN' | 'RESOLVED', when: number): AnomalyEvent => ({
      eventId: `anomaly-${i}-${state}`, eventTime: when, systemId, level: 'COMPONENT', subjectId: source, anomalyType: `bench_${i}`,
      severity: 0.8, state, detectedAt: when, attributes: {},
    });
    anomalies.push(anomaly('OPEN', at), anomaly('RESOLVED', at + 1000));
    const listed = Math.max(1, Math.min(150, Math.round(Math.exp(Math.log(27) + 0.6 * (random.next() + random.next() + random.next() - 1.5) * 2))));
    const entries = Array.from({ length: listed }, (_, k) => {
      const vm = vmId((i * 7 + 1 + k * 13) % VMS);
      const via = vmId((i * 7 + 2 + k * 17) % VMS);
      const probability = k < listed * 0.6 ? 0.05 + 0.5 * random.next() : 0.05 * random.next();
      return {
        vmId: vm, hostId: `host-${(i + k) % 319}`, probability, etaMs: 1000 + k, path: [source, via, vm],
        contributions: [
          { from: source, to: via, kind: 'API_CALL', direction: 'forward', probability: Math.min(1, probability * 2), delayMs: 200 },
          { from: via, to: vm, kind: 'API_CALL', direction: 'forward', probability, delayMs: 300 },
        ],
      };
    });
    const assessment = (version: number, status: 'OPEN' | 'CLOSED', when: number, atRisk: RiskAssessment['atRisk']): RiskAssessment => ({
      eventId: `risk-${incidentId}-${version}`, eventTime: when, incidentId, version, status, systemId, anomalyType: `bench_${i}`, severity: 0.8,
      estimator: 'mpp', sources: [{ vmId: source, onsetAt: at }], modelVersion: 2, generatedAt: when, atRisk,
    });
    risk.push(assessment(1, 'OPEN', at + 50, entries));
    let version = 2;
    if (random.next() < 0.5) risk.push(assessment(version++, 'OPEN', at + 500, entries.map((e) => ({ ...e, probability: e.probability * 0.9 }))));
    risk.push(assessment(version, 'CLOSED', at + 1050, []));
    for (const [k, e] of entries.entries()) {
      if (e.probability < GRANT_THRESHOLD) continue;
      const command = (action: 'GRANT' | 'RELEASE', when: number): AllocationCommand => ({
        eventId: `cmd-${incidentId}-${k}-${action}`, eventTime: when, commandId: `${incidentId}/${e.vmId}/${action}`, incidentId, vmId: e.vmId, hostId: e.hostId,
        action, resources: { cpuMillis: 250, memoryMiB: 256, networkMbps: 0 }, leaseExpiresAt: when + 600_000, mode: 'ENFORCE',
        reason: { probability: e.probability, etaMs: e.etaMs, path: [...e.path], why: 'bench' }, hostSequence: k, ledgerEpoch: 'bench',
      });
      allocations.push(command('GRANT', at + 60), command('RELEASE', at + 1060));
    }
  }
  allocations.sort((a, b) => a.eventTime - b.eventTime);
  return { anomalies: anomalies.sort((a, b) => a.eventTime - b.eventTime), risk: risk.sort((a, b) => a.eventTime - b.eventTime), allocations };
}

async function main(): Promise<void> {
  const { createLearner } = await import(pathToFileURL(`${IMPL}/learner.js`).href) as { createLearner: typeof createLearnerHere };
  const prefix = `bench:learner:${randomUUID().slice(0, 8)}:`;
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const store = new RedisStateStore({ host: url.hostname, port: Number(url.port || 6379), keyPrefix: prefix });
  await store.init();
  // Every command this process sends, by name (auto-pipelined ones too: each goes through sendCommand first).
  const client = (store as unknown as { client: { sendCommand: (command: { name: string }) => unknown; keys: (p: string) => Promise<string[]>; unlink: (...k: string[]) => Promise<number> } }).client;
  const counts = new Map<string, number>();
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command) => {
    counts.set(command.name, (counts.get(command.name) ?? 0) + 1);
    return send(command);
  };
  const published: number[] = [];
  const bus = { publish: (_topic: string, records: readonly unknown[]) => { published.push(records.length); return Promise.resolve(); } } as unknown as MessageBus;
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => logger } as never;
  const model = { ...defaultModel('foresight'), grantThreshold: GRANT_THRESHOLD };
  // No training step (it needs more incidents than any run here): --label measures labelling alone.
  const learner = createLearner({ bus, stateStore: store, logger, model, settings: { minIncidentsPerStep: 100_000 } });
  await learner.start();
  const consumers = new Map(learner.consumers.map((c) => [c.topic, c as AnyConsumerDeclaration & { idempotentByItself?: boolean; handleRun?: (m: readonly unknown[], c: readonly unknown[]) => Promise<void> }]));
  const all = messages();
  // The runs, every topic's in turn by the event time of their first message (as the consumers would take them).
  const runs: { topic: string; items: { eventId: string; eventTime: number }[] }[] = [];
  for (const [topic, list] of Object.entries(all) as [string, { eventId: string; eventTime: number }[]][]) {
    for (let i = 0; i < list.length; i += RUN) runs.push({ topic, items: list.slice(i, i + RUN) });
  }
  runs.sort((a, b) => a.items[0].eventTime - b.items[0].eventTime);
  const group = 'bench.learner';
  const deliver = async (topic: string, items: readonly { eventId: string }[]): Promise<void> => {
    const consumer = consumers.get(topic as never);
    if (consumer === undefined) throw new Error(`no consumer of ${topic}`);
    const idempotent = consumer.idempotentByItself !== true;
    if (idempotent) await Promise.all(items.map((m) => store.idempotency.has(`${group}:${m.eventId}`)));
    const contexts = items.map(() => ({}));
    if (items.length > 1 && consumer.handleRun !== undefined) await consumer.handleRun(items, contexts);
    else for (const [k, m] of items.entries()) await (consumer.handle as (m: unknown, c: unknown) => Promise<void>)(m, contexts[k]);
    if (idempotent) await Promise.all(items.map((m) => store.idempotency.claim(`${group}:${m.eventId}`, 600_000)));
  };
  const report = (phase: string, cpu: NodeJS.CpuUsage, wallMs: number): void => {
    const commands = [...counts].sort((a, b) => b[1] - a[1]);
    const total = commands.reduce((s, [, n]) => s + n, 0);
    process.stdout.write(`${JSON.stringify({
      phase, impl: IMPL, anomalies: ANOMALIES, run: RUN,
      messages: { anomalies: all.anomalies.length, risk: all.risk.length, allocations: all.allocations.length },
      cpuMsPerAnomaly: Math.round(((cpu.user + cpu.system) / 1000 / ANOMALIES) * 1000) / 1000,
      wallMsPerAnomaly: Math.round((wallMs / ANOMALIES) * 1000) / 1000,
      redisCommandsPerAnomaly: Math.round((total / ANOMALIES) * 100) / 100,
      byCommand: Object.fromEntries(commands.map(([name, n]) => [name, Math.round((n / ANOMALIES) * 100) / 100])),
    })}\n`);
    counts.clear();
  };
  // Warm up on other keys? No: the first runs also pay JIT; the figures are over every message.
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (const run of runs) await deliver(run.topic, run.items);
  report('consume', process.cpuUsage(cpu), performance.now() - wall);
  if (LABEL) {
    const lastAt = all.allocations.at(-1)?.eventTime ?? 0;
    const cpuLabel = process.cpuUsage();
    const wallLabel = performance.now();
    await learner.tick(lastAt + model.horizonMs + 1);
    report('label', process.cpuUsage(cpuLabel), performance.now() - wallLabel);
  }
  await learner.stop();
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.unlink(...keys);
  await store.close();
}

await main();
