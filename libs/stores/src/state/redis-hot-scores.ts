import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';
import { DROP_VM_RISK_SCRIPT, PUT_SCORES_SCRIPT } from './score-scripts.js';
import type { ScoreEntry } from './state-store.js';

const putScoresScript = new LuaScript(PUT_SCORES_SCRIPT);
const dropVmRiskScript = new LuaScript(DROP_VM_RISK_SCRIPT);
/** At most about this many keys per script call (an item is never split): bounds how long one call holds Redis. */
const KEYS_PER_CALL = 2048;
/** At most this many risk hashes per drop call. */
const DROPS_PER_CALL = 256;
/** At most this many incidents' last scored VMs are remembered (the oldest written are forgotten first). */
const MAX_REMEMBERED = 100_000;

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
 * that finish together) go out as one put script call (and a drop call for fields it could not drop itself), instead
 * of two scripts per version. Each put is applied exactly as alone (in the order asked), and resolves once its
 * dropped fields are gone too.
 */
export class RedisHotScoresWriter {
  private pending: PendingPut[] = [];
  /**
   * The VMs each incident's last version written here scored: the ones the next version drops are declared to its
   * put, which removes their fields in the same call. Only a guess: the script drops what the stored version scored,
   * and what was not declared (another writer's version, or forgotten) is dropped in a second call.
   */
  private readonly scored = new Map<string, readonly string[]>();

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
      let keys = 0;
      for (const item of items) {
        const size = 3 + item.entries.length + (this.scored.get(item.incidentId)?.length ?? 0);
        if (chunk.length > 0 && keys + size > KEYS_PER_CALL) {
          void this.write(ttlMs, chunk);
          chunk = [];
          keys = 0;
        }
        chunk.push(item);
        keys += size;
      }
      if (chunk.length > 0) void this.write(ttlMs, chunk);
    }
  }

  private async write(ttlMs: number, items: readonly PendingPut[]): Promise<void> {
    try {
      const keys: string[] = [];
      const args: (string | number)[] = [ttlMs];
      for (const { incidentId, version, entries } of items) {
        const kept = new Set(entries.map((e) => e.vmId));
        const expected = (this.scored.get(incidentId) ?? []).filter((vmId) => !kept.has(vmId));
        keys.push(this.keys.scores(incidentId), this.keys.etas(incidentId), this.keys.scoreVersion(incidentId));
        args.push(incidentId, String(version), entries.length, expected.length);
        for (const e of entries) {
          keys.push(this.keys.vmRisk(e.vmId));
          args.push(e.vmId, String(e.probability), String(e.etaAt));
        }
        for (const vmId of expected) keys.push(this.keys.vmRisk(vmId));
        args.push(...expected);
      }
      const reply = await putScoresScript.runArray(this.client, keys, args);
      const applied: boolean[] = [];
      const risks: string[] = [];
      const dropArgs: string[] = [];
      let r = 0;
      for (const { incidentId, version, entries } of items) {
        const ok = reply[r++] === '1';
        applied.push(ok);
        if (!ok) continue;
        this.remember(incidentId, entries);
        const count = Number(reply[r++]);
        for (let i = 0; i < count; i++) {
          const vmId = reply[r++];
          if (vmId === null) continue;
          risks.push(this.keys.vmRisk(vmId));
          dropArgs.push(incidentId, String(version));
        }
      }
      // NOTE: a second step, not atomic with the first: a crash between them leaves fields that reads already ignore
      // (their version is superseded) and that go with their hash's TTL.
      const drops: Promise<string>[] = [];
      for (let i = 0; i < risks.length; i += DROPS_PER_CALL) {
        drops.push(dropVmRiskScript.run(this.client, risks.slice(i, i + DROPS_PER_CALL), dropArgs.slice(2 * i, 2 * (i + DROPS_PER_CALL))));
      }
      await Promise.all(drops);
      items.forEach((item, i) => item.resolve(applied[i]));
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  }

  private remember(incidentId: string, entries: readonly ScoreEntry[]): void {
    this.scored.delete(incidentId);
    if (entries.length === 0) return;
    this.scored.set(incidentId, entries.map((e) => e.vmId));
    if (this.scored.size > MAX_REMEMBERED) this.scored.delete(this.scored.keys().next().value as string);
  }
}
