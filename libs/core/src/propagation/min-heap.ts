/**
 * A binary min-heap of node indices keyed by float64 priorities, with decrease-key, over typed arrays (Monte Carlo
 * cascades; the most-probable-path search uses LazyMinHeap)
 * (no allocation after construction). Each node is in the heap at most once; `position` maps node → slot
 * (-1 when absent) and returns to all -1 once the heap is drained, so reuse costs nothing.
 */
export class IndexedMinHeap {
  private readonly keys: Float64Array;
  private readonly nodes: Int32Array;
  private readonly position: Int32Array;
  private count = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(capacity);
    this.nodes = new Int32Array(capacity);
    this.position = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Inserts `node` with `key`, or lowers its key when it is already queued with a larger one. */
  pushOrDecrease(node: number, key: number): void {
    let i = this.position[node];
    if (i === -1) {
      i = this.count++;
    } else if (key >= this.keys[i]) {
      return;
    }
    this.siftUp(i, node, key);
  }

  /** Key of the minimum (undefined behaviour when empty). */
  peekKey(): number {
    return this.keys[0];
  }

  /** Removes and returns the node with the smallest key (-1 when empty). */
  pop(): number {
    if (this.count === 0) return -1;
    const top = this.nodes[0];
    this.position[top] = -1;
    const last = --this.count;
    if (last > 0) this.siftDown(0, this.nodes[last], this.keys[last]);
    return top;
  }

  /** Empties the heap (O(size)). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.position[this.nodes[i]] = -1;
    this.count = 0;
  }

  private siftUp(start: number, node: number, key: number): void {
    const { keys, nodes, position } = this;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentKey = keys[parent];
      if (parentKey <= key) break;
      keys[i] = parentKey;
      const moved = nodes[parent];
      nodes[i] = moved;
      position[moved] = i;
      i = parent;
    }
    keys[i] = key;
    nodes[i] = node;
    position[node] = i;
  }

  private siftDown(start: number, node: number, key: number): void {
    const { keys, nodes, position } = this;
    const n = this.count;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && keys[right] < keys[child]) child = right;
      const childKey = keys[child];
      if (childKey >= key) break;
      keys[i] = childKey;
      const moved = nodes[child];
      nodes[i] = moved;
      position[moved] = i;
      i = child;
    }
    keys[i] = key;
    nodes[i] = node;
    position[node] = i;
  }
}
