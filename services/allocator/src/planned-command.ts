import type { AllocationMode } from '@foresight/contracts';
import type { Resources } from '@foresight/core';
import type { CommandStep } from './command-id.js';

/** One command of a pass, decided and persisted before any effect, so a redelivery replays exactly the same. */
export interface PlannedCommand {
  readonly commandId: string;
  readonly step: CommandStep;
  /** The ledger reservation it acts on: the commandId of the GRANT that opened the lease. */
  readonly reservationId: string;
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  /** The lease's size after the step (RELEASE: what it frees). */
  readonly resources: Resources;
  readonly leaseExpiresAt: number;
  readonly mode: AllocationMode;
  readonly probability: number;
  readonly etaMs: number;
  readonly path: readonly string[];
}
