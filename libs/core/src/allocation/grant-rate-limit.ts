import type { AllocationMode } from './allocation-mode.js';
import type { LeaseCommand } from './lease-command.js';

const MINUTE_MS = 60_000;

/** The guardrail's default: at most this many GRANTs per event-time minute, per mode. */
export const DEFAULT_MAX_GRANTS_PER_MINUTE = 120;

/** GRANTs still allowed, per window (grantWindow). A window absent here allows none. */
export type RateAllowance = Map<string, number>;

/** The window a GRANT at event time `now` counts in: per mode and event-time minute (fixed windows). */
export function grantWindow(mode: AllocationMode, now: number): string {
  return `${mode}:${Math.floor(now / MINUTE_MS)}`;
}

/**
 * Keeps a pass's commands in order while each GRANT's window has units left in `allowance` (which it spends); a GRANT
 * beyond is dropped, and with it every command on its lease (an ADJUST, RENEW or RELEASE planned for a lease that
 * will not exist), also in later passes: `refusedLeases` carries them. SHADOW grants count in their own windows: what
 * shadow mode would do must not starve real grants.
 */
export function admitGrants<C extends Pick<LeaseCommand, 'step' | 'mode' | 'reservationId'>>(
  commands: readonly C[], now: number, allowance: RateAllowance, refusedLeases: Set<string>,
): { kept: C[]; dropped: C[] } {
  const dropped: C[] = [];
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
