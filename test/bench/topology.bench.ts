// `npm run bench -- topology [--json] [--vms N] [--pathways P] [--steady-windows K] [--changes C] [--snapshot-interval MS] [--inventory-sample N]`: the topology path
// through the real stack (Kafka, registry, Neo4j, Redis), with the services as child processes.
// 0. The hosts and VMs are written straight into Neo4j (what the builder loads at start); the builder's own
//    write-through of inventory (one Neo4j write and publish per changed VM) is measured on INVENTORY_SAMPLE changes
//    (--inventory-sample N; the whole fleet's inventory through the builder with N = --vms).
// 1. A `foresight run topology-builder` process takes one flow window per pathway (the initial load: every pathway is
//    new, so every one is written), then K more windows repeating those measurements × 2% noise (the steady phase:
//    few changes are meaningful, few pathways are written). Each window ends at the wall clock of its publish. A phase
//    is timed from its first publish until the builder's group has no lag on `flows` and its
//    foresight.topology.unflushed gauge is 0 (every change written to Neo4j and published). flowsPerSec = flow windows
//    per second over the steady windows after the first (the first repeat may still rewrite pathways whose faded
//    features moved while the initial load was behind).
// 2. scorerColdStartMs: a `foresight run propagation-scorer` process is spawned on that graph and an anomaly is
//    published at once; the figure is spawn → the anomaly's first OPEN risk assessment consumed (the scorer loaded the
//    topology from Neo4j, compiled its snapshot, joined its groups and scored). Spawn → /readyz 200 is printed as well.
// 3. changeToScorer: C times, a new pathway (an API_CALL between two VMs of different systems that have none) is
//    published as one flow window; then an anomaly on its source is published every PROBE_EVERY_MS, each of its own
//    anomaly type (its own incident), until an OPEN risk assessment of one of them names the target at risk. The
//    latency is the flow's publish → that assessment's consumption (the builder flushed it to Neo4j and
//    topology-changes, the scorer applied it and scoring used a snapshot holding it). Before each change an anomaly on
//    the source is scored once and must not name the target already (else another pair is drawn).
// Everything (topics, Neo4j namespace, Redis keys) lives under this run's own prefix and is dropped at the end.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { topicFor, type AnomalyEvent, type FlowEvent, type RiskAssessment } from '@foresight/contracts';
import { SeededRandom } from '@foresight/core';
import { KafkaBus, consumerOf } from '@foresight/messaging';
import { flowEvents, generateTopology, inventoryEvents, type World } from '@foresight/sim';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { rawKafka, stackConnection } from '../integration/fixtures/messaging-stack.js';
import { cpuSecondsOf, stackPids } from './process-cpu.js';
import { dropBenchWorld, numericOption, percentile, progressLog, round, sleep, until } from './bench-kit.js';
import { awaitReady, describeLogs, freePort, startService, stopService, type ServiceProcess } from '../integration/fixtures/service-processes.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => numericOption(args, name, fallback);
const json = args.includes('--json');
const VMS = option('vms', 100_000);
const PATHWAYS = option('pathways', 10 * VMS);
const STEADY_WINDOWS = Math.max(2, option('steady-windows', 3));
const CHANGES = option('changes', 60);
const WINDOW_MS = 60_000;
const STEADY_NOISE = 0.02;
const PUBLISH_CHUNK = 1000;
const PUBLISH_IN_FLIGHT = 4;
const PROBE_EVERY_MS = 250;
const CHANGE_GIVE_UP_MS = 30_000;
/** --inventory-sample N: how many VMs' inventory changes go through the builder in the write-through phase (at most the fleet). */
const INVENTORY_SAMPLE = option('inventory-sample', 100);
/** --snapshot-interval MS: the scorer's FORESIGHT_SNAPSHOT_MIN_INTERVAL (its recompile throttle); default: the service's. */
const SNAPSHOT_INTERVAL = args.indexOf('--snapshot-interval') >= 0 ? `${option('snapshot-interval', 5000)}ms` : undefined;

const id = randomUUID().slice(0, 8);
const prefix = `bench.topology.${id}.`;
const keyPrefix = `bench:topology:${id}:`;
const namespace = `bench-topology-${id}`;
const log = progressLog(json);

/**
 * The fleet: generateTopology's default fleet has about 8 pathways per VM; when --pathways asks for more, mesh flows
 * (extra NETWORK flows from every VM to random VMs, TopologyShape.meshFlowsPerVm) are added, then the list is cut to
 * exactly --pathways.
 */
function fleetOf(vms: number, pathways: number): World {
  const base = generateTopology({ vms, seed: 5 });
  const world = base.pathways.length >= pathways ? base : generateTopology({ vms, seed: 5, shape: { meshFlowsPerVm: Math.ceil((pathways - base.pathways.length) / base.vms.length) } });
  return { ...world, pathways: world.pathways.slice(0, pathways) };
}

/** Sums of a Prometheus counter by one label, from a service's /metrics. */
async function counterBy(port: number | undefined, metric: string, label: string): Promise<Record<string, number>> {
  if (port === undefined) return {};
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  const pattern = new RegExp(`^${metric}(?:_total)?\\{([^}]*)\\} ([0-9.e+-]+)$`, 'gm');
  for (const m of text.matchAll(pattern)) {
    const value = new RegExp(`${label}="([^"]+)"`).exec(m[1])?.[1] ?? '';
    out[value] = (out[value] ?? 0) + Number(m[2]);
  }
  return out;
}

const env: Record<string, string> = {
  FORESIGHT_TOPIC_PREFIX: prefix,
  FORESIGHT_REDIS_KEY_PREFIX: keyPrefix,
  FORESIGHT_NEO4J_NAMESPACE: namespace,
  FORESIGHT_INSTANCE_ID: 'bench',
  FORESIGHT_LOG_LEVEL: 'warn',
  FORESIGHT_TICK_INTERVAL: '500ms',
  FORESIGHT_KAFKA_MAX_WAIT: '100ms',
  FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '1s',
};

const services: ServiceProcess[] = [];
const bus = await KafkaBus.connect({ connection: stackConnection('bench-topology'), topicPrefix: prefix, maxWaitTimeMs: 100, topics: ['inventory', 'hosts', 'flows', 'anomalies', 'risk', 'topology-changes'] });
const graph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace });
const state = new RedisStateStore({ keyPrefix });
const admin = rawKafka('bench-topology-admin').admin();
let failed = false;
try {
  await state.init();
  await admin.connect();
  const t0 = performance.now();
  const fleet = fleetOf(VMS, PATHWAYS);
  log(`fleet: ${fleet.vms.length} VMs, ${fleet.hosts.length} hosts, ${fleet.pathways.length} pathways (${round(fleet.pathways.length / fleet.vms.length, 2)} per VM), generated in ${Math.round(performance.now() - t0)} ms`);

  // The inventory and hosts are preloaded into the graph store (what the builder loads at start): written through one
  // event at a time they would take hours at this scale (see the inventory phase below for that rate).
  const preloadBegin = performance.now();
  await graph.init();
  await graph.upsertHosts(fleet.hosts.map((h) => ({ hostId: h.id, capacity: h.capacity })));
  for (let i = 0; i < fleet.vms.length; i += 5000) await graph.upsertVms(fleet.vms.slice(i, i + 5000));
  log(`preloaded ${fleet.hosts.length} hosts and ${fleet.vms.length} VMs into Neo4j in ${Math.round(performance.now() - preloadBegin)} ms`);

  const builderSpawnedAt = performance.now();
  const builder = startService('foresight run topology-builder', 'topology-builder', { ...env, FORESIGHT_HTTP_PORT: String(await freePort()) });
  services.push(builder);
  await awaitReady(builder, 600_000);
  log(`topology-builder ready after ${Math.round(performance.now() - builderSpawnedAt)} ms`);
  const builderPid = builder.child.pid;
  const stack = stackPids();

  const lag = async (group: string, topic: 'flows' | 'inventory' | 'hosts' | 'topology-changes'): Promise<number> => {
    const full = topicFor(prefix, topic);
    const ends = await admin.fetchTopicOffsets(full);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [full] });
    return ends.reduce((sum, end) => sum + Number(end.offset) - Math.max(0, Number(committed.partitions.find((p) => p.partition === end.partition)?.offset ?? 0)), 0);
  };
  const builderGroup = `${prefix}topology-builder`;
  const writes = async (): Promise<Record<string, number>> => counterBy(builder.port(), 'foresight_topology_writes', 'kind');
  const unflushed = async (): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${builder.port()}/metrics`)).text();
    const m = /^foresight_topology_unflushed(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
    if (m === null) throw new Error('the builder exports no foresight_topology_unflushed gauge');
    return Number(m[1]);
  };

  /** Publishes `events` in chunks, PUBLISH_IN_FLIGHT chunks at a time; resolves with the publish time in ms. */
  const publishAll = async (topic: 'flows' | 'inventory' | 'hosts', events: readonly object[]): Promise<number> => {
    const begin = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < events.length; i += PUBLISH_CHUNK) {
      const sent: Promise<void> = bus.publish(topic, events.slice(i, i + PUBLISH_CHUNK) as never).then(() => { inFlight.delete(sent); });
      inFlight.add(sent);
      if (inFlight.size >= PUBLISH_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return performance.now() - begin;
  };

  /**
   * Publishes events and waits until the builder has handled them all (its group's lag on the topic is 0) and has
   * written and published every change they made (its foresight.topology.unflushed gauge is 0): the phase's end.
   */
  const phase = async (name: string, topic: 'flows' | 'inventory' | 'hosts', events: readonly object[]) => {
    const before = await writes();
    const cpuBefore = { builder: cpuSecondsOf(builderPid), neo4j: cpuSecondsOf(stack.neo4j), kafka: cpuSecondsOf(stack.kafka) };
    const begin = performance.now();
    const publishMs = await publishAll(topic, events);
    await until(`the builder to take the ${name}`, async () => {
      if (builder.child.exitCode !== null || builder.child.signalCode !== null) throw new Error('the topology-builder exited');
      return (await lag(builderGroup, topic)) === 0 && (await unflushed()) === 0;
    }, 3_600_000, 100);
    const ms = performance.now() - begin;
    const after = await writes();
    const cpu = Object.fromEntries(Object.entries(cpuBefore).map(([k, v]) => {
      const now = cpuSecondsOf(k === 'builder' ? builderPid : stack[k]);
      return [k, v === undefined || now === undefined ? Number.NaN : round(now - v, 2)];
    }));
    const written = Object.fromEntries(Object.keys(after).filter((k) => (after[k] ?? 0) !== (before[k] ?? 0)).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
    const result = { phase: name, events: events.length, ms: Math.round(ms), perSec: round(events.length / (ms / 1000)), publishMs: Math.round(publishMs), written, cpuSeconds: cpu };
    log(`${name}: ${events.length} events in ${result.ms} ms (${result.perSec}/s; published in ${result.publishMs} ms), written ${JSON.stringify(written)}, CPU s ${JSON.stringify(cpu)}`);
    return result;
  };

  // Inventory write-through: INVENTORY_SAMPLE VMs change criticality, one flush (Neo4j write + publish) each.
  const inventoryPhase = await phase('inventory changes', 'inventory', inventoryEvents(fleet, Date.now()).slice(0, INVENTORY_SAMPLE)
    .map((e, i) => ({ ...e, eventId: `inv-change-${i}`, criticality: Math.min(1, e.criticality + 0.05) })));

  // The initial load: one window per pathway, every one new. Then the steady windows: the same measurements × 2%
  // noise. Each window ends at the wall clock of its publish (as a collector stamps a window it just closed).
  const windows = [];
  const initialFlows = flowEvents(fleet, { seed: 1, until: Date.now(), windows: 1, dropRate: 0, windowMs: WINDOW_MS });
  windows.push(await phase('initial window', 'flows', initialFlows.map((f, i) => ({ ...f, eventId: `flow-0-${i}` }))));
  const noise = new SeededRandom(7);
  const repeat = (v: number): number => v * Math.exp(STEADY_NOISE * noise.normal());
  for (let w = 1; w <= STEADY_WINDOWS; w++) {
    const end = Date.now();
    const flows = initialFlows.map((f, i): FlowEvent => {
      const p50 = repeat(f.latencyP50Ms);
      return {
        ...f, eventId: `flow-${w}-${i}`, eventTime: end, windowStart: end - WINDOW_MS, windowEnd: end, bandwidthMbps: repeat(f.bandwidthMbps),
        callsPerSec: repeat(f.callsPerSec), latencyP50Ms: p50, latencyP99Ms: Math.max(p50, repeat(f.latencyP99Ms)), errorRate: Math.min(1, repeat(f.errorRate)),
      };
    });
    windows.push(await phase(`steady window ${w}`, 'flows', flows));
  }
  initialFlows.length = 0;
  const stored = await graph.loadTopology();
  log(`Neo4j holds ${stored.vms.length} VMs and ${stored.pathways.length} pathways`);
  if (stored.pathways.length !== fleet.pathways.length || stored.vms.length !== fleet.vms.length) throw new Error(`the graph holds ${stored.vms.length} VMs / ${stored.pathways.length} pathways, expected ${fleet.vms.length} / ${fleet.pathways.length}`);
  const storedPathways = new Set(stored.pathways.map((p) => `${p.source}|${p.target}`));

  // Risk assessments, by incident.
  const assessments = new Map<string, { at: number; atRisk: Set<string> }>();
  await bus.startConsumers([consumerOf({
    topic: 'risk', groupId: `${prefix}probe-risk`,
    handle: (risk: RiskAssessment) => {
      if (risk.status === 'OPEN' && !assessments.has(risk.incidentId)) assessments.set(risk.incidentId, { at: performance.now(), atRisk: new Set(risk.atRisk.map((e) => e.vmId)) });
      return Promise.resolve();
    },
  })]);
  await until('the risk probe to join', () => bus.health().ready, 60_000);

  let sequence = 0;
  const vmById = new Map(fleet.vms.map((vm) => [vm.id, vm]));
  const open: AnomalyEvent[] = [];
  const anomaly = (vmId: string, label: string): AnomalyEvent => {
    const at = Date.now();
    const vm = vmById.get(vmId);
    if (vm === undefined) throw new Error(`unknown VM ${vmId}`);
    const eventId = `${label}-${sequence++}`;
    return { eventId, eventTime: at, systemId: vm.systemId, level: 'COMPONENT', subjectId: vmId, anomalyType: `bench_${eventId}`, severity: 0.8, state: 'OPEN', detectedAt: at, attributes: {} };
  };
  const publishAnomaly = async (event: AnomalyEvent): Promise<string> => {
    open.push(event);
    await bus.publish('anomalies', [event]);
    return `incident:${event.eventId}`;
  };
  const resolveOpen = async (): Promise<void> => {
    const batch = open.splice(0).map((e) => ({ ...e, eventId: `${e.eventId}-resolved`, state: 'RESOLVED' as const, eventTime: Date.now(), detectedAt: Date.now() }));
    if (batch.length > 0) await bus.publish('anomalies', batch);
  };

  // The scorer's cold start on the fleet: spawn → first OPEN assessment of an anomaly published right after the spawn.
  const random = new SeededRandom(11);
  const sourcesWithPathways = [...new Set(fleet.pathways.filter((p) => p.kind === 'API_CALL').map((p) => p.target))];
  const coldVm = sourcesWithPathways[random.int(sourcesWithPathways.length)];
  const spawnedAt = performance.now();
  const scorer = startService('foresight run propagation-scorer', 'propagation-scorer', {
    ...env, FORESIGHT_HTTP_PORT: String(await freePort()), ...(SNAPSHOT_INTERVAL === undefined ? {} : { FORESIGHT_SNAPSHOT_MIN_INTERVAL: SNAPSHOT_INTERVAL }),
  });
  services.push(scorer);
  const coldIncident = await publishAnomaly(anomaly(coldVm, 'cold'));
  let readyAt: number | undefined;
  const readyWatch = awaitReady(scorer, 600_000).then(() => { readyAt = performance.now(); });
  await until('the cold-start anomaly to be scored', () => {
    if (scorer.child.exitCode !== null) throw new Error('the scorer exited');
    return assessments.has(coldIncident);
  }, 600_000);
  await readyWatch;
  const scorerColdStartMs = Math.round((assessments.get(coldIncident)?.at ?? Number.NaN) - spawnedAt);
  const scorerReadyMs = Math.round((readyAt ?? Number.NaN) - spawnedAt);
  log(`scorer cold start: ready (/readyz 200) after ${scorerReadyMs} ms, first risk assessment after ${scorerColdStartMs} ms (${assessments.get(coldIncident)?.atRisk.size} at risk)`);
  await resolveOpen();
  // The scorer replays the retained topology-changes through its own group: let it catch up before the changes.
  await until('the scorer to follow topology-changes', async () => (await lag(`${prefix}propagation-scorer.bench`, 'topology-changes')) === 0, 600_000, 200);

  // Topology changes → the scorer: a new pathway per change, published as one flow window.
  const scoreOnce = async (vmId: string, label: string): Promise<Set<string> | undefined> => {
    const incident = await publishAnomaly(anomaly(vmId, label));
    await until('a probe assessment', () => assessments.has(incident), 30_000).catch(() => undefined);
    return assessments.get(incident)?.atRisk;
  };
  const changeLatencies: number[] = [];
  let redrawn = 0;
  let missed = 0;
  while (changeLatencies.length + missed < CHANGES) {
    const a = fleet.vms[random.int(fleet.vms.length)];
    const b = fleet.vms[random.int(fleet.vms.length)];
    if (a.systemId === b.systemId || storedPathways.has(`${a.id}|${b.id}`) || storedPathways.has(`${b.id}|${a.id}`)) continue;
    const before = await scoreOnce(a.id, 'pre');
    await resolveOpen();
    if (before === undefined || before.has(b.id)) {
      redrawn++;
      continue;
    }
    storedPathways.add(`${a.id}|${b.id}`);
    const now = Date.now();
    const flow: FlowEvent = {
      eventId: `change-${changeLatencies.length + missed}`, eventTime: now, source: a.id, target: b.id, kind: 'API_CALL', windowStart: now - WINDOW_MS, windowEnd: now,
      bandwidthMbps: 50, callsPerSec: 2000, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.05,
    };
    const publishedAt = performance.now();
    await bus.publish('flows', [flow]);
    const probes: string[] = [];
    let seenAt: number | undefined;
    while (seenAt === undefined && performance.now() - publishedAt < CHANGE_GIVE_UP_MS) {
      probes.push(await publishAnomaly(anomaly(a.id, 'probe')));
      await sleep(PROBE_EVERY_MS);
      for (const incident of probes) {
        const got = assessments.get(incident);
        if (got?.atRisk.has(b.id) === true && (seenAt === undefined || got.at < seenAt)) seenAt = got.at;
      }
    }
    if (seenAt === undefined) missed++;
    else changeLatencies.push(seenAt - publishedAt);
    await resolveOpen();
  }
  log(`changes → scorer: ${changeLatencies.length} seen, ${missed} not within ${CHANGE_GIVE_UP_MS} ms, ${redrawn} pairs redrawn (target already at risk); p50 ${round(percentile(changeLatencies, 0.5))} ms, p99 ${round(percentile(changeLatencies, 0.99))} ms`);

  const steady = windows.slice(2);
  const steadyFlows = steady.reduce((sum, w) => sum + w.events, 0);
  const steadyMs = steady.reduce((sum, w) => sum + w.ms, 0);
  const result = {
    benchmark: 'topology', scorerSnapshotMinInterval: SNAPSHOT_INTERVAL ?? 'default (5s)', vms: fleet.vms.length, hosts: fleet.hosts.length, pathways: fleet.pathways.length,
    flowsPerSec: round(steadyFlows / (steadyMs / 1000)),
    // The builder's CPU per steady flow window (from /proc): what it costs whatever else shares the cores.
    steadyBuilderCpuUsPerFlow: round((1e6 * steady.reduce((sum, w) => sum + (w.cpuSeconds.builder ?? Number.NaN), 0)) / steadyFlows, 1),
    initialFlowsPerSec: windows[0].perSec,
    firstRepeatFlowsPerSec: windows[1].perSec,
    scorerColdStartMs, scorerReadyMs,
    changeToScorerP50Ms: round(percentile(changeLatencies, 0.5)), changeToScorerP99Ms: round(percentile(changeLatencies, 0.99)), changeToScorerMaxMs: round(Math.max(...changeLatencies)),
    changes: changeLatencies.length, changesMissed: missed,
    inventoryWriteThroughPerSec: inventoryPhase.perSec,
    phases: [inventoryPhase, ...windows],
  };
  const rows: [string, string][] = [
    ['topology', `${result.vms} VMs, ${result.hosts} hosts, ${result.pathways} pathways`],
    ...result.phases.map((p): [string, string] => [`  ${p.phase}`, `${p.events} in ${p.ms} ms = ${p.perSec}/s, written ${JSON.stringify(p.written)}, CPU s ${JSON.stringify(p.cpuSeconds)}`]),
    ['flowsPerSec (steady windows 2..K)', `${result.flowsPerSec}`],
    ['builder CPU per steady flow', `${result.steadyBuilderCpuUsPerFlow} µs`],
    ['initial load flows/s', `${result.initialFlowsPerSec}`],
    ['scorerColdStartMs (spawn → first assessment)', `${result.scorerColdStartMs} (ready after ${result.scorerReadyMs})`],
    ['changeToScorer p50 / p99 / max', `${result.changeToScorerP50Ms} / ${result.changeToScorerP99Ms} / ${result.changeToScorerMaxMs} ms over ${result.changes} changes (${missed} missed)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  failed = true;
  process.stderr.write(`${describeLogs(services, 60)}\n${String((error as Error).stack ?? error)}\n`);
} finally {
  await Promise.all(services.map((service) => stopService(service, 15_000)));
  await bus.close();
  await admin.disconnect().catch(() => undefined);
  await dropBenchWorld('bench-topology-cleanup', prefix, graph, state);
}
process.exit(failed ? 1 : 0);
