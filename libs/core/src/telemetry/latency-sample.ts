/**
 * Latencies of one pathway in one window, bounded: once `capacity` values are held, every other one is dropped and
 * only every 2nd, then 4th… value is kept from then on (a deterministic, evenly spread sample), so memory stays at
 * `capacity` numbers whatever the call rate. The count is exact; quantiles come from the sample.
 */
export class LatencySample {
  private values: number[] = [];
  private stride = 1;
  private seen = 0;

  constructor(private readonly capacity: number) {}

  add(value: number): void {
    this.seen += 1;
    if ((this.seen - 1) % this.stride !== 0) return;
    this.values.push(value);
    if (this.values.length >= this.capacity && this.capacity > 1) {
      this.values = this.values.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** How many values were added (not only kept). */
  get count(): number {
    return this.seen;
  }

  /** Nearest-rank quantiles of the kept values (0 when empty), in the order asked. */
  quantiles(qs: readonly number[]): number[] {
    const sorted = Float64Array.from(this.values).sort();
    return qs.map((q) => nearestRank(sorted, q));
  }
}

/** Nearest-rank quantile of sorted values (the one the direct Nezha import uses): 0 when empty. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
