import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';
import { PUT_SCORES_SCRIPT } from './score-scripts.js';
import type { ScoreEntry } from './state-store.js';

const putScoresScript = new LuaScript(PUT_SCORES_SCRIPT);
/** At most about this many entries per script call (an item is never split): bounds how long one call holds Redis. */
const ENTRIES_PER_CALL = 2048;

/** The live-incidents index of the hot scores (score-scripts.ts): incidentId by when its scores expire. */
export function liveScoresKey(keys: RedisKeys): string {
  return `${keys.prefix}scorelive`;
}

interface PendingPut {
  readonly incidentId: string;
  readonly version: number;
  readonly entries: readonly ScoreEntry[];
  readonly ttlMs: number;
  readonly resolve: (applied: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Writes hot scores (score-scripts.ts). The puts asked for in one tick (the versions of a scorer run, or of the runs
 * that finish together) go out as one put script call instead of one per version; each is applied exactly as alone,
 * in the order asked.
 */
export class RedisHotScoresWriter {
  private pending: PendingPut[] = [];

  constructor(private readonly client: Redis, private readonly keys: RedisKeys) {}

  /** Resolves true when applied, false when the stored version is not older. Inputs checked by the caller (assertIncidentScores). */
  put(incidentId: string, version: number, entries: readonly ScoreEntry[], ttlMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ incidentId, version, entries, ttlMs, resolve, reject });
      if (this.pending.length === 1) process.nextTick(() => this.flush());
    });
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    // Items of one call share the TTL argument: group by TTL (one group in practice), in order within each.
    const byTtl = new Map<number, PendingPut[]>();
    for (const p of pending) {
      const group = byTtl.get(p.ttlMs);
      if (group === undefined) byTtl.set(p.ttlMs, [p]);
      else group.push(p);
    }
    for (const [ttlMs, items] of byTtl) {
      let chunk: PendingPut[] = [];
      let entries = 0;
      for (const item of items) {
        if (chunk.length > 0 && entries + item.entries.length > ENTRIES_PER_CALL) {
          void this.write(ttlMs, chunk);
          chunk = [];
          entries = 0;
        }
        chunk.push(item);
        entries += item.entries.length;
      }
      if (chunk.length > 0) void this.write(ttlMs, chunk);
    }
  }

  private async write(ttlMs: number, items: readonly PendingPut[]): Promise<void> {
    try {
      const keys: string[] = [liveScoresKey(this.keys)];
      const args: (string | number)[] = [ttlMs];
      for (const { incidentId, version, entries } of items) {
        keys.push(this.keys.scores(incidentId), this.keys.etas(incidentId), this.keys.scoreVersion(incidentId));
        args.push(incidentId, String(version), entries.length);
        for (const e of entries) args.push(e.vmId, String(e.probability), String(e.etaAt));
      }
      const reply = await putScoresScript.runArray(this.client, keys, args);
      items.forEach((item, i) => item.resolve(reply[i] === '1'));
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  }
}
