import type { AllocationMode } from '@foresight/contracts';
import type { IdempotencyStore } from '@foresight/stores';

const MINUTE_MS = 60_000;
/** Slot claims outlive their event-time minute by far; they only need to be gone eventually. */
const SLOT_TTL_MS = 2 * 3_600_000;

/**
 * Guardrail: at most `maxPerMinute` GRANTs per event-time minute (fixed windows), shared by every allocator
 * instance: each GRANT claims one numbered slot of its minute (`SET NX`), so the count can never exceed the limit.
 * SHADOW grants count in their own windows: what shadow mode would do must not starve real grants.
 */
export class GrantRateLimit {
  private readonly nextSlot = new Map<string, number>();

  constructor(private readonly claims: IdempotencyStore, private readonly maxPerMinute: number) {}

  /** True when a GRANT at event time `now` may go ahead (and uses up one slot of its minute). */
  async take(mode: AllocationMode, now: number): Promise<boolean> {
    const window = `${mode}:${Math.floor(now / MINUTE_MS)}`;
    // NOTE: slots are probed from this process's last success; other instances' claims just make it probe further.
    for (let slot = this.nextSlot.get(window) ?? 0; slot < this.maxPerMinute; slot++) {
      if (await this.claims.claim(`allocator:grant-slot:${window}:${slot}`, SLOT_TTL_MS)) {
        this.remember(window, slot + 1);
        return true;
      }
    }
    this.remember(window, this.maxPerMinute);
    return false;
  }

  private remember(window: string, next: number): void {
    if (!this.nextSlot.has(window) && this.nextSlot.size >= 16) this.nextSlot.clear();
    this.nextSlot.set(window, next);
  }
}
