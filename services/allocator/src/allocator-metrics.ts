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
}

/** Metrics that go nowhere (tests, or when telemetry is off). */
export const NO_ALLOCATOR_METRICS: AllocatorMetrics = {
  commandPublished: () => undefined,
  grantRefused: () => undefined,
  ledgerObserved: () => undefined,
};
