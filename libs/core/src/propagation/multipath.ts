import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { PropagationScratch } from './propagation-scratch.js';
import type { TransmissionWeights } from './transmission-weights.js';

/**
 * Noisy-or over the DAG the last MPP search induced: nodes are processed in settle order (non-decreasing MPP cost)
 * and each one combines every in-hop from an earlier-settled node of the region,
 *   reach(v) = factor(v) · (1 − Π_{u→v, rank(u) < rank(v)} (1 − reach(u) · p(u→v))),   reach(source) = 1.
 * It counts several routes where MPP keeps one, but treats the routes as independent (shared prefixes are counted
 * more than once), and it only sees the pruned region. The MPP parent is always one of the in-hops, so
 * MPP ≤ reach ≤ 1, with equality to MPP on trees. Writes scratch.reach for every settled node.
 */
export function computeMultipathReach(snapshot: TopologySnapshot, weights: TransmissionWeights, scratch: PropagationScratch): void {
  const { outOffsets, outTargets, inOffsets, inSources, inEdges } = snapshot;
  const { forwardCost, reverseCost } = weights;
  const { dist, rank, order, parentNode, factorCost, reach } = scratch;
  for (let k = 0; k < scratch.settledCount; k++) {
    const v = order[k];
    if (parentNode[v] === -1) {
      reach[v] = 1;
      continue;
    }
    let miss = 1;
    // Forward traversals u → v are v's in-edges.
    for (let i = inOffsets[v], end = inOffsets[v + 1]; i < end; i++) {
      const u = inSources[i];
      const w = forwardCost[inEdges[i]];
      if (w === Infinity || dist[u] === Infinity || rank[u] >= k) continue;
      miss *= 1 - reach[u] * Math.exp(-w);
    }
    // Reverse traversals u → v run against v's out-edges v → u.
    for (let e = outOffsets[v], end = outOffsets[v + 1]; e < end; e++) {
      const u = outTargets[e];
      const w = reverseCost[e];
      if (w === Infinity || dist[u] === Infinity || rank[u] >= k) continue;
      miss *= 1 - reach[u] * Math.exp(-w);
    }
    reach[v] = (1 - miss) * Math.exp(-factorCost[v]);
  }
}
