import type { AllocationMode } from '@foresight/contracts';
import type { StateStore } from '@foresight/stores';

const MINUTE_MS = 60_000;
/** A window's counter outlives its event-time minute by far; it only needs to be gone eventually. */
const WINDOW_TTL_MS = 2 * 3_600_000;

/**
 * Guardrail: at most `maxPerMinute` GRANTs per event-time minute (fixed windows), shared by every allocator
 * instance: a pass's GRANTs take their units of the minute's counted quota in the store in one atomic step, so the
 * count can never exceed the limit. SHADOW grants count in their own windows: what shadow mode would do must not
 * starve real grants.
 */
export class GrantRateLimit {
  constructor(private readonly store: Pick<StateStore, 'takeQuota'>, private readonly maxPerMinute: number) {}

  /** How many of `count` GRANTs at event time `now` may go ahead (the first ones, in order). */
  takeMany(mode: AllocationMode, now: number, count: number): Promise<number> {
    return this.store.takeQuota(`allocator:grants:${mode}:${Math.floor(now / MINUTE_MS)}`, count, this.maxPerMinute, WINDOW_TTL_MS);
  }
}
