import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { TransmissionWeights } from './transmission-weights.js';

/**
 * The traversable graph of one anomaly type over one snapshot (its "propagation CSR"): for every node, one
 * contiguous range of the hops the type can make out of it (carried out-edges forward, carried in-edges in reverse,
 * host hub edges included), ordered by cost (most probable hop first). Hops the type does not carry are left out, so
 * a search scans `targets` / `costs` with no kind or direction checks, and a pruned search stops scanning a node's
 * range at the first hop that would fall below the floor: a popular database with thousands of callers costs only the
 * hops that matter.
 *
 * NOTE: among hops of equal cost the order is the build order (forward out-edges in forward CSR order, then reverse
 * in-edges in reverse CSR order), so results, ties included, are deterministic.
 */
export interface PropagationCsr {
  /** Hops out of node u are the slots offsets[u] .. offsets[u+1]-1. */
  readonly offsets: Int32Array;
  /** Head of each hop (the node the anomaly moves to). */
  readonly targets: Int32Array;
  /** −log p of each hop (float64: the same values as the transmission weights). */
  readonly costs: Float64Array;
  /** Mean delay of each hop. */
  readonly delaysMs: Float32Array;
  /** Snapshot edge of each hop: 2·edge for a forward traversal, 2·edge + 1 for a reverse one. */
  readonly hops: Int32Array;
}

const csrByWeights = new WeakMap<TransmissionWeights, PropagationCsr>();

/** The propagation CSR of (snapshot, weights), built on first use and memoised with the weights (O(V + E)). */
export function propagationCsr(snapshot: TopologySnapshot, weights: TransmissionWeights): PropagationCsr {
  let csr = csrByWeights.get(weights);
  if (csr === undefined) csrByWeights.set(weights, (csr = buildPropagationCsr(snapshot, weights)));
  return csr;
}

/** Bytes held by a propagation CSR's typed arrays. */
export function propagationCsrBytes(csr: PropagationCsr): number {
  return csr.offsets.byteLength + csr.targets.byteLength + csr.costs.byteLength + csr.delaysMs.byteLength + csr.hops.byteLength;
}

function buildPropagationCsr(snapshot: TopologySnapshot, weights: TransmissionWeights): PropagationCsr {
  const { nodeCount, outOffsets, outTargets, inOffsets, inSources, inEdges } = snapshot;
  const { forwardCost, reverseCostIn, forwardDelayMs, reverseDelayMs } = weights;
  const offsets = new Int32Array(nodeCount + 1);
  for (let u = 0; u < nodeCount; u++) {
    let degree = 0;
    for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) if (forwardCost[e] !== Infinity) degree++;
    for (let i = inOffsets[u], end = inOffsets[u + 1]; i < end; i++) if (reverseCostIn[i] !== Infinity) degree++;
    offsets[u + 1] = offsets[u] + degree;
  }
  const size = offsets[nodeCount];
  const targets = new Int32Array(size);
  const costs = new Float64Array(size);
  const delaysMs = new Float32Array(size);
  const hops = new Int32Array(size);
  let at = 0;
  for (let u = 0; u < nodeCount; u++) {
    for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) {
      const w = forwardCost[e];
      if (w === Infinity) continue;
      targets[at] = outTargets[e];
      costs[at] = w;
      delaysMs[at] = forwardDelayMs[e];
      hops[at] = e << 1;
      at++;
    }
    for (let i = inOffsets[u], end = inOffsets[u + 1]; i < end; i++) {
      const w = reverseCostIn[i];
      if (w === Infinity) continue;
      const e = inEdges[i];
      targets[at] = inSources[i];
      costs[at] = w;
      delaysMs[at] = reverseDelayMs[e];
      hops[at] = (e << 1) | 1;
      at++;
    }
    sortRangeByCost(offsets[u], at, targets, costs, delaysMs, hops);
  }
  return { offsets, targets, costs, delaysMs, hops };
}

// Ranges up to this length are insertion-sorted in place; longer ones go through an index sort.
const INSERTION_RANGE = 24;

/** Orders the hops start … end − 1 by cost, stably (equal costs keep their build order). */
function sortRangeByCost(start: number, end: number, targets: Int32Array, costs: Float64Array, delaysMs: Float32Array, hops: Int32Array): void {
  const n = end - start;
  if (n < 2) return;
  let sorted = true;
  for (let k = start + 1; k < end && sorted; k++) sorted = costs[k - 1] <= costs[k];
  if (sorted) return;
  if (n <= INSERTION_RANGE) {
    for (let i = start + 1; i < end; i++) {
      const c = costs[i];
      const t = targets[i];
      const d = delaysMs[i];
      const h = hops[i];
      let j = i - 1;
      for (; j >= start && costs[j] > c; j--) {
        costs[j + 1] = costs[j];
        targets[j + 1] = targets[j];
        delaysMs[j + 1] = delaysMs[j];
        hops[j + 1] = hops[j];
      }
      costs[j + 1] = c;
      targets[j + 1] = t;
      delaysMs[j + 1] = d;
      hops[j + 1] = h;
    }
    return;
  }
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = start + i;
  index.sort((a, b) => costs[a] - costs[b] || a - b);
  const c = costs.slice(start, end);
  const t = targets.slice(start, end);
  const d = delaysMs.slice(start, end);
  const h = hops.slice(start, end);
  for (let i = 0; i < n; i++) {
    const from = index[i] - start;
    costs[start + i] = c[from];
    targets[start + i] = t[from];
    delaysMs[start + i] = d[from];
    hops[start + i] = h[from];
  }
}
