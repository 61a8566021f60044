import type { PropagationCsr } from './propagation-csr.js';
import type { PropagationScratch } from './propagation-scratch.js';

/** A source resolved to its node index. */
export interface SourceNode {
  readonly node: number;
  readonly onsetAt: number;
}

/**
 * Multi-source Dijkstra over −log p: the most probable path (MPP) to every node whose best path costs at most
 * `limitCost` (−log of the floor; +Infinity scores the whole reachable graph). Every source starts at probability 1
 * (cost 0); entering a VM adds its evidence cost (−log factor). The type's propagation CSR lists every hop it can
 * make (edges forward and in reverse, each with its own cost), one contiguous range per node, so the inner loop has
 * no kind or direction checks; each node's hops are ordered by cost, so its scan stops at the first hop past the
 * floor. Fills `scratch` (dist, parents, settle order, eta) and returns the settled count.
 * Costs are ≥ 0, so nodes settle in order of decreasing probability and each path prefix is at least as likely as
 * the path: pruning at the floor never changes the value of a node above it.
 */
export function searchMostProbablePaths(
  csr: PropagationCsr, scratch: PropagationScratch, sources: readonly SourceNode[], limitCost: number,
): number {
  scratch.resetSearch();
  const { offsets, targets, costs, delaysMs } = csr;
  const { dist, parentNode, parentSlot, rank, eta, factorCost, order, settledParent, settledSlot, settledCost, settledEta, heap } = scratch;

  for (const source of sources) {
    const s = source.node;
    if (dist[s] === 0) {
      eta[s] = Math.min(eta[s], source.onsetAt);
      continue;
    }
    dist[s] = 0;
    parentNode[s] = -1;
    parentSlot[s] = -1;
    eta[s] = source.onsetAt;
    heap.push(s, 0);
  }

  let settled = 0;
  while (heap.size > 0) {
    const key = heap.peekKey();
    const u = heap.pop();
    // An entry a better path replaced (a node is pushed only on a strict improvement, so exactly its last entry has
    // key === dist[u], and that one settles it): skip it.
    if (key > dist[u]) continue;
    rank[u] = settled;
    order[settled] = u;
    const du = dist[u];
    const parent = parentNode[u];
    if (parent !== -1) {
      const slot = parentSlot[u];
      eta[u] = eta[parent] + delaysMs[slot];
      settledParent[settled] = rank[parent];
      settledSlot[settled] = slot;
    } else {
      settledParent[settled] = -1;
    }
    settledCost[settled] = du;
    settledEta[settled] = eta[u];
    settled++;
    for (let k = offsets[u], end = offsets[u + 1]; k < end; k++) {
      let nd = du + costs[k];
      if (nd > limitCost) break; // hops are ordered by cost: every later one falls below the floor too
      const v = targets[k];
      if (nd >= dist[v]) continue; // factor costs are ≥ 0: only load them for candidate improvements
      nd += factorCost[v];
      if (nd < dist[v] && nd <= limitCost) {
        dist[v] = nd;
        parentNode[v] = u;
        parentSlot[v] = k;
        heap.push(v, nd);
      }
    }
  }
  scratch.settledCount = settled;
  return settled;
}
