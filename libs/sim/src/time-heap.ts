/** A binary min-heap of (time, node) pairs; stale entries are skipped by the caller. */
export class TimeHeap {
  private times: number[] = [];
  private nodes: number[] = [];

  get size(): number {
    return this.times.length;
  }

  clear(): void {
    this.times.length = 0;
    this.nodes.length = 0;
  }

  push(time: number, node: number): void {
    const { times, nodes } = this;
    let i = times.length;
    times.push(time);
    nodes.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      times[i] = times[parent];
      nodes[i] = nodes[parent];
      i = parent;
    }
    times[i] = time;
    nodes[i] = node;
  }

  /** Removes the earliest entry; returns its node, with its time in `lastTime`. */
  pop(): number {
    const { times, nodes } = this;
    const node = nodes[0];
    this.lastTime = times[0];
    const t = times.pop()!;
    const n = nodes.pop()!;
    if (times.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= times.length) break;
        const r = l + 1;
        const c = r < times.length && times[r] < times[l] ? r : l;
        if (times[c] >= t) break;
        times[i] = times[c];
        nodes[i] = nodes[c];
        i = c;
      }
      times[i] = t;
      nodes[i] = n;
    }
    return node;
  }

  lastTime = 0;
}
