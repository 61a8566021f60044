import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { HopContribution } from './propagation-score.js';
import type { PropagationScratch } from './propagation-scratch.js';
import type { TransmissionWeights } from './transmission-weights.js';

/** The likeliest path to a node: VM ids from a source, and one contribution per hop. */
export interface PathExplanation {
  readonly path: readonly string[];
  readonly contributions: readonly HopContribution[];
}

/**
 * Reads the most-probable-path tree left in the scratch by the last search. Explanations are memoised per node
 * and hop objects are shared with descendants, so explaining every settled node costs O(Σ path length) copies
 * and one hop object per node. Host hubs never appear: VM→hub→VM is collapsed into one CO_LOCATED hop.
 */
export class PathExplainer {
  private readonly memo: (PathExplanation | undefined)[];

  constructor(
    private readonly snapshot: TopologySnapshot,
    private readonly weights: TransmissionWeights,
    private readonly scratch: PropagationScratch,
  ) {
    this.memo = new Array<PathExplanation | undefined>(scratch.settledCount);
  }

  /** The explanation of a settled node. */
  explain(node: number): PathExplanation {
    const { parentNode, rank } = this.scratch;
    const parent = parentNode[node];
    if (parent !== -1 && this.memo[rank[parent]] !== undefined) {
      // Fast path: explaining in settle order, the parent is always explained already.
      const explanation = this.explainFromParent(node);
      this.memo[rank[node]] = explanation;
      return explanation;
    }
    // Walk up to the nearest explained ancestor (or a source), then explain downwards: no recursion.
    const chain: number[] = [];
    let u = node;
    while (u !== -1 && this.memo[rank[u]] === undefined) {
      chain.push(u);
      u = parentNode[u]!;
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      const v = chain[k];
      this.memo[rank[v]] = this.explainFromParent(v);
    }
    return this.memo[rank[node]]!;
  }

  private explainFromParent(v: number): PathExplanation {
    const { snapshot, scratch } = this;
    const parent = scratch.parentNode[v];
    if (parent === -1) return { path: [snapshot.vmIdAt(v)!], contributions: [] };
    const above = this.memo[scratch.rank[parent]]!;
    if (snapshot.isHostHub(v)) return above; // the hop is reported when the path leaves the hub
    const hop = this.hopInto(v, parent);
    const path = above.path.slice();
    path.push(hop.to);
    const contributions = above.contributions.slice();
    contributions.push(hop);
    return { path, contributions };
  }

  private hopInto(v: number, parent: number): HopContribution {
    const { snapshot, scratch, weights } = this;
    const hop = scratch.parentHop[v];
    const edge = hop >>> 1;
    const to = snapshot.vmIdAt(v)!;
    if (snapshot.isHostHub(parent)) {
      const entry = scratch.parentHop[parent] >>> 1;
      return {
        from: snapshot.vmIdAt(scratch.parentNode[parent])!,
        to,
        kind: 'CO_LOCATED',
        direction: 'forward',
        probability: Math.exp(-(weights.forwardCost[entry] + weights.forwardCost[edge])),
        delayMs: weights.forwardDelayMs[entry] + weights.forwardDelayMs[edge],
        hostId: snapshot.hostIdAt(parent)!,
      };
    }
    const reverse = (hop & 1) === 1;
    return {
      from: snapshot.vmIdAt(parent)!,
      to,
      kind: snapshot.kindOf(edge),
      direction: reverse ? 'reverse' : 'forward',
      probability: Math.exp(-(reverse ? weights.reverseCost[edge] : weights.forwardCost[edge])),
      delayMs: reverse ? weights.reverseDelayMs[edge] : weights.forwardDelayMs[edge],
    };
  }
}
