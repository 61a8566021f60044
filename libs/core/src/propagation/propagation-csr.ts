import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { TransmissionWeights } from './transmission-weights.js';

/**
 * The traversable graph of one anomaly type over one snapshot (its "propagation CSR"): for every node, one
 * contiguous range of the hops the type can make out of it, forward-carried out-edges first (in forward CSR order),
 * then reverse-carried in-edges (in reverse CSR order), host hub edges included. Hops the type does not carry are
 * left out, so a search scans `targets` / `costs` with no kind or direction checks.
 *
 * NOTE: the hop order is the order the snapshot-based search used to relax edges in, so searches over the CSR pick
 * the same parent among equally likely paths and produce exactly the same results.
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
  }
  return { offsets, targets, costs, delaysMs, hops };
}
