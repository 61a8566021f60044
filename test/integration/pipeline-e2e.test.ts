import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AllocationCommand, AnomalyEvent, IncidentEvaluation, InventoryEvent, RiskAssessment, TopologyChangeEvent } from '@foresight/contracts';
import { defaultModel, serialiseModel, type Resources } from '@foresight/core';
import { KafkaBus, consumerOf } from '@foresight/messaging';
import { generateTopology, flowEvents, hostEvents, inventoryEvents, type World } from '@foresight/sim';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { Redis } from 'ioredis';
import { eventually, newTestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { awaitReady, describeLogs, errorLines, startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';
import { provisionTopics, revokeTopics, serviceCredentials, stackNeo4j, stackRedis, stackRedisOptions } from './fixtures/stack-access.js';

const SERVICES = ['topology-builder', 'propagation-scorer', 'allocator', 'learner'] as const;
const VMS = 300;
const ANOMALY_TYPE = 'latency';
const EPS = 1e-6;

/** A message as the test's probes saw it, with the wall time it arrived. */
interface Seen<T> { readonly at: number; readonly message: T }

const key = (incidentId: string, vmId: string): string => `${incidentId}\u0000${vmId}`;
const add = (a: Resources, b: Resources): Resources => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB, networkMbps: a.networkMbps + b.networkMbps });
const ZERO: Resources = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
const fits = (used: Resources, cap: Resources): boolean => used.cpuMillis <= cap.cpuMillis + EPS && used.memoryMiB <= cap.memoryMiB + EPS && used.networkMbps <= cap.networkMbps + EPS;
const same = (a: Resources, b: Resources): boolean => Math.abs(a.cpuMillis - b.cpuMillis) < EPS && Math.abs(a.memoryMiB - b.memoryMiB) < EPS && Math.abs(a.networkMbps - b.networkMbps) < EPS;

/**
 * Replays the allocations stream (ENFORCE only): the resources each (incident, VM) lease holds after each command,
 * summed per host, with every over-commit against the hosts' headroom and every duplicated GRANT.
 */
function replayAllocations(commands: readonly AllocationCommand[], headroom: ReadonlyMap<string, Resources>) {
  const active = new Map<string, { hostId: string; resources: Resources; grantId: string }>();
  const overCommits: string[] = [];
  const duplicates: string[] = [];
  for (const c of commands) {
    if (c.mode !== 'ENFORCE') continue;
    const k = key(c.incidentId, c.vmId);
    const held = active.get(k);
    if (c.action === 'GRANT') {
      if (held !== undefined && held.grantId !== c.commandId) duplicates.push(`${c.commandId} while ${held.grantId} is active`);
      active.set(k, { hostId: c.hostId, resources: c.resources, grantId: c.commandId });
    } else if (c.action === 'ADJUST') {
      if (held !== undefined) active.set(k, { ...held, resources: c.resources });
    } else {
      active.delete(k);
    }
    const used = [...active.values()].filter((l) => l.hostId === c.hostId).reduce((sum, l) => add(sum, l.resources), ZERO);
    const cap = headroom.get(c.hostId);
    if (cap === undefined || !fits(used, cap)) overCommits.push(`${c.hostId} after ${c.commandId}: ${JSON.stringify(used)} > ${JSON.stringify(cap)}`);
  }
  const perHost = new Map<string, Resources>();
  for (const l of active.values()) perHost.set(l.hostId, add(perHost.get(l.hostId) ?? ZERO, l.resources));
  return { active, perHost, overCommits, duplicates };
}

/** Each host's capacity minus what the inventory allocates on it: what the allocator may hand out. */
function headroomOf(world: World, inventory: readonly InventoryEvent[]): Map<string, Resources> {
  const used = new Map<string, Resources>();
  for (const e of inventory) used.set(e.hostId, add(used.get(e.hostId) ?? ZERO, e.allocation));
  return new Map(world.hosts.map((h) => {
    const u = used.get(h.id) ?? ZERO;
    return [h.id, { cpuMillis: Math.max(0, h.capacity.cpuMillis - u.cpuMillis), memoryMiB: Math.max(0, h.capacity.memoryMiB - u.memoryMiB), networkMbps: Math.max(0, h.capacity.networkMbps - u.networkMbps) }];
  }));
}

describe('the four services end to end on the real stack, two instances each', () => {
  const world = newTestWorld('pipeline-e2e');
  const namespace = world.id;
  const processes: ServiceProcess[] = [];
  const kafka = rawKafka('pipeline-e2e-test');
  let bus: KafkaBus | undefined;
  // The plain stack, or the secured one under `npm run test:secure` (stack-access.ts reads which).
  const graph = new Neo4jGraphStore({ ...stackNeo4j(), namespace });
  const state = new RedisStateStore({ ...stackRedis(), keyPrefix: world.keyPrefix });
  const redis = new Redis(stackRedisOptions());

  after(async () => {
    await Promise.allSettled(processes.map((p) => stopService(p, 5_000)));
    await bus?.close();
    await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state });
    await revokeTopics(world.topicPrefix);
    redis.disconnect();
  });

  it('scores, grants ahead of the cascade, never over-commits, releases, learns, and survives a SIGKILL of one instance each', { timeout: 240_000 }, async (t) => {
    const started = Date.now();
    const phase = (name: string): void => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)}s ${name}`);
    try {
      // ---- the services: two processes each, one world ----
      const env = {
        FORESIGHT_TOPIC_PREFIX: world.topicPrefix,
        FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix,
        FORESIGHT_NEO4J_NAMESPACE: namespace,
        FORESIGHT_HTTP_PORT: '0',
        FORESIGHT_LOG_LEVEL: 'info',
        FORESIGHT_SHUTDOWN_TIMEOUT: '5s',
        FORESIGHT_TICK_INTERVAL: '200ms',
        FORESIGHT_KAFKA_SESSION_TIMEOUT: '6s',
        FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '500ms',
        FORESIGHT_KAFKA_MAX_WAIT: '100ms',
        FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '100ms',
        FORESIGHT_SNAPSHOT_MIN_INTERVAL: '0ms',
        FORESIGHT_ALLOCATOR_BUDGET_CPU_MILLIS: '100000000',
        FORESIGHT_ALLOCATOR_BUDGET_MEMORY_MIB: '100000000',
        FORESIGHT_ALLOCATOR_BUDGET_NETWORK_MBPS: '100000000',
        FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE: '100000',
        FORESIGHT_LEARNER_INITIAL_HORIZON: '15s',
        FORESIGHT_LEARNER_MIN_INCIDENTS: '100000',
      };
      // Secured profile: the admin step creates the topics and grants each service's principal its ACLs first.
      await provisionTopics(world.topicPrefix);
      for (const service of SERVICES) {
        for (const instance of ['a', 'b']) {
          processes.push(startService(`${service}-${instance}`, service, { ...env, ...serviceCredentials(service), FORESIGHT_INSTANCE_ID: `${service}-${instance}` }));
        }
      }
      await state.init();
      await Promise.all(processes.map((p) => awaitReady(p, 90_000)));
      phase('8 services ready');

      // ---- probes: the test's own groups on the outputs ----
      bus = await KafkaBus.connect({ connection: stackConnection('pipeline-e2e-probe'), topicPrefix: world.topicPrefix, maxWaitTimeMs: 100, topics: ['inventory', 'hosts', 'flows', 'anomalies', 'model'] });
      const risks: Seen<RiskAssessment>[] = [];
      const commands: Seen<AllocationCommand>[] = [];
      const evaluations: Seen<IncidentEvaluation>[] = [];
      const changes: Seen<TopologyChangeEvent>[] = [];
      const probe = <T>(into: Seen<T>[]) => (message: T) => {
        into.push({ at: Date.now(), message });
        return Promise.resolve();
      };
      await bus.startConsumers([
        consumerOf({ topic: 'risk', groupId: `${world.groupId}.risk`, handle: probe(risks) }),
        consumerOf({ topic: 'allocations', groupId: `${world.groupId}.allocations`, handle: probe(commands) }),
        consumerOf({ topic: 'evaluations', groupId: `${world.groupId}.evaluations`, handle: probe(evaluations) }),
        consumerOf({ topic: 'topology-changes', groupId: `${world.groupId}.changes`, handle: probe(changes) }),
      ]);
      await eventually('the probes to join', () => (bus?.health().ready === true ? true : undefined), 30_000);

      // ---- the topology: a tiered fleet of a few hundred VMs on a few dozen hosts ----
      const now0 = Date.now();
      const fleet = generateTopology({ vms: VMS, seed: 11, epoch: now0 });
      const inventory = inventoryEvents(fleet, now0);
      const flows = flowEvents(fleet, { seed: 11, until: now0, dropRate: 0 });
      await bus.publish('hosts', hostEvents(fleet, now0));
      for (let i = 0; i < inventory.length; i += 500) await bus.publish('inventory', inventory.slice(i, i + 500));
      for (let i = 0; i < flows.length; i += 500) await bus.publish('flows', flows.slice(i, i + 500));
      const pathwayCount = new Set(flows.map((f) => `${f.source}|${f.target}|${f.kind}`)).size;
      const headroom = headroomOf(fleet, inventory);
      phase(`published ${fleet.hosts.length} hosts, ${inventory.length} VMs, ${flows.length} flows (${pathwayCount} pathways)`);

      await eventually('the graph store to hold every VM and pathway of the namespace', async () => {
        const stored = await graph.loadTopology();
        return stored.vms.length === VMS && stored.pathways.length === pathwayCount && stored.hosts.length === fleet.hosts.length ? true : undefined;
      }, 60_000, 250);
      await eventually('topology-changes to announce every VM and pathway', () => {
        const vms = new Set(changes.filter((c) => c.message.vm !== null).map((c) => c.message.vmId));
        const pathways = new Set(changes.flatMap((c) => c.message.pathways.map((p) => `${c.message.vmId}|${p.target}|${p.kind}`)));
        return vms.size === VMS && pathways.size === pathwayCount ? true : undefined;
      }, 60_000, 100);
      await eventually("the allocator's ledger to offer every host its headroom", async () => {
        for (const [hostId, room] of headroom) {
          const ledger = await state.hostLedger(hostId);
          if (ledger === undefined || !same(ledger.capacity, room)) return undefined;
        }
        return true;
      }, 60_000, 250);
      phase('topology in Neo4j, in topology-changes and in the ledger');

      // The default model's grant threshold (0.3) is above what it scores on this fleet (≤ 0.03 a hop): publish a
      // version that grants, as an operator (or the learner) would. Scorers re-score with it, allocators plan with it.
      const model = { ...defaultModel('foresight', now0), version: 2, parentVersion: 1, grantThreshold: 0.02, releaseThreshold: 0.01 };
      await bus.publish('model', [{ eventId: 'model:foresight:2', eventTime: now0, modelId: 'foresight', version: 2, parentVersion: 1, parametersJson: serialiseModel(model), metrics: {} }]);
      await eventually('the allocators to adopt model version 2', async () => ((await state.documents.get('allocator-model', 'foresight')) !== undefined ? true : undefined), 30_000);

      // ---- anomalies: a source, then a VM it was predicted to reach, event times advancing ----
      const anomalies: AnomalyEvent[] = [];
      let sequence = 0;
      const publishAnomaly = async (vmId: string, state: 'OPEN' | 'RESOLVED'): Promise<AnomalyEvent> => {
        const vm = fleet.vms.find((v) => v.id === vmId);
        assert.ok(vm !== undefined);
        const at = Math.max(Date.now(), (anomalies.at(-1)?.eventTime ?? 0) + 1);
        const event: AnomalyEvent = {
          eventId: `anomaly-${++sequence}-${vmId}-${state}`, eventTime: at, systemId: vm.systemId, level: 'COMPONENT', subjectId: vmId,
          anomalyType: ANOMALY_TYPE, severity: 0.9, state, detectedAt: at, attributes: {},
        };
        anomalies.push(event);
        await bus?.publish('anomalies', [event]);
        return event;
      };
      const assessmentWithSource = (vmId: string, after: number) => risks.find((r) => r.message.generatedAt >= after && r.message.sources.some((s) => s.vmId === vmId));
      const grantsOf = (incidentId: string) => commands.filter((c) => c.message.incidentId === incidentId && c.message.action === 'GRANT' && c.message.mode === 'ENFORCE');
      // Latency travels from callee to caller: sources are the callees with the most callers in their own system.
      const systemOf = new Map(fleet.vms.map((v) => [v.id, v.systemId]));
      const outDegree = new Map<string, number>();
      for (const p of fleet.pathways) {
        if (p.kind === 'API_CALL' && systemOf.get(p.source) === systemOf.get(p.target)) outDegree.set(p.target, (outDegree.get(p.target) ?? 0) + 1);
      }
      const systems = [...new Set(fleet.vms.map((v) => v.systemId))].sort();
      const sourceOf = (systemId: string, skip = 0) => fleet.vms.filter((v) => v.systemId === systemId).sort((a, b) => (outDegree.get(b.id) ?? 0) - (outDegree.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1))[skip].id;

      /** A source anomaly, its first assessment and grants, then the anomaly of its likeliest granted VM joining the incident. */
      const cascade = async (systemId: string, skip: number): Promise<string> => {
        const source = await publishAnomaly(sourceOf(systemId, skip), 'OPEN');
        const first = await eventually(`an assessment of ${source.subjectId}`, () => assessmentWithSource(source.subjectId, source.eventTime), 30_000);
        const incidentId = first.message.incidentId;
        // NOTE: incidents are tracked per system (anomalies are keyed by systemId), so the cascade is followed inside it.
        const granted = await eventually(`GRANTs in ${systemId} for ${incidentId}`, () => {
          const grants = grantsOf(incidentId).filter((g) => fleet.vms.find((v) => v.id === g.message.vmId)?.systemId === systemId);
          return grants.length > 0 ? grants : undefined;
        }, 30_000).catch((error: unknown) => {
          const latest = risks.filter((r) => r.message.incidentId === incidentId).at(-1)?.message;
          const top = latest?.atRisk.filter((a) => a.vmId.startsWith(`${systemId}-`)).slice(0, 8).map((a) => `${a.vmId}:${a.probability.toFixed(4)}`).join(' ');
          throw new Error(`${(error as Error).message}; latest version ${latest?.version}, ${latest?.atRisk.length} at risk, top in system: ${top}`);
        });
        const [target] = granted.sort((a, b) => b.message.reason.probability - a.message.reason.probability);
        const onset = await publishAnomaly(target.message.vmId, 'OPEN');
        assert.ok(target.message.eventTime <= onset.eventTime && target.at <= onset.eventTime, `the GRANT of ${target.message.vmId} (event time ${target.message.eventTime}, seen ${target.at}) precedes its onset ${onset.eventTime}`);
        const grown = await eventually(`${incidentId} re-versioned with ${onset.subjectId}`, () => risks.find((r) => r.message.incidentId === incidentId && r.message.generatedAt >= onset.eventTime && r.message.sources.some((s) => s.vmId === onset.subjectId)), 30_000);
        assert.ok(grown.message.version > first.message.version, 'the cascade re-versions the assessment');
        return incidentId;
      };

      const early: string[] = [];
      for (const systemId of systems.slice(0, 3)) early.push(await cascade(systemId, 0));
      phase(`${early.length} cascades: assessed, granted before onset, re-versioned`);

      // Hot scores in Redis carry the latest version of each incident.
      for (const incidentId of early) {
        await eventually(`hot scores of ${incidentId}`, async () => {
          const latest = Math.max(...risks.filter((r) => r.message.incidentId === incidentId).map((r) => r.message.version));
          const hot = await state.topIncidentScores(incidentId, 50);
          return hot !== undefined && hot.version === latest && hot.entries.length > 0 ? true : undefined;
        }, 15_000);
      }
      // The ledger holds exactly what the stream says is granted.
      await eventually('the ledger to agree with the allocations stream', async () => {
        const { perHost } = replayAllocations(commands.map((c) => c.message), headroom);
        for (const hostId of headroom.keys()) {
          const ledger = await state.hostLedger(hostId);
          if (ledger === undefined || !same(ledger.reserved, perHost.get(hostId) ?? ZERO)) return undefined;
        }
        return true;
      }, 15_000);
      phase('hot scores and ledger agree');

      // ---- SIGKILL one instance of each service while anomalies flow ----
      const victims = processes.filter((p) => p.label.endsWith('-a'));
      const flowing = (async () => {
        const out: string[] = [];
        // systems[3] is left alone for the cascade after the kill: an anomaly joins the incident that predicted it
        // likeliest, so a second incident in the same system could take the cascade's second VM.
        for (const [i, systemId] of systems.slice(4).entries()) {
          const source = await publishAnomaly(sourceOf(systemId, 0), 'OPEN');
          await publishAnomaly(sourceOf(systems[i % 3], 3), 'OPEN');
          out.push(source.subjectId);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        return out;
      })();
      await new Promise((resolve) => setTimeout(resolve, 400));
      for (const victim of victims) victim.child.kill('SIGKILL');
      const killed = await Promise.all(victims.map((v) => v.exited));
      assert.ok(killed.every((k) => k.signal === 'SIGKILL'));
      phase(`SIGKILLed ${victims.map((v) => v.label).join(', ')} mid-run`);
      await flowing;
      // A last cascade after the kill, on the survivors alone.
      const late = await cascade(systems[3], 0);
      phase('cascade on the survivors');
      await eventually('the ledger to agree with the allocations stream after the kill', async () => {
        const { perHost } = replayAllocations(commands.map((c) => c.message), headroom);
        for (const hostId of headroom.keys()) {
          const ledger = await state.hostLedger(hostId);
          if (ledger === undefined || !same(ledger.reserved, perHost.get(hostId) ?? ZERO)) return undefined;
        }
        return true;
      }, 30_000);

      // Nothing lost: every OPEN anomaly made it into an assessment.
      for (const a of anomalies.filter((x) => x.state === 'OPEN')) {
        await eventually(`an assessment listing ${a.subjectId} as a source (${a.eventId})`, () => assessmentWithSource(a.subjectId, a.eventTime), 60_000);
      }
      phase(`every one of ${anomalies.length} anomalies assessed`);

      // ---- resolution: RESOLVED anomalies → CLOSED risk → RELEASE of every grant ----
      for (const a of anomalies.filter((x) => x.state === 'OPEN')) await publishAnomaly(a.subjectId, 'RESOLVED');
      const incidents = () => [...new Set(risks.map((r) => r.message.incidentId))].sort();
      await eventually('every incident CLOSED', () => (incidents().every((id) => risks.some((r) => r.message.incidentId === id && r.message.status === 'CLOSED')) ? true : undefined), 60_000, 100);
      await eventually('a RELEASE for every granted VM', () => {
        const released = new Set(commands.filter((c) => c.message.action === 'RELEASE').map((c) => key(c.message.incidentId, c.message.vmId)));
        return commands.filter((c) => c.message.action === 'GRANT').every((c) => released.has(key(c.message.incidentId, c.message.vmId))) ? true : undefined;
      }, 60_000, 100);
      await eventually('the ledger to hold nothing', async () => ((await state.activeReservations()).length === 0 ? true : undefined), 15_000);
      phase(`${incidents().length} incidents closed, every grant released`);

      // ---- the learner: an evaluation per incident, and the incident history in Neo4j ----
      await eventually('an evaluation of every incident', () => (incidents().every((id) => evaluations.some((e) => e.message.incidentId === id)) ? true : undefined), 60_000, 100);
      await eventually('the incident history in Neo4j', async () => {
        const recorded = new Set((await graph.incidentHistory()).map((i) => i.incidentId));
        return incidents().every((id) => recorded.has(id)) ? true : undefined;
      }, 15_000);
      const history = await graph.incidentHistory();
      // NOTE: the learner's horizon (15 s) covers a cascade's second onset, even the one delayed by the rebalance.
      for (const h of history.filter((x) => early.includes(x.incidentId) || x.incidentId === late)) {
        assert.ok(h.affectedVmIds.length >= 2, `${h.incidentId}: a cascade affected its source and the VM it reached (${h.affectedVmIds.join(', ')})`);
      }
      phase(`${evaluations.length} evaluations, ${history.length} incidents recorded`);

      // ---- the allocations stream, replayed: no over-commit, no duplicated grant, each reservation applied once ----
      const all = commands.map((c) => c.message);
      const replay = replayAllocations(all, headroom);
      assert.deepEqual(replay.overCommits, [], 'no host is ever over-committed');
      assert.deepEqual(replay.duplicates, [], 'no (incident, VM) gets a second GRANT with another commandId while one is active');
      assert.equal(replay.active.size, 0, 'every lease ended');
      const grantIds = new Set(all.filter((c) => c.action === 'GRANT' && c.mode === 'ENFORCE').map((c) => c.commandId));
      assert.ok(grantIds.size >= 4, `grants were made (${grantIds.size})`);
      for (const hostId of headroom.keys()) assert.ok(same((await state.hostLedger(hostId))?.reserved ?? ZERO, ZERO), `${hostId} reserves nothing at the end`);
      // Every GRANT the stream carries was decided once by the ledger: granted, then released.
      for (const commandId of grantIds) {
        const decided = await redis.hgetall(`${world.keyPrefix}cmd:${commandId}`);
        assert.equal(decided.result, 'OK', `${commandId} was reserved`);
        assert.equal(decided.state, 'released', `${commandId} was released`);
      }
      const errors = processes.flatMap((p) => errorLines(p).map((line) => `${p.label}: ${line}`));
      assert.deepEqual(errors.filter((line) => line.includes('CreateTopics')), [], 'concurrent topic creation is not an error');
      const kinds = new Map<string, number>();
      for (const line of errors) {
        const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80);
        kinds.set(msg, (kinds.get(msg) ?? 0) + 1);
      }
      const refused = processes.flatMap((p) => p.lines.filter((line) => line.includes('grant refused by the ledger'))).length;
      t.diagnostic(`error lines by message: ${JSON.stringify(Object.fromEntries(kinds))}; grants refused by the ledger: ${refused}`);
      t.diagnostic(`commands: ${all.length} (${grantIds.size} grants), risk versions: ${risks.length}, incidents: ${incidents().length}, error lines: ${errors.length}`);
      phase('done');
      const survivors = processes.filter((p) => p.label.endsWith('-b'));
      const stops = await Promise.all(survivors.map((p) => stopService(p, 10_000)));
      assert.deepEqual(stops.map((s) => s.code), survivors.map(() => 0), 'the survivors stop cleanly on SIGTERM');
    } catch (error) {
      process.stderr.write(`\n${describeLogs(processes)}\n`);
      throw error;
    }
  });
});
