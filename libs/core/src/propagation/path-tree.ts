import { PATHWAY_KINDS } from '../topology/pathway.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { PropagationCsr } from './propagation-csr.js';
import type { HopContribution } from './propagation-score.js';
import type { PropagationScratch } from './propagation-scratch.js';

// Hop codes: kind index · 2 + (1 when the pathway is traversed in reverse); INTO_HUB marks the hop of a VM into a
// host hub, OUT_OF_HUB the hop out of one (the two make one CO_LOCATED hop), SOURCE a root of the tree.
const OUT_OF_HUB = 253;
const INTO_HUB = 254;
const SOURCE = 255;
const NO_HOPS: readonly HopContribution[] = Object.freeze([]);

/**
 * The most-probable-path tree of one scoring, captured from the search (which reuses its buffers for the next query)
 * so that every at-risk VM's explanation can be read later, and only when read: the path from a source and one
 * contribution per hop are materialised on first access and memoised, sharing each hop object with every descendant.
 * Positions are settle ranks (a parent always settles before its children), so the tree keeps only the ranks up to
 * the deepest entry it explains: O(settled) typed arrays, no strings or objects until an explanation is read.
 *
 * It keeps what explanations need and nothing of the snapshot but its VM and host id lists: the propagation CSR (tens
 * of MB on a large fleet) is read once, here, and can be collected when its snapshot is replaced.
 *
 * NOTE: a host hub never appears in a path: the hop through it is reported when the path leaves the hub, as one
 * CO_LOCATED hop carrying the shared host id.
 */
export class PathTree {
  private readonly vmIds: readonly string[];
  private readonly hostIds: readonly string[];
  private readonly vmCount: number;
  /** Node (VM or hub index) at each rank. */
  private readonly node: Int32Array;
  /** Rank of the parent, -1 for sources. */
  private readonly parentRank: Int32Array;
  /** −log p and mean delay of the hop into each rank, and its code (kind and direction, or a hub or source mark). */
  private readonly cost: Float64Array;
  private readonly delayMs: Float32Array;
  private readonly code: Uint8Array;
  private paths: (readonly string[] | undefined)[] | undefined;
  private hops: (readonly HopContribution[] | undefined)[] | undefined;

  /** Captures ranks 0 … `size` − 1 of the search left in `scratch`. */
  constructor(snapshot: TopologySnapshot, csr: PropagationCsr, scratch: PropagationScratch, size: number) {
    this.vmIds = snapshot.vmIds();
    this.hostIds = snapshot.hostIds();
    this.vmCount = snapshot.vmCount;
    const { order, settledParent, settledSlot } = scratch;
    const { costs, delaysMs, hops } = csr;
    const { edgeKind } = snapshot;
    const vmCount = snapshot.vmCount;
    this.node = order.slice(0, size);
    this.parentRank = settledParent.slice(0, size);
    this.cost = new Float64Array(size);
    this.delayMs = new Float32Array(size);
    this.code = new Uint8Array(size);
    const { node, parentRank, cost, delayMs, code } = this;
    for (let r = 0; r < size; r++) {
      const p = parentRank[r];
      if (p === -1) {
        code[r] = SOURCE;
        continue;
      }
      const slot = settledSlot[r];
      cost[r] = costs[slot];
      delayMs[r] = delaysMs[slot];
      const hop = hops[slot];
      code[r] = node[r] >= vmCount ? INTO_HUB : node[p] >= vmCount ? OUT_OF_HUB : edgeKind[hop >>> 1] * 2 + (hop & 1);
    }
  }

  /** VM ids from a source to the VM at `rank` along its likeliest path. */
  pathAt(rank: number): readonly string[] {
    this.explain(rank);
    return this.paths![rank]!;
  }

  /** One contribution per hop of `pathAt(rank)`. */
  contributionsAt(rank: number): readonly HopContribution[] {
    this.explain(rank);
    return this.hops![rank]!;
  }

  /** Materialises the explanation of `rank` and of any unexplained ancestor (walking up, then down: no recursion). */
  private explain(rank: number): void {
    const paths = (this.paths ??= new Array<readonly string[] | undefined>(this.node.length));
    this.hops ??= new Array<readonly HopContribution[] | undefined>(this.node.length);
    if (paths[rank] !== undefined) return;
    const { parentRank } = this;
    let length = 0;
    for (let r = rank; parentRank[r] !== -1 && paths[parentRank[r]] === undefined; r = parentRank[r]) length++;
    const chain = new Int32Array(length + 1);
    for (let r = rank, i = length; i >= 0; r = parentRank[r], i--) chain[i] = r;
    for (let i = 0; i <= length; i++) this.explainFromParent(chain[i]);
  }

  private explainFromParent(r: number): void {
    const paths = this.paths!;
    const hops = this.hops!;
    const v = this.node[r];
    const p = this.parentRank[r];
    if (p === -1) {
      paths[r] = v < this.vmCount ? [this.vmIds[v]] : [];
      hops[r] = NO_HOPS;
      return;
    }
    const abovePath = paths[p]!;
    const aboveHops = hops[p]!;
    if (v >= this.vmCount) {
      paths[r] = abovePath;
      hops[r] = aboveHops;
      return;
    }
    const n = aboveHops.length;
    // NOTE: pre-sized copies: several times cheaper than slice() + push(), which reallocates on the push.
    const path = new Array<string>(n + 2);
    const contributions = new Array<HopContribution>(n + 1);
    for (let i = 0; i < n; i++) {
      path[i] = abovePath[i];
      contributions[i] = aboveHops[i];
    }
    path[n] = abovePath[n];
    path[n + 1] = this.vmIds[v];
    contributions[n] = this.hopInto(r, p);
    paths[r] = path;
    hops[r] = contributions;
  }

  private hopInto(r: number, p: number): HopContribution {
    const code = this.code[r];
    if (code === OUT_OF_HUB) {
      return {
        from: this.vmIds[this.node[this.parentRank[p]]],
        to: this.vmIds[this.node[r]],
        kind: 'CO_LOCATED',
        direction: 'forward',
        probability: Math.exp(-(this.cost[p] + this.cost[r])),
        delayMs: this.delayMs[p] + this.delayMs[r],
        hostId: this.hostIds[this.node[p] - this.vmCount],
      };
    }
    return {
      from: this.vmIds[this.node[p]],
      to: this.vmIds[this.node[r]],
      kind: PATHWAY_KINDS[code >> 1],
      direction: (code & 1) === 1 ? 'reverse' : 'forward',
      probability: Math.exp(-this.cost[r]),
      delayMs: this.delayMs[r],
    };
  }
}
