import { PATHWAY_KINDS } from '../topology/pathway.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { PropagationCsr } from './propagation-csr.js';
import type { HopContribution } from './propagation-score.js';
import type { PropagationScratch } from './propagation-scratch.js';

/**
 * Explanations read from the most-probable-path tree the last search left in the scratch, per settle rank: the VM
 * ids from a source and one contribution per hop. A host hub shares its parent's arrays (its hop is reported when the
 * path leaves the hub, as one CO_LOCATED hop), so hubs never appear. Entries are undefined until explained.
 */
export interface Explanations {
  readonly paths: (string[] | undefined)[];
  readonly hops: (HopContribution[] | undefined)[];
}

/** Empty explanations for the last search (nothing explained yet). */
export function emptyExplanations(scratch: PropagationScratch): Explanations {
  return { paths: new Array<string[] | undefined>(scratch.settledCount), hops: new Array<HopContribution[] | undefined>(scratch.settledCount) };
}

/**
 * Explains every settled node in settle order (parents first): the fast way when most settled nodes get an entry.
 * Each VM gets one hop object (the hop into it), shared by every descendant's contributions; its path and
 * contributions are the parent's copied into pre-sized arrays plus that hop, so the cost is O(Σ path length) copies.
 *
 * NOTE: plain functions over locals rather than methods of a per-query object: as methods, their optimised code was
 * thrown away ("weak objects" deopts) every time a query's explainer died, which cost ~1.5× on 100k-VM scores.
 */
export function explainSettled(snapshot: TopologySnapshot, csr: PropagationCsr, scratch: PropagationScratch, out: Explanations): void {
  const { order, settledCount } = scratch;
  for (let k = 0; k < settledCount; k++) explainFromParent(snapshot, csr, scratch, out, order[k], k);
}

/** Explains one settled node and any unexplained ancestors (walking up, then down: no recursion). */
export function explainNode(snapshot: TopologySnapshot, csr: PropagationCsr, scratch: PropagationScratch, out: Explanations, node: number): void {
  const { parentNode, rank } = scratch;
  let top = node;
  let length = 0;
  while (parentNode[top] !== -1 && out.paths[rank[parentNode[top]]] === undefined) {
    top = parentNode[top];
    length++;
  }
  // Explain from `top` down to `node`: re-walk from node to collect the chain in reverse.
  const chain = new Int32Array(length + 1);
  for (let u = node, i = length; i >= 0; u = parentNode[u], i--) chain[i] = u;
  for (let i = 0; i <= length; i++) explainFromParent(snapshot, csr, scratch, out, chain[i], rank[chain[i]]);
}

function explainFromParent(snapshot: TopologySnapshot, csr: PropagationCsr, scratch: PropagationScratch, out: Explanations, v: number, r: number): void {
  const { paths, hops } = out;
  const ids = snapshot.vmIds();
  const parent = scratch.parentNode[v];
  if (parent === -1) {
    paths[r] = [ids[v]];
    hops[r] = [];
    return;
  }
  const pr = scratch.rank[parent];
  const abovePath = paths[pr]!;
  const aboveHops = hops[pr]!;
  if (v >= snapshot.vmCount) {
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
  path[n + 1] = ids[v];
  contributions[n] = hopInto(snapshot, csr, scratch, v, parent);
  paths[r] = path;
  hops[r] = contributions;
}

function hopInto(snapshot: TopologySnapshot, csr: PropagationCsr, scratch: PropagationScratch, v: number, parent: number): HopContribution {
  const ids = snapshot.vmIds();
  const slot = scratch.parentSlot[v];
  if (parent >= snapshot.vmCount) {
    const entry = scratch.parentSlot[parent];
    return {
      from: ids[scratch.parentNode[parent]],
      to: ids[v],
      kind: 'CO_LOCATED',
      direction: 'forward',
      probability: Math.exp(-(csr.costs[entry] + csr.costs[slot])),
      delayMs: csr.delaysMs[entry] + csr.delaysMs[slot],
      hostId: snapshot.hostIdAt(parent)!,
    };
  }
  const hop = csr.hops[slot];
  return {
    from: ids[parent],
    to: ids[v],
    kind: PATHWAY_KINDS[snapshot.edgeKind[hop >>> 1]],
    direction: (hop & 1) === 1 ? 'reverse' : 'forward',
    probability: Math.exp(-csr.costs[slot]),
    delayMs: csr.delaysMs[slot],
  };
}
