import type { AllocationMode } from '@foresight/contracts';
import type { StateStore } from '@foresight/stores';
import type { PlannedCommand } from './planned-command.js';

const MINUTE_MS = 60_000;
/** A window's counter outlives its event-time minute by far; it only needs to be gone eventually. */
const WINDOW_TTL_MS = 2 * 3_600_000;

/** The counted window a GRANT at event time `now` takes its unit of (per mode and event-time minute). */
export function grantWindow(mode: AllocationMode, now: number): string {
  return `allocator:grants:${mode}:${Math.floor(now / MINUTE_MS)}`;
}

/**
 * Keeps a pass's commands in order while each GRANT's window has units left in `allowance` (which it spends); a GRANT
 * beyond is dropped, and with it every command on its lease (an ADJUST, RENEW or RELEASE planned for a lease that
 * will not exist), also in later passes: `refusedLeases` carries them.
 */
export function admitGrants(
  commands: readonly PlannedCommand[], now: number, allowance: Map<string, number>, refusedLeases: Set<string>,
): { kept: PlannedCommand[]; dropped: PlannedCommand[] } {
  const dropped: PlannedCommand[] = [];
  const kept = commands.filter((c) => {
    if (c.step !== 'GRANT') return !refusedLeases.has(c.reservationId);
    const key = grantWindow(c.mode, now);
    const left = allowance.get(key) ?? 0;
    allowance.set(key, left - 1);
    if (left > 0) return true;
    refusedLeases.add(c.reservationId);
    dropped.push(c);
    return false;
  });
  return { kept, dropped };
}

/**
 * Guardrail: at most `maxPerMinute` GRANTs per event-time minute (fixed windows), shared by every allocator
 * instance: a batch's GRANTs take their units of the window's counted quota in the store in one atomic step per
 * window, so the count can never exceed the limit. SHADOW grants count in their own windows: what shadow mode would
 * do must not starve real grants.
 */
export class GrantRateLimit {
  constructor(private readonly store: Pick<StateStore, 'takeQuota' | 'quotasUsed'>, private readonly maxPerMinute: number) {}

  /** What is left of each window (read at once): planning admits GRANTs against it (admitGrants). */
  async left(windows: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(windows)];
    const used = await this.store.quotasUsed(unique);
    return new Map(unique.map((key, i) => [key, Math.max(0, this.maxPerMinute - used[i])]));
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
        const key = grantWindow(c.mode, pass.now);
        wanted.set(key, (wanted.get(key) ?? 0) + 1);
      }
    }
    const windows = [...wanted.keys()];
    const taken = await Promise.all(windows.map((key) => this.store.takeQuota(key, wanted.get(key) ?? 0, this.maxPerMinute, WINDOW_TTL_MS)));
    const allowance = new Map(windows.map((key, i) => [key, taken[i]]));
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
