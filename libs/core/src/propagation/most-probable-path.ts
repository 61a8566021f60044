import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { PropagationScratch } from './propagation-scratch.js';
import type { TransmissionWeights } from './transmission-weights.js';

/** A source resolved to its node index. */
export interface SourceNode {
  readonly node: number;
  readonly onsetAt: number;
}

/**
 * Multi-source Dijkstra over −log p: the most probable path (MPP) to every node whose best path costs at most
 * `limitCost` (−log of the floor; +Infinity scores the whole reachable graph). Every source starts at probability 1
 * (cost 0); entering a VM adds its evidence cost (−log factor). Edges are travelled forward and in reverse, each
 * with its own cost. Fills `scratch` (dist, parents, settle order, eta) and returns the number of settled nodes.
 * Costs are ≥ 0, so nodes settle in order of decreasing probability and each path prefix is at least as likely as
 * the path: pruning at the floor never changes the value of a node above it.
 */
export function searchMostProbablePaths(
  snapshot: TopologySnapshot, weights: TransmissionWeights, scratch: PropagationScratch, sources: readonly SourceNode[], limitCost: number,
): number {
  scratch.resetSearch();
  const { outOffsets, outTargets, inOffsets, inSources, inEdges } = snapshot;
  const { forwardCost, reverseCostIn, forwardDelayMs, reverseDelayMs } = weights;
  const { dist, parentNode, parentHop, rank, eta, factorCost, order, heap } = scratch;

  for (const source of sources) {
    const s = source.node;
    if (dist[s] === 0) {
      eta[s] = Math.min(eta[s], source.onsetAt);
      continue;
    }
    dist[s] = 0;
    parentNode[s] = -1;
    parentHop[s] = -1;
    eta[s] = source.onsetAt;
    heap.pushOrDecrease(s, 0);
  }

  let settled = 0;
  while (heap.size > 0) {
    const u = heap.pop();
    rank[u] = settled;
    order[settled++] = u;
    const du = dist[u];
    const parent = parentNode[u];
    if (parent !== -1) {
      const hop = parentHop[u];
      eta[u] = eta[parent] + ((hop & 1) === 0 ? forwardDelayMs[hop >>> 1] : reverseDelayMs[hop >>> 1]);
    }
    for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) {
      const w = forwardCost[e];
      if (w === Infinity) continue;
      const v = outTargets[e];
      let nd = du + w;
      if (nd >= dist[v]) continue; // factor costs are ≥ 0: only load them for candidate improvements
      nd += factorCost[v];
      if (nd < dist[v] && nd <= limitCost) {
        dist[v] = nd;
        parentNode[v] = u;
        parentHop[v] = e << 1;
        heap.pushOrDecrease(v, nd);
      }
    }
    for (let i = inOffsets[u], end = inOffsets[u + 1]; i < end; i++) {
      const w = reverseCostIn[i];
      if (w === Infinity) continue;
      const v = inSources[i];
      let nd = du + w;
      if (nd >= dist[v]) continue;
      nd += factorCost[v];
      if (nd < dist[v] && nd <= limitCost) {
        dist[v] = nd;
        parentNode[v] = u;
        parentHop[v] = (inEdges[i] << 1) | 1;
        heap.pushOrDecrease(v, nd);
      }
    }
  }
  scratch.settledCount = settled;
  return settled;
}
