/**
 * Remembers which events a consumer group has applied, so a redelivered message is not applied twice.
 * Keys are `<groupId>:<eventId>`. Implementations: in memory (here), Redis (libs/stores).
 */
export interface IdempotencyStore {
  /** True when `key` is marked and its mark has not expired. */
  has(key: string): Promise<boolean>;
  /** Marks `key` for `ttlMs`; true when it was not marked before (the first time). */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Removes the mark of `key`. */
  release(key: string): Promise<void>;
  /**
   * Optional: has() of several keys in one call (one round trip), answers in the keys' order. The runtime asks it once
   * per run of records instead of once per record when the store offers it.
   */
  hasMany?(keys: readonly string[]): Promise<boolean[]>;
  /** Optional: claim() of several keys in one call (one round trip), answers in the keys' order. */
  claimMany?(keys: readonly string[], ttlMs: number): Promise<boolean[]>;
}
