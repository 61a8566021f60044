// Issue 17: OpenTelemetry end to end on the real stack, no Foresight code on the producers' side. The demo shop's
// instrumented Node services (apps/otel-demo, each its own process with the OpenTelemetry SDK) under a paced load
// export spans and metrics over OTLP/HTTP: run 1 through a Collector process of the test's own (the stack's built
// binary, own ports and topic prefix) to Kafka <prefix>otlp_spans / otlp_metrics, consumed by the telemetry-gateway
// process; run 2 straight to the gateway's OTLP/HTTP receiver. The gateway publishes inventory, hosts and flows (the
// real call edges) and, from its built-in detector, anomalies; topology-builder, propagation-scorer and allocator
// (processes, `foresight run`) turn a latency fault injected into cart (its fault switch) into risk for its caller
// frontend along the edge frontend → cart, and grants. Each run owns its topic prefix, group, key prefix, graph
// namespace and system (service.namespace); every step awaits an event.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AllocationCommand, AnomalyEvent, FlowEvent, RiskAssessment } from '@foresight/contracts';
import { defaultModel, serialiseModel } from '@foresight/core';
import { consumerOf, KafkaBus } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { eventually, newTestWorld, type TestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { startCollector, type CollectorProcess } from './fixtures/otel-collector.js';
import { awaitReady, describeLogs, freePort, startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';
import { provisionTopics, revokeTopics, serviceCredentials, stackNeo4j, stackRedis } from './fixtures/stack-access.js';

const SHOP_MAIN = fileURLToPath(new URL('../../../apps/otel-demo/dist/src/service-main.js', import.meta.url));
/** The demo's shop, callees first: frontend → cart, catalog → db. */
const SHOP = [
  { name: 'db', calls: [] as { name: string; kind: 'http' | 'db' }[] },
  { name: 'cart', calls: [{ name: 'db', kind: 'db' as const }] },
  { name: 'catalog', calls: [{ name: 'db', kind: 'db' as const }] },
  { name: 'frontend', calls: [{ name: 'cart', kind: 'http' as const }, { name: 'catalog', kind: 'http' as const }] },
];
const RATE_PER_SEC = 40;
const WARM_UP_WINDOWS = 5;

interface ShopProcess { readonly name: string; readonly child: ChildProcess; readonly url: string; readonly lines: string[] }

/** One shop service process (the demo's own entry point) exporting to `endpoint`; awaits its ready line. */
function startShop(name: string, downstreams: string, namespace: string, endpoint: string): Promise<ShopProcess> {
  const child = spawn(process.execPath, [SHOP_MAIN], {
    env: { ...process.env, OTEL_DEMO_SERVICE: name, OTEL_DEMO_NAMESPACE: namespace, OTEL_DEMO_DOWNSTREAMS: downstreams, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${lines.join('\n')}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l !== '')) {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        if (line.startsWith('{"event":"ready"')) {
          clearTimeout(timer);
          resolve({ name, child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, lines });
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${lines.join('\n')}`));
    });
  });
}

async function stopShop(shop: ShopProcess): Promise<void> {
  if (shop.child.exitCode !== null || shop.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => shop.child.once('exit', () => resolve()));
  shop.child.kill('SIGTERM');
  const timer = setTimeout(() => shop.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A paced load on the frontend (every 25 ms, at most 32 requests open); stop() awaits what is in flight. */
function startLoad(url: string): { stop(): Promise<void>; sent(): number } {
  const open = new Set<Promise<void>>();
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < RATE_PER_SEC / 40; i += 1) {
      if (open.size >= 32) return;
      sent += 1;
      const request = fetch(url, { signal: AbortSignal.timeout(5_000) }).then((r) => r.arrayBuffer()).then(() => undefined, () => undefined);
      open.add(request);
      void request.finally(() => open.delete(request));
    }
  }, 1_000 / 40);
  return { sent: () => sent, stop: async () => { clearInterval(timer); await Promise.all([...open]); } };
}

async function setFault(shop: ShopProcess, body: object | undefined): Promise<void> {
  const response = await fetch(`${shop.url}/admin/fault`, {
    method: body === undefined ? 'DELETE' : 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  assert.ok(response.ok, `${shop.name} fault switch: ${response.status} ${await response.text()}`);
}

/** One run: shop → (Collector → Kafka | OTLP/HTTP) → gateway → pipeline; the fault in cart gets frontend a grant. */
async function endToEnd(t: TestContext, world: TestWorld, via: 'collector' | 'http'): Promise<void> {
  const started = Date.now();
  const phase = (name: string): void => t.diagnostic(`${via}: ${((Date.now() - started) / 1000).toFixed(1)}s ${name}`);
  const namespace = world.id;
  const kafka = rawKafka(`otel-e2e-${world.id}`);
  const graph = new Neo4jGraphStore({ ...stackNeo4j(), namespace });
  const state = new RedisStateStore({ ...stackRedis(), keyPrefix: world.keyPrefix });
  const services: ServiceProcess[] = [];
  const shops: ShopProcess[] = [];
  let collector: CollectorProcess | undefined;
  let bus: KafkaBus | undefined;
  let load: ReturnType<typeof startLoad> | undefined;
  const vm = (service: string): string => `${namespace}-${service}-vm`;
  try {
    await provisionTopics(world.topicPrefix);
    const env = {
      FORESIGHT_TOPIC_PREFIX: world.topicPrefix, FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix, FORESIGHT_NEO4J_NAMESPACE: namespace,
      FORESIGHT_HTTP_PORT: '0', FORESIGHT_LOG_LEVEL: 'info', FORESIGHT_SHUTDOWN_TIMEOUT: '5s', FORESIGHT_TICK_INTERVAL: '200ms',
      FORESIGHT_KAFKA_SESSION_TIMEOUT: '6s', FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '500ms', FORESIGHT_KAFKA_MAX_WAIT: '100ms', FORESIGHT_KAFKA_PARTITIONS: '1',
      FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '100ms', FORESIGHT_SNAPSHOT_MIN_INTERVAL: '0ms',
      FORESIGHT_ALLOCATOR_BUDGET_CPU_MILLIS: '100000000', FORESIGHT_ALLOCATOR_BUDGET_MEMORY_MIB: '100000000', FORESIGHT_ALLOCATOR_BUDGET_NETWORK_MBPS: '100000000',
      FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE: '100000',
    };
    const otlpPort = await freePort();
    if (via === 'collector') collector = await startCollector({ topicPrefix: world.topicPrefix, brokers: stackConnection(world.id).brokers.join(',') });
    for (const service of ['topology-builder', 'propagation-scorer', 'allocator']) {
      services.push(startService(`${service} ${world.id}`, service, { ...env, ...serviceCredentials(service) }));
    }
    services.push(startService(`telemetry-gateway ${world.id}`, 'telemetry-gateway', {
      ...env,
      FORESIGHT_GATEWAY_SPANS_TOPIC: via === 'collector' ? `${world.topicPrefix}otlp_spans` : '',
      FORESIGHT_GATEWAY_METRICS_TOPIC: via === 'collector' ? `${world.topicPrefix}otlp_metrics` : '',
      FORESIGHT_GATEWAY_GROUP: `${world.groupId}-gateway`, FORESIGHT_GATEWAY_HTTP_PORT: String(otlpPort),
      FORESIGHT_GATEWAY_WINDOW: '1s', FORESIGHT_GATEWAY_PAIRING_WAIT: '500ms',
      FORESIGHT_GATEWAY_DETECTOR: 'on', FORESIGHT_GATEWAY_DETECTOR_WARMUP: String(WARM_UP_WINDOWS),
    }));
    await Promise.all(services.map((s) => awaitReady(s, 90_000)));
    phase(`services ready${collector === undefined ? '' : ', Collector ready'}`);

    bus = await KafkaBus.connect({ connection: stackConnection(`otel-e2e-probe-${world.id}`), topicPrefix: world.topicPrefix, maxWaitTimeMs: 100, topics: ['flows', 'anomalies', 'model'] });
    const flows: FlowEvent[] = [];
    const anomalies: AnomalyEvent[] = [];
    const risks: RiskAssessment[] = [];
    const commands: AllocationCommand[] = [];
    const into = <T>(list: T[]) => (m: T): Promise<void> => { list.push(m); return Promise.resolve(); };
    await bus.startConsumers([
      consumerOf({ topic: 'flows', groupId: `${world.groupId}.flows`, handle: into(flows) }),
      consumerOf({ topic: 'anomalies', groupId: `${world.groupId}.anomalies`, handle: into(anomalies) }),
      consumerOf({ topic: 'risk', groupId: `${world.groupId}.risk`, handle: into(risks) }),
      consumerOf({ topic: 'allocations', groupId: `${world.groupId}.allocations`, handle: into(commands) }),
    ]);
    await eventually('the probes to join', () => (bus?.health().ready === true ? true : undefined), 30_000);
    // The default model grants above 0.3; publish a version that grants on this small shop, as an operator would.
    const now0 = Date.now();
    const model = { ...defaultModel('foresight', now0), version: 2, parentVersion: 1, grantThreshold: 0.02, releaseThreshold: 0.01 };
    await bus.publish('model', [{ eventId: 'model:foresight:2', eventTime: now0, modelId: 'foresight', version: 2, parentVersion: 1, parametersJson: serialiseModel(model), metrics: {} }]);

    // ---- the shop, exporting to the Collector or to the gateway, under load ----
    const endpoint = collector?.httpUrl ?? `http://127.0.0.1:${otlpPort}`;
    for (const node of SHOP) {
      const downstreams = node.calls.map((c) => `${c.name}=${c.kind}=${shops.find((s) => s.name === c.name)?.url ?? ''}`).join(',');
      shops.push(await startShop(node.name, downstreams, namespace, endpoint));
    }
    const shop = (name: string): ShopProcess => shops.find((s) => s.name === name) as ShopProcess;
    load = startLoad(`${shop('frontend').url}/`);
    await eventually('the allocator to adopt model version 2', async () => ((await state.documents.get('allocator-model', 'foresight')) !== undefined ? true : undefined), 30_000, 100);

    // ---- the real call edges, as flows and in the graph ----
    const edges = [['frontend', 'cart'], ['frontend', 'catalog'], ['cart', 'db'], ['catalog', 'db']].map(([a, b]) => `${vm(a)}->${vm(b)}`);
    await eventually('flows of every call edge of the shop', () => {
      const seen = new Set(flows.filter((f) => f.kind === 'API_CALL').map((f) => `${f.source}->${f.target}`));
      return edges.every((e) => seen.has(e)) ? true : undefined;
    }, 60_000, 100);
    await eventually('the graph store to hold the shop', async () => {
      const stored = await graph.loadTopology();
      const pathways = new Set(stored.pathways.map((p) => `${p.source}->${p.target}`));
      return stored.vms.length >= 4 && edges.every((e) => pathways.has(e)) ? true : undefined;
    }, 60_000, 250);
    phase(`flows and graph: ${edges.join(', ')}`);
    const cartFlows = (): number => flows.filter((f) => f.target === vm('cart')).length;
    const before = cartFlows();
    await eventually(`${WARM_UP_WINDOWS + 3} more windows of frontend -> cart (the detector's warm-up)`, () => (cartFlows() >= before + WARM_UP_WINDOWS + 3 ? true : undefined), 60_000, 100);
    const quietOpens = anomalies.filter((a) => a.state === 'OPEN').map((a) => `${a.level}:${a.subjectId}:${a.anomalyType}`);
    phase(`warmed up (${flows.length} flows); opens before the fault: ${quietOpens.join(' ') || 'none'}`);

    // ---- the fault: cart answers 200 ms late ----
    const faultAt = Date.now();
    await setFault(shop('cart'), { latencyMs: 200 });
    const opened = await eventually('the detector to open a latency anomaly on cart', () => anomalies.find((a) => a.state === 'OPEN' && a.level === 'COMPONENT'
      && a.subjectId === vm('cart') && a.anomalyType === 'latency' && a.eventTime >= faultAt - 2_000), 60_000, 50);
    assert.equal(opened.systemId, namespace);
    assert.equal(opened.attributes.source, 'telemetry-gateway');
    phase(`anomaly OPEN on cart (${JSON.stringify(opened.attributes)})`);
    const assessment = await eventually('a risk assessment from cart with frontend at risk', () => risks.find((r) => r.sources.some((s) => s.vmId === vm('cart'))
      && r.atRisk.some((a) => a.vmId === vm('frontend'))), 60_000, 50);
    const frontend = assessment.atRisk.find((a) => a.vmId === vm('frontend'));
    assert.ok(frontend !== undefined);
    assert.deepEqual(frontend.path, [vm('cart'), vm('frontend')], 'the likeliest path is the real call edge frontend -> cart, travelled by latency from callee to caller');
    assert.ok(!assessment.atRisk.some((a) => a.vmId === vm('catalog') && a.probability > frontend.probability), 'catalog (not a caller of cart) is not ahead of frontend');
    phase(`frontend at risk p=${frontend.probability.toFixed(3)} via ${frontend.path.join(' -> ')}`);
    const grant = await eventually('a GRANT for frontend', () => commands.find((c) => c.action === 'GRANT' && c.vmId === vm('frontend') && c.incidentId === assessment.incidentId), 60_000, 50);
    phase(`GRANT ${grant.commandId} (${grant.mode}) for frontend`);

    // ---- recovery: the fault cleared, the detector resolves cart ----
    await setFault(shop('cart'), undefined);
    await eventually('the detector to resolve cart', () => anomalies.find((a) => a.state === 'RESOLVED' && a.level === 'COMPONENT' && a.subjectId === vm('cart') && a.eventTime > opened.eventTime), 60_000, 50);
    phase(`RESOLVED; ${load.sent()} requests sent`);
  } catch (error) {
    t.diagnostic(describeLogs(services));
    for (const s of shops) t.diagnostic(`${s.name}:\n${s.lines.slice(-20).join('\n')}`);
    if (collector !== undefined) t.diagnostic(`collector:\n${collector.lines.slice(-30).join('\n')}`);
    throw error;
  } finally {
    await load?.stop();
    await Promise.allSettled(shops.map(stopShop));
    await Promise.allSettled(services.map((s) => stopService(s, 5_000)));
    await collector?.stop();
    await bus?.close();
    await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state });
    await revokeTopics(world.topicPrefix);
  }
}

describe('OpenTelemetry end to end: instrumented services to grants', () => {
  it('through the Collector and Kafka otlp_spans/otlp_metrics: a latency fault in cart puts frontend at risk along frontend -> cart, and grants follow', { timeout: 180_000 }, async (t) => {
    await endToEnd(t, newTestWorld('otel-e2e-kafka'), 'collector');
  });
  it('straight to the gateway over OTLP/HTTP (no Collector): the same', { timeout: 180_000 }, async (t) => {
    await endToEnd(t, newTestWorld('otel-e2e-http'), 'http');
  });
});
