import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';
import { IDENTITY_PRESETS } from '@foresight/core';
import { consumerOf, InMemoryBus, silentLogger } from '@foresight/messaging';
import { encodeMetricsRequest, type ExportMetricsServiceRequest, type KeyValue } from '@foresight/otlp';
import { DEFAULT_GATEWAY_SETTINGS } from '../src/gateway-settings.js';
import { startOtlpHttpServer, type OtlpHttpServer } from '../src/otlp-http-server.js';
import { TelemetryGateway } from '../src/telemetry-gateway.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const T = NOW - 60_000;
const GIB = 1024 ** 3;

function attrs(values: Record<string, string>): KeyValue[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}
const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();
const pod = (name: string, container: string): KeyValue[] => attrs({ 'k8s.pod.uid': name, 'k8s.container.name': container, 'service.name': name.replace('pod-', ''), 'k8s.node.name': 'node-1' });

/** Two containers of pod-frontend with limits, node-1's allocatable CPU, and an eBPF flow counter frontend → cart. */
function request(): ExportMetricsServiceRequest {
  const gauge = (name: string, value: number): { name: string; gauge: { dataPoints: { asDouble: number; timeUnixNano: string }[] } } => ({ name, gauge: { dataPoints: [{ asDouble: value, timeUnixNano: ns(T) }] } });
  const flow = (bytes: number, at: number): { asInt: number; startTimeUnixNano: string; timeUnixNano: string; attributes: KeyValue[] } => ({
    asInt: bytes, startTimeUnixNano: ns(T - 600_000), timeUnixNano: ns(at), attributes: attrs({ 'k8s.src.name': 'pod-frontend', 'k8s.dst.name': 'pod-cart', direction: 'egress' }),
  });
  return {
    resourceMetrics: [
      { resource: { attributes: pod('pod-frontend', 'app') }, scopeMetrics: [{ metrics: [gauge('k8s.container.cpu_limit', 0.5), gauge('k8s.container.memory_limit', GIB)] }] },
      { resource: { attributes: pod('pod-frontend', 'sidecar') }, scopeMetrics: [{ metrics: [gauge('k8s.container.cpu_limit', 0.25), gauge('k8s.container.memory_limit', GIB / 4)] }] },
      { resource: { attributes: pod('pod-cart', 'app') }, scopeMetrics: [{ metrics: [gauge('k8s.container.cpu_limit', 1)] }] },
      { resource: { attributes: attrs({ 'k8s.node.name': 'node-1' }) }, scopeMetrics: [{ metrics: [gauge('k8s.node.allocatable_cpu', 8), gauge('k8s.node.allocatable_memory', 32 * GIB)] }] },
      {
        resource: { attributes: attrs({ 'service.name': 'beyla' }) },
        scopeMetrics: [{ metrics: [{ name: 'beyla.network.flow.bytes', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [flow(10_000_000, T), flow(17_500_000, T + 30_000)] } }] }],
      },
    ],
  };
}

const bus = new InMemoryBus({ groupId: 'otlp-metrics-test' });
const flows: FlowEvent[] = [];
const inventory: InventoryEvent[] = [];
const hosts: HostEvent[] = [];
const gateway = new TelemetryGateway({
  bus, deadLetter: () => Promise.resolve(), clock: () => NOW,
  settings: { ...DEFAULT_GATEWAY_SETTINGS, identity: IDENTITY_PRESETS.pods, pathways: { ...DEFAULT_GATEWAY_SETTINGS.pathways, windowMs: 60_000, pairingWaitMs: 1_000 } },
});
let server: OtlpHttpServer;

before(async () => {
  await bus.startConsumers([
    consumerOf({ topic: 'flows', handle: (m) => { flows.push(m); return Promise.resolve(); } }),
    consumerOf({ topic: 'inventory', handle: (m) => { inventory.push(m); return Promise.resolve(); } }),
    consumerOf({ topic: 'hosts', handle: (m) => { hosts.push(m); return Promise.resolve(); } }),
  ]);
  server = await startOtlpHttpServer({
    acceptTraces: (p, e, o) => gateway.acceptTraces(p, e, o), acceptMetrics: (p, e, o) => gateway.acceptMetrics(p, e, o), ready: () => true,
  }, { host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, maxInFlight: 4, retryAfterMs: 1_000, logger: silentLogger });
});

after(async () => {
  await server.close();
  await bus.close();
});

test('POST /v1/metrics: container limits size the pod (summed over containers), node allocatable sizes the host, eBPF flow bytes become a NETWORK flow', async () => {
  const response = await fetch(`http://127.0.0.1:${server.port}/v1/metrics`, { method: 'POST', body: encodeMetricsRequest(request(), 'otlp_json'), headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  await gateway.tick(NOW + 60_000);
  await bus.drain();
  const frontend = inventory.filter((i) => i.vmId === 'pod-frontend').at(-1);
  assert.deepEqual({ ...frontend?.capacity }, { cpuMillis: 750, memoryMiB: 1280, networkMbps: DEFAULT_GATEWAY_SETTINGS.vmCapacity.networkMbps });
  assert.deepEqual({ ...frontend?.allocation }, { ...frontend?.capacity });
  assert.equal(inventory.filter((i) => i.vmId === 'pod-cart').at(-1)?.capacity.cpuMillis, 1000);
  assert.deepEqual({ ...hosts.filter((h) => h.hostId === 'node-1').at(-1)?.capacity }, { cpuMillis: 8000, memoryMiB: 32 * 1024, networkMbps: DEFAULT_GATEWAY_SETTINGS.hostCapacity.networkMbps });
  const network = flows.filter((f) => f.kind === 'NETWORK');
  assert.equal(network.length, 1, JSON.stringify(flows));
  assert.deepEqual([network[0].source, network[0].target], ['pod-frontend', 'pod-cart']);
  assert.equal(network[0].bandwidthMbps, (7_500_000 * 8) / 1e6 / 60);
});
