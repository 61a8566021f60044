import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathwayKind } from '@foresight/core';
import { DEFAULT_DETECTION_NOISE, generateIncidents, generateTopology, scaledDetection, trueParameters, type Incident } from '../src/index.js';

const world = generateTopology({ seed: 3, vms: 300 });

test('reach adds its log-odds to every true intercept and nothing else', () => {
  const base = trueParameters(world.vms, 3);
  assert.deepEqual(trueParameters(world.vms, 3, { reach: 0 }), base);
  const wider = trueParameters(world.vms, 3, { reach: 1.25 });
  let carriers = 0;
  for (const [type, params] of Object.entries(base.types)) {
    for (const kind of Object.keys(params.carriers) as PathwayKind[]) {
      for (const dir of ['forward', 'reverse'] as const) {
        const carrier = params.carriers[kind]?.[dir];
        if (carrier === undefined) continue;
        const shifted = wider.types[type].carriers[kind]?.[dir];
        assert.ok(shifted, `${type} ${kind} ${dir}`);
        assert.equal(shifted.weights[0], carrier.weights[0] + 1.25, `${type} ${kind} ${dir}`);
        assert.deepEqual(shifted.weights.slice(1), carrier.weights.slice(1));
        assert.equal(shifted.delayMs, carrier.delayMs);
        carriers++;
      }
    }
  }
  assert.ok(carriers >= 12, `${carriers} carriers`);
  assert.deepEqual(wider.vulnerability, base.vulnerability);
  assert.throws(() => trueParameters(world.vms, 3, { reach: Number.NaN }), /reach must be a finite number/);
});

const meanAffected = (incidents: readonly Incident[]): number => incidents.reduce((s, i) => s + i.affected.length, 0) / incidents.length;

test('a positive reach widens the cascades of the same stream', () => {
  const at = (reach: number): number => meanAffected(generateIncidents(world, trueParameters(world.vms, 3, { reach }), { count: 150, seed: 9 }));
  const [narrow, base, wide] = [at(-1), at(0), at(1.5)];
  assert.ok(narrow < base && base < wide, `mean affected ${narrow} < ${base} < ${wide}`);
  assert.ok(wide > 1.3 * base, `reach +1.5 only moved the mean from ${base} to ${wide}`);
});

test('the detection-delay scale multiplies both delay terms, and detections follow it', () => {
  assert.deepEqual(scaledDetection(1), DEFAULT_DETECTION_NOISE);
  const fast = scaledDetection(0.25);
  assert.equal(fast.minDelayMs, DEFAULT_DETECTION_NOISE.minDelayMs / 4);
  assert.equal(fast.meanExtraDelayMs, DEFAULT_DETECTION_NOISE.meanExtraDelayMs / 4);
  assert.equal(fast.missProbability, DEFAULT_DETECTION_NOISE.missProbability);
  for (const bad of [0, -1, Number.POSITIVE_INFINITY]) assert.throws(() => scaledDetection(bad), /detection delay scale must be a positive number/);

  const delays = (scale: number): number[] => {
    const incidents = generateIncidents(world, trueParameters(world.vms, 3, { detection: scaledDetection(scale) }), { count: 150, seed: 9 });
    const out: number[] = [];
    for (const inc of incidents) {
      const onset = new Map(inc.affected.map((a) => [a.vmId, a.onsetAt]));
      for (const e of inc.anomalyEvents) {
        const at = onset.get(e.subjectId);
        if (e.state === 'OPEN' && at !== undefined) out.push(e.detectedAt - at);
      }
    }
    return out;
  };
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const slow = delays(1);
  const quick = delays(0.25);
  assert.ok(Math.min(...quick) >= fast.minDelayMs, `a quick detection came ${Math.min(...quick)} ms after onset`);
  const expected = (d: typeof fast): number => d.minDelayMs + d.meanExtraDelayMs;
  // Hundreds of detections each: the means are within 15% of minDelay + meanExtraDelay.
  assert.ok(Math.abs(mean(slow) / expected(DEFAULT_DETECTION_NOISE) - 1) < 0.15, `default mean delay ${mean(slow)}`);
  assert.ok(Math.abs(mean(quick) / expected(fast) - 1) < 0.15, `quick mean delay ${mean(quick)}`);
});
