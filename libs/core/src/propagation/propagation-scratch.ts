import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { LazyMinHeap } from './lazy-min-heap.js';

/**
 * Reusable per-snapshot buffers of a search, allocated once per snapshot. Only the entries a search touched are
 * reset (at the start of the next search), so a pruned query costs O(touched), not O(nodes).
 * NOTE: scoring is synchronous and single-threaded, so one scratch per snapshot is never used by two searches at once.
 */
export class PropagationScratch {
  /** Cost (−log probability) of the best path found so far; +Infinity when untouched. */
  readonly dist: Float64Array;
  /** Previous node on the best path (-1 for sources). */
  readonly parentNode: Int32Array;
  /** Propagation-CSR slot of the last hop on the best path (-1 for sources). */
  readonly parentSlot: Int32Array;
  /** Position of each node in the settle order of the last search. */
  readonly rank: Int32Array;
  /** Expected event time of arrival along the best path. */
  readonly eta: Float64Array;
  /** −log of each VM's evidence factor; 0 when absent. */
  readonly factorCost: Float64Array;
  /** Per-estimator probability of each settled node (multipath). */
  readonly reach: Float64Array;
  /** Nodes settled by the last search, in order of increasing cost. */
  readonly order: Int32Array;
  /** Per settle rank: the rank of the node's parent (-1 for sources) and the propagation-CSR slot of its last hop. */
  readonly settledParent: Int32Array;
  readonly settledSlot: Int32Array;
  /** Per settle rank: the node's best cost and ETA (sequential copies, so reading results costs no random access). */
  readonly settledCost: Float64Array;
  readonly settledEta: Float64Array;
  /** Output buffers of an estimator: the scored VMs, their settle ranks, probabilities (ordered by sortByRisk), ETAs. */
  readonly riskNodes: Int32Array;
  readonly riskRank: Int32Array;
  readonly riskProbability: Float64Array;
  readonly riskEta: Float64Array;
  readonly heap: LazyMinHeap;
  settledCount = 0;
  private readonly factorNodes: number[] = [];

  constructor(nodeCount: number) {
    this.dist = new Float64Array(nodeCount).fill(Infinity);
    this.parentNode = new Int32Array(nodeCount);
    this.parentSlot = new Int32Array(nodeCount);
    this.rank = new Int32Array(nodeCount);
    this.eta = new Float64Array(nodeCount);
    this.factorCost = new Float64Array(nodeCount);
    this.reach = new Float64Array(nodeCount);
    this.order = new Int32Array(nodeCount);
    this.settledParent = new Int32Array(nodeCount);
    this.settledSlot = new Int32Array(nodeCount);
    this.settledCost = new Float64Array(nodeCount);
    this.settledEta = new Float64Array(nodeCount);
    this.riskNodes = new Int32Array(nodeCount);
    this.riskRank = new Int32Array(nodeCount);
    this.riskProbability = new Float64Array(nodeCount);
    this.riskEta = new Float64Array(nodeCount);
    this.heap = new LazyMinHeap(nodeCount);
  }

  /** Forgets the last search (O(settled)). */
  resetSearch(): void {
    const { dist, order } = this;
    for (let k = 0; k < this.settledCount; k++) dist[order[k]] = Infinity;
    this.settledCount = 0;
    this.heap.clear();
  }

  /** Sets the evidence factor of a node (factor in [0, 1]; 0 blocks it). */
  setFactor(node: number, factor: number): void {
    this.factorCost[node] = -Math.log(factor);
    this.factorNodes.push(node);
  }

  /** Removes every evidence factor. */
  clearFactors(): void {
    for (const node of this.factorNodes) this.factorCost[node] = 0;
    this.factorNodes.length = 0;
  }
}

const scratchBySnapshot = new WeakMap<TopologySnapshot, PropagationScratch>();

/** The scratch buffers of a snapshot (created on first use, collected with the snapshot). */
export function scratchFor(snapshot: TopologySnapshot): PropagationScratch {
  let scratch = scratchBySnapshot.get(snapshot);
  if (scratch === undefined) scratchBySnapshot.set(snapshot, (scratch = new PropagationScratch(snapshot.nodeCount)));
  return scratch;
}
