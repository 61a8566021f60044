import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision, bootstrapInterval, brierScore, PooledRanking, weightedMedian, weightedRatio } from '../src/index.js';

test('average precision matches a hand computation', () => {
  // Ranked: 0.9 (+), 0.8 (−), 0.7 (+), 0.1 (−). AP = 1/2·1 + 1/2·(2/3) = 0.8333…
  const ap = averagePrecision([{ p: 0.9, y: true }, { p: 0.8, y: false }, { p: 0.7, y: true }, { p: 0.1, y: false }]);
  assert.ok(Math.abs(ap! - 5 / 6) < 1e-12);
  // Ties share one threshold: {0.5+, 0.5−} → precision 1/2 at recall 1.
  assert.equal(averagePrecision([{ p: 0.5, y: true }, { p: 0.5, y: false }]), 0.5);
  assert.equal(averagePrecision([{ p: 0.5, y: false }]), null);
});

test('unscored candidates share the lowest threshold; incident weights repeat incidents', () => {
  // One scored positive at 0.9, one unscored positive and 2 unscored negatives: 1/2·1 + 1/2·(2/4) = 0.75.
  const ranking = new PooledRanking([{ entries: [{ p: 0.9, y: true }], zeroPositives: 1, zeroNegatives: 2 }]);
  assert.ok(Math.abs(ranking.averagePrecision()! - 0.75) < 1e-12);
  const two = new PooledRanking([
    { entries: [{ p: 0.9, y: true }], zeroPositives: 0, zeroNegatives: 0 },
    { entries: [{ p: 0.95, y: false }, { p: 0.2, y: true }], zeroPositives: 0, zeroNegatives: 0 },
  ]);
  const once = two.averagePrecision(Float64Array.from([1, 1]))!;
  const explicit = averagePrecision([{ p: 0.9, y: true }, { p: 0.95, y: false }, { p: 0.2, y: true }])!;
  assert.ok(Math.abs(once - explicit) < 1e-12);
  const doubled = two.averagePrecision(Float64Array.from([2, 0]))!;
  assert.equal(doubled, 1);
});

test('Brier score and weighted ratios match hand computations', () => {
  assert.ok(Math.abs(brierScore([{ p: 0.8, y: true }, { p: 0.3, y: false }]) - (0.04 + 0.09) / 2) < 1e-12);
  assert.equal(weightedRatio([1, 3], [2, 4], undefined), 4 / 6);
  assert.equal(weightedRatio([1, 3], [2, 4], Float64Array.from([2, 0])), 0.5);
});

test('bootstrap intervals are reproducible, contain the estimate and collapse for constant data', () => {
  const values = [0.1, 0.4, 0.35, 0.8, 0.5, 0.45, 0.3, 0.6];
  const ones = values.map(() => 1);
  const stat = (w: Float64Array | undefined): number | null => weightedRatio(values, ones, w);
  const a = bootstrapInterval(stat, values.length, 500, 3)!;
  const b = bootstrapInterval(stat, values.length, 500, 3)!;
  assert.deepEqual(a, b);
  assert.ok(a.lo <= a.value && a.value <= a.hi && a.lo < a.hi);
  const flat = bootstrapInterval((w) => weightedRatio([2, 2, 2], [1, 1, 1], w), 3, 100, 1)!;
  assert.deepEqual([flat.lo, flat.value, flat.hi], [2, 2, 2]);
});

test('weightedMedian pools incidents by their bootstrap weights', () => {
  const perIncident = [[1, 9], [2], [], [3, 4]];
  assert.equal(weightedMedian(perIncident, undefined), 3);
  assert.equal(weightedMedian([[1, 2, 3, 4]], undefined), 2.5);
  // Incident 0 twice, incident 3 dropped: 1, 1, 2, 9, 9 → 2.
  assert.equal(weightedMedian(perIncident, Float64Array.from([2, 1, 1, 0])), 2);
  // Even total weight across two values: their mean.
  assert.equal(weightedMedian([[5], [7]], Float64Array.from([1, 1])), 6);
  assert.equal(weightedMedian(perIncident, Float64Array.from([0, 0, 1, 0])), null);
  assert.equal(weightedMedian([], undefined), null);
});
