import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decayFactor, featuresAt, observePathway, restoredPathway, type PathwayObservation } from '../../src/topology/pathway-ageing.js';

const HALF_LIFE = 60_000;
const ref = { source: 'a', target: 'b', kind: 'NETWORK' } as const;

function window(at: number, bandwidthMbps: number, errorRate = 0.01): PathwayObservation {
  return { bandwidthMbps, callsPerSec: bandwidthMbps / 2, latencyP50Ms: 2, latencyP99Ms: 10, errorRate, at };
}

test('decayFactor halves per half-life and is 1 for no (or negative) age', () => {
  assert.equal(decayFactor(0, HALF_LIFE), 1);
  assert.equal(decayFactor(-5, HALF_LIFE), 1);
  assert.ok(Math.abs(decayFactor(HALF_LIFE, HALF_LIFE) - 0.5) < 1e-12);
  assert.ok(Math.abs(decayFactor(2 * HALF_LIFE, HALF_LIFE) - 0.25) < 1e-12);
});

test('a first observation is the pathway; its features at the same time are the observation', () => {
  const p = observePathway(undefined, ref, window(1_000, 100), HALF_LIFE);
  const f = featuresAt(p, 1_000, HALF_LIFE);
  assert.deepEqual(f, { bandwidthMbps: 100, callsPerSec: 50, latencyP50Ms: 2, latencyP99Ms: 10, errorRate: 0.01, lastSeenAt: 1_000 });
});

test('an observation one half-life later weighs twice the old mean', () => {
  const p = observePathway(observePathway(undefined, ref, window(0, 100), HALF_LIFE), ref, window(HALF_LIFE, 400), HALF_LIFE);
  // (100 · 0.5 + 400 · 1) / 1.5 = 300
  assert.ok(Math.abs(featuresAt(p, HALF_LIFE, HALF_LIFE).bandwidthMbps - 300) < 1e-9);
});

test('the result does not depend on the order observations arrive in', () => {
  const windows = [window(0, 100), window(30_000, 250, 0.2), window(90_000, 40)];
  const inOrder = windows.reduce<ReturnType<typeof observePathway> | undefined>((p, w) => observePathway(p, ref, w, HALF_LIFE), undefined)!;
  const shuffled = [windows[2], windows[0], windows[1]].reduce<ReturnType<typeof observePathway> | undefined>((p, w) => observePathway(p, ref, w, HALF_LIFE), undefined)!;
  const a = featuresAt(inOrder, 120_000, HALF_LIFE);
  const b = featuresAt(shuffled, 120_000, HALF_LIFE);
  for (const key of Object.keys(a) as (keyof typeof a)[]) assert.ok(Math.abs(a[key] - b[key]) < 1e-9, key);
});

test('an unseen pathway fades in volume but keeps its latencies and error rate', () => {
  const p = observePathway(undefined, ref, window(0, 100, 0.05), HALF_LIFE);
  const f = featuresAt(p, HALF_LIFE, HALF_LIFE);
  assert.ok(Math.abs(f.bandwidthMbps - 50) < 1e-9);
  assert.ok(Math.abs(f.callsPerSec - 25) < 1e-9);
  assert.equal(f.latencyP99Ms, 10);
  assert.equal(f.errorRate, 0.05);
  assert.equal(f.lastSeenAt, 0);
});

test('a restored pathway restarts at weight 1 from its stored features', () => {
  const stored = { bandwidthMbps: 80, callsPerSec: 8, latencyP50Ms: 1, latencyP99Ms: 4, errorRate: 0, lastSeenAt: 5_000 };
  const p = restoredPathway(ref, stored);
  assert.equal(p.weight, 1);
  assert.deepEqual(featuresAt(p, 5_000, HALF_LIFE), stored);
});
