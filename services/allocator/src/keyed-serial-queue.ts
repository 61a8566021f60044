/**
 * Runs async work one at a time per key inside this process (a handler and tick() touching the same incident
 * document must not interleave their read-modify-write). Work on different keys runs concurrently.
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier work of `key` settled; resolves or rejects with its result. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /**
   * Runs `work` holding every key at once: taken one by one in sorted order, so two callers holding several keys never
   * wait on each other in a cycle (single-key work holds nothing while it waits).
   */
  runAll<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const hold = (i: number): Promise<T> => (i === sorted.length ? work() : this.run(sorted[i], () => hold(i + 1)));
    return hold(0);
  }
}
