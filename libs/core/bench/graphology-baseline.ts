// The comparison baseline of the scoring bench: graphology-shortest-path's Dijkstra over the same traversable edges.
import Graph from 'graphology';
import type { MultiDirectedGraph } from 'graphology';
import { dijkstra } from 'graphology-shortest-path';
import type { TransmissionWeights } from '../src/propagation/transmission-weights.js';
import type { TopologySnapshot } from '../src/topology/topology-snapshot.js';

/** A graphology graph with one directed edge per finite forward / reverse cost of the snapshot, weighted by it. */
export function graphologyGraph(snapshot: TopologySnapshot, weights: TransmissionWeights): MultiDirectedGraph<Record<string, never>, { w: number }> {
  const g = new Graph.MultiDirectedGraph<Record<string, never>, { w: number }>();
  for (let v = 0; v < snapshot.nodeCount; v++) g.addNode(String(v));
  for (let u = 0; u < snapshot.nodeCount; u++) {
    for (let e = snapshot.outOffsets[u]; e < snapshot.outOffsets[u + 1]; e++) {
      const v = snapshot.outTargets[e];
      if (weights.forwardCost[e] < Infinity) g.addDirectedEdge(String(u), String(v), { w: weights.forwardCost[e] });
      if (weights.reverseCost[e] < Infinity) g.addDirectedEdge(String(v), String(u), { w: weights.reverseCost[e] });
    }
  }
  return g;
}

/** Single-source Dijkstra with graphology (a path, as an array of node keys, per reached node); returns how many nodes it reached. */
export function graphologySingleSource(graph: MultiDirectedGraph<Record<string, never>, { w: number }>, node: number): number {
  return Object.keys(dijkstra.singleSource(graph, String(node), 'w')).length;
}
