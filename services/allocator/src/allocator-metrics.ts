import type { AllocationAction, AllocationMode } from '@foresight/contracts';
import type { Resources } from '@foresight/core';

/** Why a GRANT the policy wanted did not go out. */
export type GrantRefusal = 'UNKNOWN_HOST' | 'INSUFFICIENT_CAPACITY' | 'BUDGET_EXCEEDED' | 'VM_CAP_EXCEEDED' | 'RATE_LIMITED' | 'DEFERRED';

/** The allocator's own instruments (per-message count, latency and lag come from the runtime's instrumentation). */
export interface AllocatorMetrics {
  commandPublished(action: AllocationAction, mode: AllocationMode): void;
  grantRefused(reason: GrantRefusal): void;
  /** The ledger as last observed: active grants (reservations) and what they hold. */
  ledgerObserved(activeGrants: number, reserved: Resources): void;
  /**
   * The state store held no allocator state (its epoch marker was gone) and the allocator rebuilt it: `lost` when this
   * process had seen the marker before (the store lost its data while the allocator ran), `missing_at_start` when it
   * was missing at start-up (a first start, or data lost while the allocator was down).
   */
  stateLost?(cause: StateLossCause): void;
}

/** How the allocator found its state gone (see AllocatorMetrics.stateLost). */
export type StateLossCause = 'lost' | 'missing_at_start';

/** Metrics that go nowhere (tests, or when telemetry is off). */
export const NO_ALLOCATOR_METRICS: AllocatorMetrics = {
  commandPublished: () => undefined,
  grantRefused: () => undefined,
  ledgerObserved: () => undefined,
  stateLost: () => undefined,
};
