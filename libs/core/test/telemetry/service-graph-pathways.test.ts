import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntityIdentity } from '../../src/telemetry/entity-identity.js';
import { serviceGraphPathways } from '../../src/telemetry/service-graph-identity.js';
import { histogramQuantile, ServiceGraphPathways, type ServiceGraphPoint, type ServiceGraphWindow } from '../../src/telemetry/service-graph-pathways.js';

const SETTINGS = { windowMs: 10_000, latenessMs: 1_000, maxSeries: 100, maxOpenPathways: 100 };
const BOUNDS = [0.01, 0.1, 1];

function counter(over: Partial<ServiceGraphPoint>): ServiceGraphPoint {
  return { measure: 'total', client: 'frontend', server: 'cart', series: 'total', value: 0, startMs: 0, timeMs: 1_000, cumulative: true, ...over };
}

function histogram(counts: number[], over: Partial<ServiceGraphPoint> = {}): ServiceGraphPoint {
  return { ...counter({ measure: 'client', series: 'client', value: undefined }), boundsSec: BOUNDS, bucketCounts: counts, ...over };
}

test('cumulative request counters are differenced per series: calls/s and error rate; a first point is a baseline, a reset a new one', () => {
  const graph = new ServiceGraphPathways(SETTINGS);
  graph.add([
    counter({ value: 100, timeMs: 1_000 }),
    counter({ measure: 'failed', series: 'failed', value: 10, timeMs: 1_000 }),
    counter({ value: 150, timeMs: 4_000 }),
    counter({ measure: 'failed', series: 'failed', value: 15, timeMs: 4_000 }),
    // the producer restarted: its counter starts again from a new start time
    counter({ value: 3, timeMs: 6_000, startMs: 5_000 }),
    counter({ value: 53, timeMs: 9_000, startMs: 5_000 }),
    counter({ measure: 'failed', series: 'failed', value: 35, timeMs: 9_000 }),
  ]);
  const { windows, skipped } = graph.advance(11_000);
  assert.equal(windows.length, 1);
  assert.equal(windows[0].calls, 50 + 50);
  assert.equal(windows[0].callsPerSec, 10);
  assert.equal(windows[0].errorRate, (5 + 20) / 100);
  assert.deepEqual(skipped, { SG_BASELINE: 2, SG_RESET: 1 });
});

test('a counter going down without a new start time is a reset, not a negative delta', () => {
  const graph = new ServiceGraphPathways(SETTINGS);
  graph.add([counter({ value: 500, timeMs: 1_000 }), counter({ value: 20, timeMs: 2_000 }), counter({ value: 30, timeMs: 3_000 })]);
  const { windows, skipped } = graph.advance(11_000);
  assert.equal(windows[0].calls, 10);
  assert.deepEqual(skipped, { SG_BASELINE: 1, SG_RESET: 1 });
});

test('latency p50/p99 come from the client histogram buckets, differenced and interpolated within the bucket', () => {
  const graph = new ServiceGraphPathways(SETTINGS);
  graph.add([
    histogram([0, 0, 0, 0], { timeMs: 1_000 }),
    counter({ value: 0, timeMs: 1_000 }),
    // 100 calls: 50 in (0, 10 ms], 49 in (10, 100 ms], 1 in (100 ms, 1 s]
    histogram([50, 49, 1, 0], { timeMs: 5_000 }),
    counter({ value: 100, timeMs: 5_000 }),
    // the server side saw them faster: used only when the client side has no calls
    histogram([0, 0, 0, 0], { measure: 'server', series: 'server', timeMs: 1_000 }),
    histogram([100, 0, 0, 0], { measure: 'server', series: 'server', timeMs: 5_000 }),
  ]);
  const [w] = graph.advance(11_000).windows;
  assert.equal(w.calls, 100);
  assert.equal(w.latencyP50Ms, 10);
  assert.ok(Math.abs(w.latencyP99Ms - 100) < 1e-9, String(w.latencyP99Ms));
  assert.equal(w.errorRate, 0);
});

test('a histogram with a missing bucket is skipped, never read as a shifted one; changed bounds are a reset', () => {
  const graph = new ServiceGraphPathways(SETTINGS);
  graph.add([
    histogram([0, 0, 0, 0], { timeMs: 1_000 }),
    histogram([0, 90, 10], { timeMs: 2_000 }),
    histogram([0, 90, 10, 0], { timeMs: 3_000, boundsSec: [0.02, 0.2, 2] }),
    histogram([0, 0, 0], { timeMs: 3_000, boundsSec: [0.2, 0.1] }),
  ]);
  assert.equal(graph.advance(11_000).windows.length, 0);
  const again = new ServiceGraphPathways(SETTINGS);
  again.add([histogram([0, 0, 0, 0], { timeMs: 1_000 }), histogram([0, 0, 10, 0], { timeMs: 2_000 })]);
  const { windows, skipped } = again.advance(11_000);
  assert.deepEqual(skipped, { SG_BASELINE: 1 });
  assert.equal(windows[0].calls, 10);
  assert.ok(windows[0].latencyP50Ms > 100 && windows[0].latencyP50Ms <= 1_000);
});

test('histogramQuantile: +Inf bucket is the largest bound, empty is NaN', () => {
  assert.equal(histogramQuantile(BOUNDS, [0, 0, 0, 5], 0.5), 1);
  assert.ok(Number.isNaN(histogramQuantile(BOUNDS, [0, 0, 0, 0], 0.5)));
  assert.equal(histogramQuantile(BOUNDS, [4, 0, 0, 0], 0.5), 0.005);
});

test('delta points are summed; windows close after their end plus the lateness, later points are late; pathways are bounded', () => {
  const graph = new ServiceGraphPathways({ ...SETTINGS, maxOpenPathways: 1 });
  graph.add([counter({ cumulative: false, value: 7, timeMs: 2_000 }), counter({ cumulative: false, value: 3, timeMs: 3_000, server: 'catalog', series: 'x' })]);
  const early = graph.advance(10_999);
  assert.equal(early.windows.length, 0);
  assert.deepEqual(early.skipped, { SG_PATHWAY_LIMIT: 1 });
  const closed = graph.advance(11_000);
  assert.deepEqual(closed.windows.map((w) => [w.client, w.server, w.calls]), [['frontend', 'cart', 7]]);
  graph.add([counter({ cumulative: false, value: 1, timeMs: 4_000 })]);
  assert.deepEqual(graph.advance().skipped, { SG_LATE: 1 });
});

const vm = (vmId: string, groupId: string): EntityIdentity => ({ vmId, hostId: vmId, groupId, systemId: 'shop', virtual: false });

test('service names map to known VMs or groups; an unknown end is a virtual node in the known end system; calls are shared among instances', () => {
  const known: Record<string, EntityIdentity[]> = { frontend: [vm('fe-1', 'frontend')], cart: [vm('cart-1', 'cart'), vm('cart-2', 'cart')] };
  const lookup = (name: string): EntityIdentity[] => known[name] ?? [];
  const window: ServiceGraphWindow = {
    client: 'frontend', server: 'cart', windowStart: 0, windowEnd: 10_000, calls: 100, callsPerSec: 10, errorRate: 0.1, latencyP50Ms: 5, latencyP99Ms: 50,
  };
  const split = serviceGraphPathways(window, lookup);
  assert.ok(Array.isArray(split));
  assert.deepEqual(split.map((w) => [w.source.vmId, w.target.vmId, w.callsPerSec, w.errorRate]), [['fe-1', 'cart-1', 5, 0.1], ['fe-1', 'cart-2', 5, 0.1]]);
  const toDb = serviceGraphPathways({ ...window, server: 'redis' }, lookup);
  assert.ok(Array.isArray(toDb));
  assert.deepEqual(toDb.map((w) => [w.target.vmId, w.target.virtual, w.target.systemId]), [['peer:shop:redis', true, 'shop']]);
  assert.equal(serviceGraphPathways({ ...window, client: 'user', server: 'nobody' }, lookup), 'SG_UNKNOWN_SERVICES');
});
