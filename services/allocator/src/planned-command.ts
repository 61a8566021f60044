import type { AllocationMode } from '@foresight/contracts';
import type { AllocationWhy, Resources } from '@foresight/core';
import type { CommandStep } from './command-id.js';

/** Why a command was issued: the core policy's reason, or a RELEASE of a command the actuator could not carry out. */
export type CommandWhy = AllocationWhy | 'not_carried_out';

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
  /** Absent in passes written ahead before commands carried their reason (they go out with an empty one). */
  readonly why?: CommandWhy;
}
