import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latestCapacities } from '../../src/telemetry/capacity-metrics.js';
import { flowEndpoints, NetworkPathways, type FlowBytesPoint } from '../../src/telemetry/network-pathways.js';

const SETTINGS = { windowMs: 10_000, latenessMs: 1_000, maxSeries: 100, maxOpenPathways: 100 };

function point(over: Partial<FlowBytesPoint>): FlowBytesPoint {
  return { source: 'a', target: 'b', series: 's1', bytes: 0, startMs: 0, timeMs: 1_000, cumulative: true, ...over };
}

test('cumulative flow bytes are differenced per series: the first point is a baseline, a reset starts a new one', () => {
  const network = new NetworkPathways(SETTINGS);
  network.add([
    point({ bytes: 1_000_000, timeMs: 1_000 }),
    point({ bytes: 3_500_000, timeMs: 5_000 }),
    point({ bytes: 1_000, timeMs: 6_000 }),
    point({ bytes: 1_251_000, timeMs: 9_000 }),
  ]);
  const { windows, skipped } = network.advance(11_000);
  assert.equal(windows.length, 1);
  assert.equal(windows[0].bytes, 2_500_000 + 1_250_000);
  assert.equal(windows[0].bandwidthMbps, (3_750_000 * 8) / 1e6 / 10);
  assert.deepEqual(skipped, { FLOW_BASELINE: 1, FLOW_RESET: 1 });
});

test('delta flow bytes are summed as they come; windows close after their end plus the lateness, later points are LATE', () => {
  const network = new NetworkPathways(SETTINGS);
  network.add([point({ cumulative: false, bytes: 100, timeMs: 2_000 }), point({ cumulative: false, bytes: 50, timeMs: 3_000, source: 'b', target: 'a' })]);
  assert.equal(network.advance(10_999).windows.length, 0);
  assert.deepEqual(network.advance(11_000).windows.map((w) => [w.source, w.target, w.bytes]), [['a', 'b', 100], ['b', 'a', 50]]);
  network.add([point({ cumulative: false, bytes: 7, timeMs: 4_000 })]);
  assert.deepEqual(network.advance().skipped, { FLOW_LATE: 1 });
});

test('flow ends are named by pod, then host name, then address; the open pathways are bounded', () => {
  const attrs: Record<string, string> = { 'k8s.src.name': 'pod-a', 'src.address': '10.0.0.1', 'dst.name': 'vm-b', 'dst.address': '10.0.0.2' };
  assert.deepEqual(flowEndpoints((k) => attrs[k]), { source: 'pod-a', target: 'vm-b' });
  assert.equal(flowEndpoints((k) => (k === 'src.address' ? 'x' : undefined)), undefined);
  const network = new NetworkPathways({ ...SETTINGS, maxOpenPathways: 1 });
  network.add([point({ cumulative: false, bytes: 1 }), point({ cumulative: false, bytes: 1, target: 'c' })]);
  assert.deepEqual(network.advance(20_000).skipped, { FLOW_PATHWAY_LIMIT: 1 });
});

test('capacities: the readings of a target at its latest time are summed (the containers of a pod), older ones ignored', () => {
  const out = latestCapacities([
    { target: 'vm', id: 'pod', resource: 'cpuMillis', value: 500, timeMs: 1 },
    { target: 'vm', id: 'pod', resource: 'cpuMillis', value: 250, timeMs: 2 },
    { target: 'vm', id: 'pod', resource: 'cpuMillis', value: 250, timeMs: 2 },
    { target: 'vm', id: 'pod', resource: 'memoryMiB', value: 256, timeMs: 2 },
    { target: 'host', id: 'node', resource: 'cpuMillis', value: 4000, timeMs: 2 },
    { target: 'host', id: 'node', resource: 'memoryMiB', value: Number.NaN, timeMs: 3 },
  ]);
  assert.deepEqual([...out.values()], [
    { target: 'vm', id: 'pod', capacity: { cpuMillis: 500, memoryMiB: 256 } },
    { target: 'host', id: 'node', capacity: { cpuMillis: 4000 } },
  ]);
});
