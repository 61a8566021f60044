// The chaos suite (`npm run test:chaos`): the four services, two processes each, on a stack of the suite's own, while
// anomalies stream at a steady rate; one fault after another, each followed by the checks that the pipeline recovered
// with nobody's hand on it. Prints (and writes to <stack dir>/chaos-report.md) the table docs/operations.md shows.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InventoryEvent } from '@foresight/contracts';
import { defaultModel, serialiseModel, type Resources } from '@foresight/core';
import { KafkaBus, KafkaPrefixAdmin, type KafkaConnectionConfig } from '@foresight/messaging';
import { flowEvents, generateTopology, hostEvents, inventoryEvents, type World } from '@foresight/sim';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { Kafka, logLevel } from 'kafkajs';
import { eventually, newTestWorld } from '../support/test-world.js';
import { AnomalyStream } from './anomaly-stream.js';
import { ChaosStack } from './chaos-stack.js';
import { chaosFailures, chaosTable, type FaultResult } from './chaos-table.js';
import {
  eventFromTheFuture, kafkaRestart, largestAcceptedValue, neo4jRestart, poisonAtSizeLimit, redisDataLoss, redisFrozen, sigkill,
  type ChaosContext, type Fault,
} from './faults.js';
import { FlowStream } from './flow-stream.js';
import { LedgerSampler } from './ledger-sampler.js';
import { PipelineObserver } from './pipeline-observer.js';
import { describeServiceBacklog, serviceBacklog, serviceSubscriptions } from './service-backlog.js';
import { ServiceFleet } from './service-fleet.js';

const VMS = 300;
const OPEN_PER_SECOND = 2;
const HOLD_MS = 2_000;
const FLOWS_PER_SECOND = 10;
/** After a fault is over, the pipeline must have caught up within this. */
const RECOVERY_DEADLINE_MS = 90_000;
/** The stream goes on this long after recovery, before the phase quiesces. */
const AFTER_RECOVERY_MS = 5_000;
/** Anomalies younger than this are in flight, not late, when recovery is judged. */
const IN_FLIGHT_MS = 1_500;

/** The faults, in order: the ones that leave the least behind first. */
const FAULTS: readonly Fault[] = [
  sigkill('topology-builder'),
  sigkill('propagation-scorer'),
  sigkill('allocator'),
  sigkill('learner'),
  kafkaRestart,
  neo4jRestart,
  redisFrozen,
  poisonAtSizeLimit(),
  eventFromTheFuture(),
  redisDataLoss,
];

/** CHAOS_FAULTS=<words>: only the faults whose name contains one of the comma-separated words (all when unset). */
function selectedFaults(): readonly Fault[] {
  const words = (process.env.CHAOS_FAULTS ?? '').split(',').map((w) => w.trim().toLowerCase()).filter((w) => w !== '');
  return words.length === 0 ? FAULTS : FAULTS.filter((f) => words.some((w) => f.name.toLowerCase().includes(w)));
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') throw new Error(`${name} is not set: run the suite with \`npm run test:chaos\` (it brings up its own stack)`);
  return value;
}

const add = (a: Resources, b: Resources): Resources => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB, networkMbps: a.networkMbps + b.networkMbps });
const ZERO: Resources = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
const EPS = 1e-6;
const same = (a: Resources, b: Resources): boolean => Math.abs(a.cpuMillis - b.cpuMillis) < EPS && Math.abs(a.memoryMiB - b.memoryMiB) < EPS && Math.abs(a.networkMbps - b.networkMbps) < EPS;

/** Each host's capacity minus what the inventory allocates on it: what the allocator may hand out. */
function headroomOf(world: World, inventory: readonly InventoryEvent[]): Map<string, Resources> {
  const used = new Map<string, Resources>();
  for (const e of inventory) used.set(e.hostId, add(used.get(e.hostId) ?? ZERO, e.allocation));
  return new Map(world.hosts.map((h) => {
    const u = used.get(h.id) ?? ZERO;
    return [h.id, { cpuMillis: Math.max(0, h.capacity.cpuMillis - u.cpuMillis), memoryMiB: Math.max(0, h.capacity.memoryMiB - u.memoryMiB), networkMbps: Math.max(0, h.capacity.networkMbps - u.networkMbps) }];
  }));
}

/** Per system, the VMs with the most callers in their own system (latency travels from callee to caller). */
function likeliestSources(world: World, perSystem: number): Map<string, string[]> {
  const systemOf = new Map(world.vms.map((v) => [v.id, v.systemId]));
  const callers = new Map<string, number>();
  for (const p of world.pathways) {
    if (p.kind === 'API_CALL' && systemOf.get(p.source) === systemOf.get(p.target)) callers.set(p.target, (callers.get(p.target) ?? 0) + 1);
  }
  const systems = [...new Set(world.vms.map((v) => v.systemId))].sort();
  return new Map(systems.map((s) => [s, world.vms.filter((v) => v.systemId === s)
    .sort((a, b) => (callers.get(b.id) ?? 0) - (callers.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1)).slice(0, perSystem).map((v) => v.id)]));
}

describe('chaos: the pipeline recovers by itself from each fault while anomalies stream', () => {
  const stack = new ChaosStack();
  const world = newTestWorld('chaos');
  const connection = (clientId: string): KafkaConnectionConfig => ({
    brokers: required('FORESIGHT_KAFKA_BROKERS').split(','), clientId, registry: { url: required('FORESIGHT_SCHEMA_REGISTRY_URL') },
  });
  const fleet = new ServiceFleet({
    FORESIGHT_TOPIC_PREFIX: world.topicPrefix,
    FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix,
    FORESIGHT_NEO4J_NAMESPACE: world.id,
    FORESIGHT_KAFKA_BROKERS: required('FORESIGHT_KAFKA_BROKERS'),
    FORESIGHT_SCHEMA_REGISTRY_URL: required('FORESIGHT_SCHEMA_REGISTRY_URL'),
    FORESIGHT_NEO4J_URI: required('FORESIGHT_NEO4J_URI'),
    FORESIGHT_REDIS_PORT: required('FORESIGHT_REDIS_PORT'),
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
    FORESIGHT_LEARNER_MIN_INCIDENTS: '100000',
  });
  const kafka = new Kafka({ clientId: 'chaos-suite', brokers: required('FORESIGHT_KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const graph = new Neo4jGraphStore({ uri: required('FORESIGHT_NEO4J_URI'), namespace: world.id });
  const state = new RedisStateStore({ port: Number(required('FORESIGHT_REDIS_PORT')), keyPrefix: world.keyPrefix });
  const observer = new PipelineObserver(world.groupId);
  let bus: KafkaBus | undefined;
  let prefixAdmin: KafkaPrefixAdmin | undefined;
  let sampler: LedgerSampler | undefined;
  let stream: AnomalyStream | undefined;
  let flowStream: FlowStream | undefined;

  after(async () => {
    // Each step bounded: a client left with a dead connection by a fault must not keep the suite from ending.
    const step = async (what: string, work: () => Promise<unknown> | undefined): Promise<void> => {
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.resolve(work()).then(() => 'done', (error: Error) => `failed: ${error.message}`),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('given up after 15 s'), 15_000))),
      ]);
      clearTimeout(timer);
      process.stderr.write(`[chaos] cleanup: ${what} ${outcome} in ${Date.now() - t0} ms\n`);
    };
    await step('streams and sampler', () => Promise.allSettled([stream?.pause(5_000), flowStream?.pause(5_000), sampler?.stop()]));
    await step('services', () => fleet.stop());
    await step('bus', () => bus?.close());
    await step('admin clients', () => Promise.allSettled([prefixAdmin?.close(), admin.disconnect()]));
    await step('stores', () => Promise.allSettled([graph.close(), state.close()]));
  });

  it('survives each fault with nothing lost, nothing granted twice, no host over capacity, every grant released and no lag', { timeout: 45 * 60_000 }, async (t) => {
    const started = Date.now();
    const note = (text: string): void => {
      const line = `${((Date.now() - started) / 1000).toFixed(1)}s ${text}`;
      t.diagnostic(line);
      // Also at once on stderr (the runner prints diagnostics when the test ends): a CI log shows where a run is.
      process.stderr.write(`[chaos] ${line}\n`);
    };
    try {
      // ---- the services and the suite's own clients ----
      fleet.start();
      await Promise.all([state.init(), admin.connect()]);
      await fleet.awaitReady();
      note('8 services ready');
      bus = await KafkaBus.connect({ connection: connection('chaos-suite'), topicPrefix: world.topicPrefix, maxWaitTimeMs: 100, topics: ['inventory', 'hosts', 'flows', 'anomalies', 'model'] });
      await observer.start(bus);
      await eventually('the probes to join', () => (bus?.health().ready === true ? true : undefined), 30_000);
      prefixAdmin = await KafkaPrefixAdmin.connect(connection('chaos-admin'), world.topicPrefix);

      // ---- the fleet: a tiered topology of a few hundred VMs on a few dozen hosts ----
      const now0 = Date.now();
      const fleetWorld = generateTopology({ vms: VMS, seed: 11, epoch: now0 });
      const inventory = inventoryEvents(fleetWorld, now0);
      const flows = flowEvents(fleetWorld, { seed: 11, until: now0, dropRate: 0 });
      await bus.publish('hosts', hostEvents(fleetWorld, now0));
      for (let i = 0; i < inventory.length; i += 500) await bus.publish('inventory', inventory.slice(i, i + 500));
      for (let i = 0; i < flows.length; i += 500) await bus.publish('flows', flows.slice(i, i + 500));
      const pathwayCount = new Set(flows.map((f) => `${f.source}|${f.target}|${f.kind}`)).size;
      const headroom = headroomOf(fleetWorld, inventory);
      await eventually('the graph to hold every VM and pathway', async () => {
        const stored = await graph.loadTopology();
        return stored.vms.length === VMS && stored.pathways.length === pathwayCount ? true : undefined;
      }, 90_000, 250);
      await eventually("the ledger to offer every host its headroom", async () => {
        const ledgers = await state.hostLedgers([...headroom.keys()]);
        return [...headroom.values()].every((room, i) => ledgers[i] !== undefined && same(ledgers[i].capacity, room)) ? true : undefined;
      }, 60_000, 250);
      // A model that grants on this fleet (the default's threshold is above what it scores here), as in the e2e test.
      const model = { ...defaultModel('foresight', now0), version: 2, parentVersion: 1, grantThreshold: 0.02, releaseThreshold: 0.01 };
      await bus.publish('model', [{ eventId: 'model:foresight:2', eventTime: now0, modelId: 'foresight', version: 2, parentVersion: 1, parametersJson: serialiseModel(model), metrics: {} }]);
      await eventually('the allocators to adopt model version 2', async () => ((await state.documents.get('allocator-model', 'foresight')) !== undefined ? true : undefined), 30_000);
      note(`topology of ${VMS} VMs, ${fleetWorld.hosts.length} hosts, ${pathwayCount} pathways in Neo4j and the ledger; model 2 adopted`);

      // The service groups the lag is read from must be every group the services made.
      const subscriptions = serviceSubscriptions(world.topicPrefix, fleet.scorerInstanceIds());
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(world.topicPrefix));
      assert.deepEqual(groups.filter((g) => !subscriptions.some((s) => s.groupId === g)), [], 'every consumer group of the services is watched for lag');

      // The largest record the broker takes (for the poison), on a scratch topic with the broker's defaults.
      const scratch = `${world.topicPrefix}chaos-size-probe`;
      await admin.createTopics({ topics: [{ topic: scratch, numPartitions: 1 }], waitForLeaders: true });
      const largestValueBytes = await largestAcceptedValue(kafka, scratch);
      note(`the broker takes records of up to ${largestValueBytes} bytes of value`);

      const ctx: ChaosContext = { stack, fleet, topicPrefix: world.topicPrefix, bus, kafka, admin, graph, ledger: state, headroom, flows, largestValueBytes };
      sampler = new LedgerSampler(state, headroom);
      sampler.start();
      stream = new AnomalyStream(bus, likeliestSources(fleetWorld, 4), (vmId, at) => observer.assessed(vmId, at), { openPerSecond: OPEN_PER_SECOND, holdMs: HOLD_MS, anomalyType: 'latency' });
      flowStream = new FlowStream(bus, flows, FLOWS_PER_SECOND);

      const results: FaultResult[] = [];
      const faults = selectedFaults();
      assert.ok(faults.length > 0, `no fault matches CHAOS_FAULTS=${process.env.CHAOS_FAULTS}`);
      for (const fault of faults) {
        const result = await runPhase(fault, ctx, stream, flowStream, sampler, prefixAdmin, subscriptions);
        results.push(result);
        note(`${fault.name}: ${result.failures.length === 0 ? 'survived' : 'FAILED'}, lasted ${result.faultSeconds.toFixed(1)} s, recovered ${result.recoverySeconds?.toFixed(1) ?? '-'} s after, ${result.anomalies} anomalies, ${result.lost} lost, ${result.duplicates} duplicates${result.failures.length > 0 ? `: ${result.failures.join('; ')}` : ''}`);
      }

      const table = chaosTable(results);
      const failures = chaosFailures(results);
      const report = `Chaos suite, ${new Date(started).toISOString()}: ${OPEN_PER_SECOND} OPEN anomalies/s (each resolved once assessed), ${FLOWS_PER_SECOND} flows/s, ${VMS} VMs, two processes per service; ${observer.grants.length} GRANTs, ${observer.redeliveredGrants} redelivered, ${sampler.samples} ledger samples (${sampler.failedSamples} failed while Redis was away), ${stream.publishFailures} anomaly publishes retried.\n\n${table}\n${failures === '' ? '' : `\nFailed checks:\n${failures}\n`}`;
      writeFileSync(join(stack.dir, 'chaos-report.md'), report);
      for (const line of report.split('\n')) t.diagnostic(line);
      assert.equal(failures, '', `every fault survived:\n${table}`);
    } catch (error) {
      process.stderr.write(`\n${fleet.logs(40)}\n`);
      throw error;
    }

    /** One fault: stream, inject, await recovery, then quiesce and check everything reconciles. */
    async function runPhase(
      fault: Fault, ctx: ChaosContext, anomalies: AnomalyStream, telemetry: FlowStream, ledger: LedgerSampler, lagAdmin: KafkaPrefixAdmin,
      subscriptions: ReturnType<typeof serviceSubscriptions>,
    ): Promise<FaultResult> {
      const failures: string[] = [];
      const phaseStart = Date.now();
      const samplesBefore = ledger.samples;
      const abandonedBefore = anomalies.abandoned;
      const ofPhase = () => anomalies.openedSince(phaseStart);
      const unassessed = (olderThan = Infinity) => ofPhase().filter((a) => a.publishedAt <= olderThan && !observer.assessed(a.event.subjectId, a.event.eventTime));
      const check = async (what: string, probe: () => Promise<string | undefined> | string | undefined, timeoutMs: number): Promise<void> => {
        let last: string | undefined;
        try {
          await eventually(what, async () => {
            last = await probe();
            return last === undefined ? true : undefined;
          }, failures.length > 0 ? Math.min(timeoutMs, 5_000) : timeoutMs, 200);
        } catch {
          failures.push(`${what}: ${last ?? 'timed out'}`);
        }
      };

      anomalies.resume();
      telemetry.resume();
      await check('the stream assessed before the fault', () => {
        const opened = ofPhase();
        return opened.length >= 3 && unassessed().length === 0 ? undefined : `${opened.length} published, ${unassessed().length} not assessed`;
      }, 60_000);

      const injectedAt = Date.now();
      try {
        await fault.inject(ctx);
      } catch (error) {
        failures.push(`injecting the fault failed: ${(error as Error).message}`);
      }
      const restoredAt = Date.now();
      let recoverySeconds: number | undefined;
      let pending = '';
      try {
        const at = await eventually(`recovery from ${fault.name}`, async () => {
          const now = Date.now();
          const missing: string[] = [];
          const late = unassessed(now - IN_FLIGHT_MS);
          if (late.length > 0) missing.push(`${late.length} OPEN anomalies not assessed`);
          if (!anomalies.openedSince(restoredAt).some((a) => observer.assessed(a.event.subjectId, a.event.eventTime))) missing.push('no anomaly published after the fault assessed');
          if (observer.grantsOfIncidentsSince(restoredAt) === 0) missing.push('no GRANT for an incident opened after the fault');
          const own = await fault.pending?.(ctx);
          if (own !== undefined) missing.push(own);
          const next = missing.join('; ');
          if (next !== pending && next !== '') process.stderr.write(`[chaos] ${((now - restoredAt) / 1000).toFixed(1)}s after ${fault.name}: ${next}\n`);
          pending = next;
          return missing.length === 0 ? now : undefined;
        }, RECOVERY_DEADLINE_MS, 200);
        recoverySeconds = (at - restoredAt) / 1000;
      } catch {
        failures.push(`not recovered within ${RECOVERY_DEADLINE_MS / 1000} s after the fault: ${pending}`);
      }
      // A little more of the steady stream after recovery, then quiesce: stop opening anomalies, resolve them all.
      await new Promise((resolve) => setTimeout(resolve, AFTER_RECOVERY_MS));
      await anomalies.pause();
      await telemetry.pause();
      await check('every OPEN anomaly assessed', () => (unassessed().length === 0 ? undefined : `${unassessed().length} of ${ofPhase().length} not assessed, e.g. ${unassessed().slice(0, 3).map((a) => a.event.eventId).join(', ')}`), 30_000);
      const lost = unassessed().length;
      await anomalies.resolveAll();
      await check('every incident CLOSED once its anomalies resolved', () => {
        const open = observer.openIncidents();
        return open.length === 0 ? undefined : `${open.length} incidents never closed, e.g. ${open.slice(0, 3).join(', ')}`;
      }, 60_000);
      await check('every GRANT of a closed incident released', () => {
        const left = observer.unreleasedOfClosed();
        return left.length === 0 ? undefined : `${left.length} GRANTs never released, e.g. ${left.slice(0, 3).join(', ')}`;
      }, 30_000);
      // Every anomaly resolved, every incident should be closed: a GRANT still active is one no RELEASE will follow.
      await check('no GRANT left active once every anomaly resolved', () => {
        const left = observer.activeLeases();
        return left.length === 0 ? undefined : `${left.length} GRANTs active, e.g. ${left.slice(0, 3).join(', ')}`;
      }, 5_000);
      const unreleased = observer.activeLeases().length;
      await check('consumer lag back to 0', async () => {
        const backlog = await serviceBacklog(lagAdmin, subscriptions);
        return backlog.length === 0 ? undefined : describeServiceBacklog(backlog, world.topicPrefix);
      }, 30_000);
      await check('the ledger holds no reservation once every incident closed', async () => {
        const held = await ctx.ledger.countActiveReservations();
        return held === 0 ? undefined : `${held} reservations left`;
      }, 15_000);
      if (fault.pending !== undefined) await check(`${fault.name}: still recovered at the end`, () => fault.pending!(ctx), 5_000);
      if (anomalies.abandoned > abandonedBefore) failures.push(`${anomalies.abandoned - abandonedBefore} anomaly events could not be published (the broker did not come back)`);
      const exited = await fleet.restartExited().catch((error: Error) => [`(restarting them failed: ${error.message})`]);
      if (exited.length > 0) failures.push(`service processes exited on their own (restarted by the supervisor for the next fault): ${exited.join(', ')}`);
      const duplicates = observer.duplicates.filter((d) => d.at >= phaseStart);
      if (duplicates.length > 0) failures.push(`${duplicates.length} duplicate GRANTs, e.g. ${duplicates.slice(0, 3).map((d) => d.detail).join(', ')}`);
      const over = ledger.violationsSince(phaseStart);
      const overSamples = ledger.samplesOverCapacitySince(phaseStart);
      if (over.length > 0) failures.push(`${overSamples} ledger samples over capacity, e.g. ${over.slice(0, 3).map((o) => o.detail).join(', ')}`);
      return {
        fault: fault.name, anomalies: ofPhase().length, lost, duplicates: duplicates.length, overCapacity: overSamples, samples: ledger.samples - samplesBefore,
        unreleased, faultSeconds: (restoredAt - injectedAt) / 1000, recoverySeconds, failures,
      };
    }
  });
});
