import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { scorePropagation } from '../../src/propagation/score-propagation.js';
import { transmissionWeights } from '../../src/propagation/transmission-weights.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import type { TopologySnapshot } from '../../src/topology/topology-snapshot.js';
import { worldArb, type World } from './random-topology.js';

interface Exact {
  readonly probability: number;
  readonly meanEta: number;
  readonly sdEta: number;
}

/**
 * Exact independent-cascade reach by enumerating every live/dead state of the snapshot's traversals (host hub edges
 * included, each an independent coin) and every VM's susceptibility coin; arrival = earliest onset + Σ delays.
 */
function exactCascade(snapshot: TopologySnapshot, world: World): { exact: Map<string, Exact>; coins: number } {
  const weights = transmissionWeights(snapshot, world.model, world.anomalyType);
  const hops: { from: number; to: number; p: number; delay: number }[] = [];
  for (let e = 0; e < snapshot.edgeCount; e++) {
    const from = snapshot.edgeSource(e);
    const to = snapshot.outTargets[e];
    if (weights.forwardCost[e] < Infinity) hops.push({ from, to, p: Math.exp(-weights.forwardCost[e]), delay: weights.forwardDelayMs[e] });
    if (weights.reverseCost[e] < Infinity) hops.push({ from: to, to: from, p: Math.exp(-weights.reverseCost[e]), delay: weights.reverseDelayMs[e] });
  }
  const sourceIds = new Set(world.sources.map((s) => s.vmId));
  const factor = (node: number): number => {
    const id = snapshot.vmIdAt(node);
    return id === undefined || sourceIds.has(id) ? 1 : world.nodeFactors.get(id) ?? 1;
  };
  const coins: { p: number; hop?: number; node?: number }[] = [];
  hops.forEach((h, i) => coins.push({ p: h.p, hop: i }));
  for (let v = 0; v < snapshot.nodeCount; v++) coins.push({ p: factor(v), node: v });
  const uncertain = coins.filter((c) => c.p > 0 && c.p < 1);
  const sum = new Float64Array(snapshot.nodeCount);
  const sumT = new Float64Array(snapshot.nodeCount);
  const sumT2 = new Float64Array(snapshot.nodeCount);
  const nodeCoin = new Map(coins.filter((c) => c.node !== undefined).map((c) => [c.node!, c]));
  if (uncertain.length <= 12) {
    for (let mask = 0; mask < 1 << uncertain.length; mask++) {
      let w = 1;
      const live = new Set<(typeof coins)[number]>();
      uncertain.forEach((c, i) => {
        const on = (mask >> i) & 1;
        w *= on ? c.p : 1 - c.p;
        if (on) live.add(c);
      });
      const isLive = (c: (typeof coins)[number]): boolean => c.p === 1 || (c.p > 0 && live.has(c));
      const time = new Float64Array(snapshot.nodeCount).fill(Infinity);
      for (const s of world.sources) time[snapshot.indexOf(s.vmId)] = Math.min(time[snapshot.indexOf(s.vmId)], s.onsetAt);
      for (let round = 0; round < snapshot.nodeCount; round++) {
        coins.forEach((c) => {
          if (c.hop === undefined || !isLive(c)) return;
          const h = hops[c.hop];
          const target = nodeCoin.get(h.to)!;
          if (!isLive(target) || time[h.from] === Infinity) return;
          if (time[h.from] + h.delay < time[h.to]) time[h.to] = time[h.from] + h.delay;
        });
      }
      for (let v = 0; v < snapshot.vmCount; v++) {
        if (time[v] === Infinity) continue;
        sum[v] += w;
        sumT[v] += w * time[v];
        sumT2[v] += w * time[v] * time[v];
      }
    }
  }
  const exact = new Map<string, Exact>();
  for (let v = 0; v < snapshot.vmCount; v++) {
    const id = snapshot.vmIdAt(v)!;
    if (sourceIds.has(id)) continue;
    const p = sum[v];
    const mean = p > 0 ? sumT[v] / p : NaN;
    exact.set(id, { probability: p, meanEta: mean, sdEta: p > 0 ? Math.sqrt(Math.max(sumT2[v] / p - mean * mean, 0)) : 0 });
  }
  return { exact, coins: uncertain.length };
}

// Small random worlds whose uncertain coins (edge traversals incl. hub edges, plus susceptibility) can be enumerated.
const worlds = fc
  .sample(worldArb({ maxVms: 5, maxPathways: 6, maxSources: 2, factors: true }), { numRuns: 400, seed: 7 })
  .map((world) => ({ world, snapshot: buildTopologySnapshot(world.vms, world.pathways) }))
  .map((w) => ({ ...w, ...exactCascade(w.snapshot, w.world) }))
  .filter((w) => w.coins >= 4 && w.coins <= 12 && [...w.exact.values()].filter((e) => e.probability > 0).length >= 2)
  .slice(0, 8);

test('monte carlo converges to the exact cascade probabilities (4.5 standard errors) and ETAs', () => {
  assert.ok(worlds.length >= 6, `enough enumerable worlds (${worlds.length})`);
  const samples = 4000;
  for (const { world, snapshot, exact } of worlds) {
    for (const seed of [1, 2, 3]) {
      const score = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, {
        estimator: 'montecarlo', floor: 0, samples, seed, nodeFactors: world.nodeFactors,
      });
      const got = new Map(score.atRisk.map((r) => [r.vmId, r]));
      for (const [vmId, want] of exact) {
        const p = got.get(vmId)?.probability ?? 0;
        const tolerance = 4.5 * Math.sqrt((want.probability * (1 - want.probability)) / samples) + 1e-9;
        assert.ok(Math.abs(p - want.probability) <= tolerance, `${vmId} seed ${seed}: mc ${p} vs exact ${want.probability} (±${tolerance})`);
        const entry = got.get(vmId);
        if (entry !== undefined && want.probability > 0.05) {
          const hits = p * samples;
          const etaTolerance = (5 * want.sdEta) / Math.sqrt(hits) + 1e-6;
          assert.ok(Math.abs(entry.etaAt - want.meanEta) <= etaTolerance, `${vmId}: eta ${entry.etaAt} vs exact ${want.meanEta} (±${etaTolerance})`);
        }
      }
    }
  }
});

test('monte carlo error shrinks with more samples', () => {
  const rmse = (samples: number): number => {
    let squared = 0;
    let count = 0;
    for (const { world, snapshot, exact } of worlds) {
      for (const seed of [11, 12, 13, 14]) {
        const score = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, {
          estimator: 'montecarlo', floor: 0, samples, seed, nodeFactors: world.nodeFactors,
        });
        const got = new Map(score.atRisk.map((r) => [r.vmId, r.probability]));
        for (const [vmId, want] of exact) {
          squared += ((got.get(vmId) ?? 0) - want.probability) ** 2;
          count++;
        }
      }
    }
    return Math.sqrt(squared / count);
  };
  const coarse = rmse(100);
  const fine = rmse(10_000);
  assert.ok(fine < coarse / 4, `rmse ${fine} at 10k samples vs ${coarse} at 100`);
});

test('monte carlo is reproducible for a seed and reports MPP paths', () => {
  const { world, snapshot } = worlds[0];
  const options = { estimator: 'montecarlo', floor: 0, samples: 500, seed: 42, nodeFactors: world.nodeFactors } as const;
  const a = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, options);
  const b = scorePropagation(snapshot, world.model, world.anomalyType, world.sources, options);
  assert.deepEqual(a, b);
  const mpp = new Map(scorePropagation(snapshot, world.model, world.anomalyType, world.sources, { floor: 0, nodeFactors: world.nodeFactors }).atRisk.map((r) => [r.vmId, r.path]));
  for (const r of a.atRisk) assert.deepEqual(r.path, mpp.get(r.vmId));
});
