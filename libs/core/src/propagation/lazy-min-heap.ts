/**
 * A binary min-heap of (key, node) entries over typed arrays, without decrease-key: a better key for a node is pushed
 * as a new entry and the old one is skipped when it comes out (the search compares the popped key with the node's
 * best). Without a node → slot map to keep up to date on every sift step, each heap operation touches two arrays
 * instead of three: measured 11–16% faster whole-graph searches when the caches are cold (docs/propagation-model.md).
 * Grows by doubling (a search pushes at most once per improvement); `clear()` is O(1).
 */
export class LazyMinHeap {
  private keys: Float64Array;
  private nodes: Int32Array;
  private count = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(16, capacity));
    this.nodes = new Int32Array(Math.max(16, capacity));
  }

  get size(): number {
    return this.count;
  }

  /** Key of the minimum entry (undefined behaviour when empty). */
  peekKey(): number {
    return this.keys[0];
  }

  push(node: number, key: number): void {
    if (this.count === this.keys.length) this.grow();
    const { keys, nodes } = this;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentKey = keys[parent];
      if (parentKey <= key) break;
      keys[i] = parentKey;
      nodes[i] = nodes[parent];
      i = parent;
    }
    keys[i] = key;
    nodes[i] = node;
  }

  /** Removes and returns the node of the minimum entry (read its key with peekKey() first); -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const { keys, nodes } = this;
    const top = nodes[0];
    const last = --this.count;
    if (last > 0) {
      const key = keys[last];
      const node = nodes[last];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= last) break;
        if (child + 1 < last && keys[child + 1] < keys[child]) child++;
        const childKey = keys[child];
        if (childKey >= key) break;
        keys[i] = childKey;
        nodes[i] = nodes[child];
        i = child;
      }
      keys[i] = key;
      nodes[i] = node;
    }
    return top;
  }

  clear(): void {
    this.count = 0;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const nodes = new Int32Array(this.nodes.length * 2);
    nodes.set(this.nodes);
    this.keys = keys;
    this.nodes = nodes;
  }
}
