import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallPathways, DEFAULT_CALL_PATHWAY_SETTINGS, type CallPathwaySettings, type PathwayWindow } from '../../src/telemetry/call-pathways.js';
import type { EntityIdentity } from '../../src/telemetry/entity-identity.js';
import { SPAN_KIND, type TelemetrySpan } from '../../src/telemetry/telemetry-span.js';

const WINDOW = 10_000;
const SETTINGS: CallPathwaySettings = { ...DEFAULT_CALL_PATHWAY_SETTINGS, windowMs: WINDOW, pairingWaitMs: 5_000 };

function vm(name: string, system = 'shop'): EntityIdentity {
  return { vmId: `${name}-1`, hostId: 'node-a', groupId: name, systemId: system, virtual: false };
}
const FRONTEND = vm('frontend');
const CART = vm('cart');

function span(over: Partial<TelemetrySpan> & Pick<TelemetrySpan, 'spanId' | 'kind' | 'identity'>): TelemetrySpan {
  return { traceId: 't1', parentSpanId: '', startMs: 1_000, endMs: 1_100, error: false, ...over };
}

/** A CLIENT span of `from` and the SERVER span it parents on `to`. */
function call(trace: string, from: EntityIdentity, to: EntityIdentity, startMs: number, latencyMs: number, error = false): TelemetrySpan[] {
  return [
    span({ traceId: trace, spanId: `${trace}c`, kind: SPAN_KIND.CLIENT, identity: from, startMs, endMs: startMs + latencyMs }),
    span({ traceId: trace, spanId: `${trace}s`, parentSpanId: `${trace}c`, kind: SPAN_KIND.SERVER, identity: to, startMs: startMs + 1, endMs: startMs + latencyMs - 1, error }),
  ];
}

function only(windows: readonly PathwayWindow[]): PathwayWindow {
  assert.equal(windows.length, 1, JSON.stringify(windows));
  return windows[0];
}

test('a CLIENT span paired with its SERVER child is a call of the caller VM to the callee VM, in either arrival order', () => {
  for (const order of ['client first', 'server first']) {
    const pathways = new CallPathways(SETTINGS);
    const [client, server] = call('t1', FRONTEND, CART, 1_000, 100);
    pathways.addSpans(order === 'client first' ? [client, server] : [server, client]);
    assert.equal(pathways.pendingSpans, 0, order);
    const w = only(pathways.advance(WINDOW + SETTINGS.pairingWaitMs).windows);
    assert.deepEqual([w.source.vmId, w.target.vmId, w.calls, w.windowStart, w.windowEnd, w.latencyP50Ms], ['frontend-1', 'cart-1', 1, 0, WINDOW, 100]);
  }
});

test('PRODUCER pairs with its CONSUMER child; INTERNAL spans and spans of other traces do not pair', () => {
  const pathways = new CallPathways(SETTINGS);
  pathways.addSpans([
    span({ spanId: 'p', kind: SPAN_KIND.PRODUCER, identity: FRONTEND }),
    span({ spanId: 'c', parentSpanId: 'p', kind: SPAN_KIND.CONSUMER, identity: CART }),
    span({ spanId: 'x', kind: SPAN_KIND.CLIENT, identity: FRONTEND }),
    span({ traceId: 'other', spanId: 'y', parentSpanId: 'x', kind: SPAN_KIND.SERVER, identity: CART }),
    span({ spanId: 'i', parentSpanId: 'x', kind: SPAN_KIND.INTERNAL, identity: CART }),
  ]);
  const out = pathways.flush();
  assert.equal(only(out.windows).calls, 1);
  assert.deepEqual(out.skipped, { UNPAIRED_CALLER: 1, UNPAIRED_CALLEE: 1 });
});

test('a window yields calls/s, client-observed p50/p99 and the error rate (status ERROR on either side)', () => {
  const pathways = new CallPathways(SETTINGS);
  for (let i = 0; i < 100; i += 1) pathways.addSpans(call(`t${i}`, FRONTEND, CART, 100 + i * 10, i + 1, i % 10 === 0));
  const w = only(pathways.advance(WINDOW + SETTINGS.pairingWaitMs).windows);
  assert.equal(w.calls, 100);
  assert.equal(w.callsPerSec, 10);
  assert.equal(w.latencyP50Ms, 50);
  assert.equal(w.latencyP99Ms, 99);
  assert.equal(w.errorRate, 0.1);
});

test('latency is exact to the microsecond at today\'s epoch times (milliseconds from nanoseconds carry float error)', () => {
  const pathways = new CallPathways(SETTINGS);
  const startNanos = 1_796_612_345_678_901_234n;
  const toMs = (nanos: bigint): number => Number(nanos) / 1e6;
  const start = toMs(startNanos);
  const end = toMs(startNanos + 30_000_000n);
  assert.notEqual(end - start, 30, 'the float error this test is about');
  pathways.addSpans([
    span({ spanId: 'c', kind: SPAN_KIND.CLIENT, identity: FRONTEND, startMs: start, endMs: end }),
    span({ spanId: 's', parentSpanId: 'c', kind: SPAN_KIND.SERVER, identity: CART, startMs: start + 1, endMs: end - 1 }),
  ]);
  const w = only(pathways.advance(end + WINDOW + SETTINGS.pairingWaitMs).windows);
  assert.equal(w.latencyP50Ms, 30);
});

test('a window stays open for the pairing wait after its end, and a call ending in a closed window is counted LATE', () => {
  const pathways = new CallPathways(SETTINGS);
  pathways.addSpans(call('a', FRONTEND, CART, 9_000, 500));
  assert.equal(pathways.advance(WINDOW + SETTINGS.pairingWaitMs - 1).windows.length, 0);
  assert.equal(pathways.advance(WINDOW + SETTINGS.pairingWaitMs).windows.length, 1);
  pathways.addSpans(call('b', FRONTEND, CART, 9_100, 500));
  assert.deepEqual(pathways.advance().skipped, { LATE: 1 });
});

test('a caller span naming a peer nobody answers for becomes a call to a virtual node once it expires', () => {
  const pathways = new CallPathways(SETTINGS);
  pathways.addSpans([span({ spanId: 'db', kind: SPAN_KIND.CLIENT, identity: CART, peer: 'redis', startMs: 1_000, endMs: 1_004 })]);
  assert.equal(pathways.advance(1_000 + SETTINGS.pairingWaitMs - 1).windows.length, 0, 'still waiting for a server span');
  const out = pathways.flush();
  const w = only(out.windows);
  assert.equal(w.source.vmId, 'cart-1');
  assert.deepEqual(w.target, { vmId: 'peer:shop:redis', hostId: 'peer:shop:redis', groupId: 'redis', systemId: 'shop', virtual: true });
  assert.ok(out.entities.some((e) => e.virtual && e.groupId === 'redis'));
  assert.deepEqual(out.skipped, {});
});

test('a caller span naming a peer that does answer pairs with the answer, not with a virtual node', () => {
  const pathways = new CallPathways(SETTINGS);
  const [client, server] = call('t', FRONTEND, CART, 1_000, 10);
  pathways.addSpans([{ ...client, peer: 'cart' }, server]);
  assert.equal(only(pathways.flush().windows).target.vmId, 'cart-1');
});

test('the store of waiting spans is bounded by count: the oldest is evicted (and counted)', () => {
  const pathways = new CallPathways({ ...SETTINGS, maxPendingSpans: 3 });
  for (let i = 0; i < 5; i += 1) pathways.addSpans([span({ traceId: `t${i}`, spanId: 'c', kind: SPAN_KIND.CLIENT, identity: FRONTEND })]);
  assert.equal(pathways.pendingSpans, 3);
  // The oldest two are gone: their servers no longer pair; the newest still does.
  pathways.addSpans([span({ traceId: 't0', spanId: 's', parentSpanId: 'c', kind: SPAN_KIND.SERVER, identity: CART })]);
  pathways.addSpans([span({ traceId: 't4', spanId: 's', parentSpanId: 'c', kind: SPAN_KIND.SERVER, identity: CART })]);
  const out = pathways.flush();
  assert.equal(only(out.windows).calls, 1);
  assert.equal(out.skipped.EVICTED, 3);
});

test('waiting spans expire by event time (the spans\' own ends), not by arrival', () => {
  const pathways = new CallPathways(SETTINGS);
  pathways.addSpans([span({ spanId: 'c', kind: SPAN_KIND.CLIENT, identity: FRONTEND, startMs: 0, endMs: 100 })]);
  pathways.addSpans([span({ traceId: 'later', spanId: 'z', kind: SPAN_KIND.INTERNAL, identity: FRONTEND, startMs: 0, endMs: 100 + SETTINGS.pairingWaitMs })]);
  pathways.advance();
  assert.equal(pathways.pendingSpans, 0, 'expired once a span ended the wait later');
});

test('spans ending beyond the clock-skew bound after the receiver\'s clock are refused', () => {
  const pathways = new CallPathways(SETTINGS);
  const now = 1_000_000;
  pathways.addSpans([span({ spanId: 'c', kind: SPAN_KIND.CLIENT, identity: FRONTEND, endMs: now + SETTINGS.maxFutureSkewMs + 1 })], now);
  assert.deepEqual(pathways.advance().skipped, { SPAN_IN_FUTURE: 1 });
  assert.equal(pathways.watermark, Number.NEGATIVE_INFINITY, 'a refused span does not move event time');
});

test('calls within one VM are no pathway; the open pathways and VMs are bounded', () => {
  const pathways = new CallPathways({ ...SETTINGS, maxOpenPathways: 1, maxVms: 3 });
  pathways.addSpans(call('self', FRONTEND, FRONTEND, 1_000, 10));
  pathways.addSpans(call('a', FRONTEND, CART, 1_000, 10));
  pathways.addSpans(call('b', CART, FRONTEND, 1_000, 10));
  pathways.addSpans(call('c', vm('x'), vm('y'), 1_000, 10));
  const out = pathways.flush();
  assert.equal(only(out.windows).target.vmId, 'cart-1');
  assert.deepEqual(out.skipped, { PATHWAY_LIMIT: 1, VM_LIMIT: 1, UNPAIRED_CALLER: 1 });
  assert.deepEqual(out.entities.map((e) => e.vmId), ['frontend-1', 'cart-1', 'x-1']);
});

test('a VM whose identity changes (another host) is reported again; a repeated span is counted DUPLICATE', () => {
  const pathways = new CallPathways(SETTINGS);
  pathways.addSpans([span({ spanId: 'a', kind: SPAN_KIND.CLIENT, identity: FRONTEND })]);
  pathways.addSpans([span({ spanId: 'a', kind: SPAN_KIND.CLIENT, identity: FRONTEND })]);
  pathways.addSpans([span({ spanId: 'b', kind: SPAN_KIND.INTERNAL, identity: { ...FRONTEND, hostId: 'node-b' } })]);
  const out = pathways.advance();
  assert.deepEqual(out.entities.map((e) => e.hostId), ['node-a', 'node-b']);
  assert.deepEqual(out.skipped, { DUPLICATE: 1 });
});
