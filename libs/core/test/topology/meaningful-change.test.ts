import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMeaningfulChange, type ChangeThresholds } from '../../src/topology/meaningful-change.js';
import type { PathwayFeatures } from '../../src/topology/pathway.js';

const thresholds: ChangeThresholds = { relativeChange: 0.1, lastSeenRefreshMs: 60_000 };
const base: PathwayFeatures = { bandwidthMbps: 100, callsPerSec: 10, latencyP50Ms: 2, latencyP99Ms: 8, errorRate: 0.01, lastSeenAt: 0 };

test('nothing written yet is always a change', () => {
  assert.equal(isMeaningfulChange(undefined, base, thresholds), true);
});

test('a change above the relative threshold counts, one below does not', () => {
  assert.equal(isMeaningfulChange(base, { ...base, bandwidthMbps: 109 }, thresholds), false);
  assert.equal(isMeaningfulChange(base, { ...base, bandwidthMbps: 112 }, thresholds), true);
});

test('a tiny error rate doubling is noise under the floor', () => {
  assert.equal(isMeaningfulChange({ ...base, errorRate: 0.0001 }, { ...base, errorRate: 0.0002 }, thresholds), false);
});

test('a lastSeenAt moved by the refresh interval counts even with the same features', () => {
  assert.equal(isMeaningfulChange(base, { ...base, lastSeenAt: 59_999 }, thresholds), false);
  assert.equal(isMeaningfulChange(base, { ...base, lastSeenAt: 60_000 }, thresholds), true);
});
