import { SeededRandom } from '@foresight/core';
import { TimeHeap } from './time-heap.js';
import type { TruthGraph } from './truth-graph.js';

/** A VM known (or assumed) anomalous from `onsetAt`, by index into the truth graph. */
export interface CascadeSeed {
  readonly node: number;
  readonly onsetAt: number;
}

/** One realised infection: when, from which VM (-1 for a seed) and over which truth-graph edge (-1 for a seed). */
export interface Infection {
  readonly node: number;
  readonly onsetAt: number;
  readonly parent: number;
  readonly edge: number;
}

/** Shortest realised hop delay: a detector cannot separate two onsets closer than this. */
export const MIN_HOP_DELAY_MS = 1000;

/**
 * One realisation of the independent-cascade model with delays: when a VM becomes anomalous, each of its outgoing
 * edges transmits once with its true probability after an Exponential(mean delay) (at least 1 s); a VM's onset is its
 * earliest arrival. Infections after `horizonEnd` are not realised. Returned in onset order.
 */
export function simulateCascade(graph: TruthGraph, seeds: readonly CascadeSeed[], horizonEnd: number, random: SeededRandom): Infection[] {
  const n = graph.vmIds.length;
  const time = new Float64Array(n).fill(Infinity);
  const parent = new Int32Array(n).fill(-1);
  const via = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  const heap = new TimeHeap();
  for (const s of seeds) {
    if (s.onsetAt < time[s.node]) {
      time[s.node] = s.onsetAt;
      heap.push(s.onsetAt, s.node);
    }
  }
  const out: Infection[] = [];
  while (heap.size > 0) {
    const u = heap.pop();
    const tu = heap.lastTime;
    if (done[u] === 1 || tu > time[u]) continue;
    done[u] = 1;
    out.push({ node: u, onsetAt: tu, parent: parent[u], edge: via[u] });
    for (let e = graph.offsets[u]; e < graph.offsets[u + 1]; e++) {
      const v = graph.targets[e];
      if (done[v] === 1 || random.next() >= graph.probability[e]) continue;
      const t = tu + Math.max(MIN_HOP_DELAY_MS, random.exponential(graph.meanDelayMs[e]));
      if (t > horizonEnd || t >= time[v]) continue;
      time[v] = t;
      parent[v] = u;
      via[v] = e;
      heap.push(t, v);
    }
  }
  return out;
}

/** Monte Carlo estimate of each VM's chance of becoming anomalous by `horizonEnd`, with its mean onset when it does. */
export interface InfectionProbabilities {
  readonly probability: ReadonlyMap<string, number>;
  readonly meanOnsetAt: ReadonlyMap<string, number>;
}

/**
 * The TRUE probability that each VM becomes anomalous by `horizonEnd` given the seeds, by `samples` independent
 * cascades on the truth graph (seeds excluded from the result). This is the Bayes-optimal score given the seeds.
 */
export function infectionProbabilities(graph: TruthGraph, seeds: readonly CascadeSeed[], horizonEnd: number, samples: number, seed: number): InfectionProbabilities {
  const random = new SeededRandom(seed);
  const n = graph.vmIds.length;
  const stamp = new Int32Array(n);
  const time = new Float64Array(n);
  const hits = new Int32Array(n);
  const arrival = new Float64Array(n);
  const reached: number[] = [];
  const isSeed = new Uint8Array(n);
  for (const s of seeds) isSeed[s.node] = 1;
  const heap = new TimeHeap();
  for (let c = 1; c <= samples; c++) {
    heap.clear();
    for (const s of seeds) {
      if (stamp[s.node] !== c || s.onsetAt < time[s.node]) {
        stamp[s.node] = c;
        time[s.node] = s.onsetAt;
        heap.push(s.onsetAt, s.node);
      }
    }
    while (heap.size > 0) {
      const u = heap.pop();
      const tu = heap.lastTime;
      if (tu > time[u]) continue;
      time[u] = -Infinity; // done
      if (isSeed[u] === 0) {
        if (hits[u] === 0) reached.push(u);
        hits[u]++;
        arrival[u] += tu;
      }
      for (let e = graph.offsets[u]; e < graph.offsets[u + 1]; e++) {
        const v = graph.targets[e];
        if (stamp[v] === c && time[v] === -Infinity) continue;
        if (random.next() >= graph.probability[e]) continue;
        const t = tu + Math.max(MIN_HOP_DELAY_MS, random.exponential(graph.meanDelayMs[e]));
        if (t > horizonEnd) continue;
        if (stamp[v] !== c) {
          stamp[v] = c;
          time[v] = Infinity;
        }
        if (t >= time[v]) continue;
        time[v] = t;
        heap.push(t, v);
      }
    }
  }
  const probability = new Map<string, number>();
  const meanOnsetAt = new Map<string, number>();
  for (const v of reached) {
    probability.set(graph.vmIds[v], hits[v] / samples);
    meanOnsetAt.set(graph.vmIds[v], arrival[v] / hits[v]);
  }
  return { probability, meanOnsetAt };
}
