import type { TopologySnapshot } from '../topology/topology-snapshot.js';

/** VM node indices by vmId (code-unit order, as `<` compares strings), and each VM's position in that order. */
export interface VmIdOrder {
  readonly rankOf: Int32Array;
  readonly vmAt: Int32Array;
}

const orderBySnapshot = new WeakMap<TopologySnapshot, VmIdOrder>();
// Runs of equal probability up to this length are insertion-sorted; longer ones go through a numeric sort of ranks.
const INSERTION_RUN = 32;

/** The vmId order of a snapshot's VMs, computed on first use (one native string sort) and memoised with it. */
export function vmIdOrder(snapshot: TopologySnapshot): VmIdOrder {
  let order = orderBySnapshot.get(snapshot);
  if (order === undefined) {
    const ids = snapshot.vmIds();
    // NOTE: the default sort compares UTF-16 code units, exactly like `<` on strings, without a comparator call.
    const sorted = ids.slice().sort();
    const vmAt = new Int32Array(ids.length);
    const rankOf = new Int32Array(ids.length);
    for (let r = 0; r < sorted.length; r++) {
      const v = snapshot.indexOf(sorted[r]);
      vmAt[r] = v;
      rankOf[v] = r;
    }
    orderBySnapshot.set(snapshot, (order = { rankOf, vmAt }));
  }
  return order;
}

/**
 * Orders scored VMs by probability (desc), then vmId, in place over parallel typed arrays (`nodes[i]` has
 * `probability[i]` and `payload[i]`, which moves with it). When the input is already non-increasing (MPP settle
 * order) only runs of equal probability are sorted, by vmId rank; otherwise an index sort compares probabilities, then
 * ranks. No string comparisons.
 */
export function sortByRisk(nodes: Int32Array, probability: Float64Array, payload: Int32Array, count: number, order: VmIdOrder): void {
  for (let i = 1; i < count; i++) {
    if (probability[i] > probability[i - 1]) {
      sortAll(nodes, probability, payload, count, order.rankOf);
      return;
    }
  }
  const { rankOf } = order;
  for (let start = 0; start < count;) {
    const p = probability[start];
    let end = start + 1;
    while (end < count && probability[end] === p) end++;
    if (end - start > INSERTION_RUN) {
      const index = new Int32Array(end - start);
      for (let i = start; i < end; i++) index[i - start] = i;
      index.sort((a, b) => rankOf[nodes[a]] - rankOf[nodes[b]]);
      permute(nodes, payload, index, start);
    } else {
      for (let i = start + 1; i < end; i++) {
        const v = nodes[i];
        const x = payload[i];
        const r = rankOf[v];
        let j = i - 1;
        while (j >= start && rankOf[nodes[j]] > r) {
          nodes[j + 1] = nodes[j];
          payload[j + 1] = payload[j];
          j--;
        }
        nodes[j + 1] = v;
        payload[j + 1] = x;
      }
    }
    start = end;
  }
}

/** nodes[start + i] = old nodes[index[i]] (and the payload with it). */
function permute(nodes: Int32Array, payload: Int32Array, index: Int32Array, start: number): void {
  const n = nodes.slice(start, start + index.length);
  const x = payload.slice(start, start + index.length);
  for (let i = 0; i < index.length; i++) {
    nodes[start + i] = n[index[i] - start];
    payload[start + i] = x[index[i] - start];
  }
}

function sortAll(nodes: Int32Array, probability: Float64Array, payload: Int32Array, count: number, rankOf: Int32Array): void {
  const index = new Int32Array(count);
  for (let i = 0; i < count; i++) index[i] = i;
  index.sort((a, b) => probability[b] - probability[a] || rankOf[nodes[a]] - rankOf[nodes[b]]);
  const p = probability.slice(0, count);
  for (let i = 0; i < count; i++) probability[i] = p[index[i]];
  permute(nodes, payload, index, 0);
}
