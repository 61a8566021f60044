import type { IdempotencyStore } from './idempotency-store.js';

/** An IdempotencyStore in a Map, for the embedded mode and tests. `now` is injectable for simulations. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  has(key: string): Promise<boolean> {
    return Promise.resolve(this.isLive(key));
  }

  claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.isLive(key)) return Promise.resolve(false);
    this.expiries.set(key, this.now() + ttlMs);
    return Promise.resolve(true);
  }

  hasMany(keys: readonly string[]): Promise<boolean[]> {
    return Promise.resolve(keys.map((key) => this.isLive(key)));
  }

  claimMany(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    return Promise.resolve(keys.map((key) => {
      if (this.isLive(key)) return false;
      this.expiries.set(key, this.now() + ttlMs);
      return true;
    }));
  }

  release(key: string): Promise<void> {
    this.expiries.delete(key);
    return Promise.resolve();
  }

  /** How many keys are marked (expired ones included until touched). */
  get size(): number {
    return this.expiries.size;
  }

  private isLive(key: string): boolean {
    const expiry = this.expiries.get(key);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.expiries.delete(key);
    return false;
  }
}
