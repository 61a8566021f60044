import { SeededRandom } from '../seeded-random.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { IndexedMinHeap } from './min-heap.js';
import type { SourceNode } from './most-probable-path.js';
import type { TransmissionWeights } from './transmission-weights.js';

/** Per-node outcome of a Monte Carlo run: for each VM reached in at least one cascade, how often and how soon. */
export interface CascadeTally {
  /** VM node indices reached in at least one cascade (sources included). */
  readonly reached: readonly number[];
  /** Per node: number of cascades that reached it. */
  readonly hits: Int32Array;
  /** Per node: sum of arrival times over those cascades. */
  readonly arrivalSum: Float64Array;
}

const QUEUED = 1;
const BLOCKED = 2;
const DONE = 3;

/** Reusable buffers of the cascade simulation, one per snapshot; a per-cascade stamp avoids clearing them. */
class CascadeScratch {
  readonly stamp: Int32Array;
  readonly status: Uint8Array;
  readonly time: Float64Array;
  readonly hits: Int32Array;
  readonly arrivalSum: Float64Array;
  readonly heap: IndexedMinHeap;
  cascade = 0;
  reached: number[] = [];

  constructor(nodeCount: number) {
    this.stamp = new Int32Array(nodeCount);
    this.status = new Uint8Array(nodeCount);
    this.time = new Float64Array(nodeCount);
    this.hits = new Int32Array(nodeCount);
    this.arrivalSum = new Float64Array(nodeCount);
    this.heap = new IndexedMinHeap(nodeCount);
  }

  resetTally(): void {
    for (const v of this.reached) {
      this.hits[v] = 0;
      this.arrivalSum[v] = 0;
    }
    this.reached = [];
    if (this.cascade > 0x3fffffff) {
      this.stamp.fill(0);
      this.cascade = 0;
    }
  }
}

const scratchBySnapshot = new WeakMap<TopologySnapshot, CascadeScratch>();

/**
 * Independent-cascade reference estimator. Each cascade is one draw of the live-edge model: every (edge, direction)
 * is live with its transmission probability, every VM is susceptible with its evidence factor, independently; a VM
 * is reached when a live path of susceptible nodes leads to it from a source. Coins are drawn lazily (an edge when
 * its tail activates, a VM when first reached), which is the same distribution. Arrival time is the earliest
 * onset + Σ mean hop delays over live paths (Dijkstra on time within the cascade). Host hub edges are independent
 * edges like any other, so the co-located hops out of one VM share its VM→hub coin.
 */
export function simulateCascades(
  snapshot: TopologySnapshot, weights: TransmissionWeights, factorCost: Float64Array, sources: readonly SourceNode[], samples: number, seed: number,
): CascadeTally {
  let scratch = scratchBySnapshot.get(snapshot);
  if (scratch === undefined) scratchBySnapshot.set(snapshot, (scratch = new CascadeScratch(snapshot.nodeCount)));
  scratch.resetTally();
  const { stamp, status, time, hits, arrivalSum, heap } = scratch;
  const { outOffsets, outTargets, inOffsets, inSources, inEdges, vmCount } = snapshot;
  const { forwardCost, reverseCost, forwardDelayMs, reverseDelayMs } = weights;
  const random = new SeededRandom(seed);
  const reached = scratch.reached;

  // Offers node v an arrival at time t through a live hop; draws its susceptibility on first contact.
  const offer = (v: number, t: number, id: number): void => {
    if (stamp[v] !== id) {
      stamp[v] = id;
      const fc = factorCost[v];
      status[v] = fc > 0 && random.next() >= Math.exp(-fc) ? BLOCKED : QUEUED;
      time[v] = Infinity;
    }
    if (status[v] !== QUEUED || t >= time[v]) return;
    time[v] = t;
    heap.pushOrDecrease(v, t);
  };

  for (let c = 0; c < samples; c++) {
    const id = ++scratch.cascade;
    for (const source of sources) {
      const s = source.node;
      if (stamp[s] !== id) {
        stamp[s] = id;
        status[s] = QUEUED;
        time[s] = Infinity;
      }
      if (source.onsetAt < time[s]) {
        time[s] = source.onsetAt;
        heap.pushOrDecrease(s, source.onsetAt);
      }
    }
    while (heap.size > 0) {
      const u = heap.pop();
      status[u] = DONE;
      const tu = time[u];
      if (u < vmCount) {
        if (hits[u] === 0) reached.push(u);
        hits[u]++;
        arrivalSum[u] += tu;
      }
      for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) {
        const w = forwardCost[e];
        if (w === Infinity || random.next() >= Math.exp(-w)) continue;
        offer(outTargets[e], tu + forwardDelayMs[e], id);
      }
      for (let i = inOffsets[u], end = inOffsets[u + 1]; i < end; i++) {
        const e = inEdges[i];
        const w = reverseCost[e];
        if (w === Infinity || random.next() >= Math.exp(-w)) continue;
        offer(inSources[i], tu + reverseDelayMs[e], id);
      }
    }
  }
  return { reached, hits, arrivalSum };
}
