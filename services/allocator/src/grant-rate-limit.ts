import { admitGrants, grantWindow, type RateAllowance } from '@foresight/core';
import type { QuotaWindows } from '@foresight/stores';
import type { PlannedCommand } from './planned-command.js';

/** A window's counter outlives its event-time minute by far; it only needs to be gone eventually. */
const WINDOW_TTL_MS = 2 * 3_600_000;

/** The store's counter of a window (core grantWindow: per mode and event-time minute). */
function quotaKey(window: string): string {
  return `allocator:grants:${window}`;
}

/**
 * Guardrail: at most `maxPerMinute` GRANTs per event-time minute (core grantWindow), shared by every allocator
 * instance: a batch's GRANTs take their units of the window's counted quota in the store in one atomic step per
 * window, so the count can never exceed the limit. The round plans against what was left (core admitGrants).
 */
export class GrantRateLimit {
  constructor(private readonly store: QuotaWindows, private readonly maxPerMinute: number) {}

  /** What is left of each window (read at once), keyed by window: the round's rate allowance. */
  async left(windows: readonly string[]): Promise<RateAllowance> {
    const unique = [...new Set(windows)];
    const used = await this.store.quotasUsed(unique.map(quotaKey));
    return new Map(unique.map((window, i) => [window, Math.max(0, this.maxPerMinute - used[i])]));
  }

  /**
   * Takes the units of a batch of passes' GRANTs (each pass at its event time `now`): one store call per window, and
   * the first GRANTs in order go ahead. Planned against `left`, all of them do unless another instance took units
   * meanwhile; those beyond are dropped (admitGrants). Returns the commands kept, per pass, and those dropped.
   */
  async take(passes: readonly { readonly now: number; readonly commands: readonly PlannedCommand[] }[]): Promise<{ kept: PlannedCommand[][]; dropped: PlannedCommand[] }> {
    const wanted = new Map<string, number>();
    for (const pass of passes) {
      for (const c of pass.commands) {
        if (c.step !== 'GRANT') continue;
        const window = grantWindow(c.mode, pass.now);
        wanted.set(window, (wanted.get(window) ?? 0) + 1);
      }
    }
    const windows = [...wanted.keys()];
    const taken = await Promise.all(windows.map((window) => this.store.takeQuota(quotaKey(window), wanted.get(window) ?? 0, this.maxPerMinute, WINDOW_TTL_MS)));
    const allowance: RateAllowance = new Map(windows.map((window, i) => [window, taken[i]]));
    const refusedLeases = new Set<string>();
    const dropped: PlannedCommand[] = [];
    const kept = passes.map((pass) => {
      const admitted = admitGrants(pass.commands, pass.now, allowance, refusedLeases);
      dropped.push(...admitted.dropped);
      return admitted.kept;
    });
    return { kept, dropped };
  }
}
