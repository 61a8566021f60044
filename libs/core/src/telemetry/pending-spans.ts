import type { TelemetrySpan } from './telemetry-span.js';

/** Which side of a call a waiting span is. */
export type CallSide = 'caller' | 'callee';

/** A span waiting for the other side of its call. */
export interface PendingSpan {
  readonly span: TelemetrySpan;
  readonly side: CallSide;
  /** Event time (the watermark) at which it stops waiting. */
  readonly expireAt: number;
}

/** Why a span left the store without a partner. */
export type DepartureWhy = 'EXPIRED' | 'EVICTED';

/**
 * Spans waiting for their partner, keyed by trace id and the id that joins the two sides (the caller's span id:
 * a callee's parent span id), bounded by count and by event time. Entries expire in insertion order, which is
 * expiry order because expiry is the watermark at insertion plus a fixed wait and the watermark never goes back.
 * Over `capacity`, the oldest entry is evicted.
 */
export class PendingSpans {
  private readonly entries = new Map<string, PendingSpan>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Removes and returns the entry waiting under `key`, if any. */
  take(key: string): PendingSpan | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) this.entries.delete(key);
    return entry;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Stores an entry; an entry evicted to make room is passed to `departed`. */
  put(key: string, entry: PendingSpan, departed: (entry: PendingSpan, why: DepartureWhy) => void): void {
    while (this.entries.size >= this.capacity) {
      const oldest = this.entries.entries().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest[0]);
      departed(oldest[1], 'EVICTED');
    }
    this.entries.set(key, entry);
  }

  /** Removes every entry whose expiry is at or before `watermark`, oldest first. */
  expire(watermark: number, departed: (entry: PendingSpan, why: DepartureWhy) => void): void {
    for (const [key, entry] of this.entries) {
      if (entry.expireAt > watermark) break;
      this.entries.delete(key);
      departed(entry, 'EXPIRED');
    }
  }
}

/** The key joining both sides of a call: trace id and the caller's span id. */
export function callKey(traceId: string, callerSpanId: string): string {
  return `${traceId}:${callerSpanId}`;
}
