import type { AllocationCommand } from '@foresight/contracts';
import type { Logger } from '@foresight/messaging';
import type { StateStore } from '@foresight/stores';
import type { AllocatorMetrics } from './allocator-metrics.js';
import type { PlannedCommand } from './planned-command.js';

/** The message a planned command goes out as (RENEW travels as ADJUST); eventId = commandId so replays dedupe. */
export function allocationCommandOf(command: PlannedCommand, now: number): AllocationCommand {
  return {
    eventId: command.commandId, eventTime: now, commandId: command.commandId, incidentId: command.incidentId, vmId: command.vmId,
    hostId: command.hostId, action: command.step === 'RENEW' ? 'ADJUST' : command.step, resources: command.resources,
    leaseExpiresAt: command.leaseExpiresAt, mode: command.mode,
    reason: { probability: command.probability, etaMs: command.etaMs, path: command.path },
  };
}

/**
 * Carries planned commands out on the ledger: reserve first, and only a command whose effect the ledger accepted is
 * published. Every operation is idempotent (reserve by commandId, adjust to an absolute size, release), so a replayed
 * pass re-publishes the same commands without doubling anything. SHADOW commands touch nothing.
 */
export class LedgerActuator {
  constructor(private readonly store: StateStore, private readonly logger: Logger, private readonly metrics: AllocatorMetrics) {}

  /** True when the command should be published. */
  async apply(command: PlannedCommand): Promise<boolean> {
    if (command.mode === 'SHADOW') return true;
    const { commandId } = command;
    switch (command.step) {
      case 'GRANT': {
        const result = await this.store.reserve({
          commandId, hostId: command.hostId, vmId: command.vmId, incidentId: command.incidentId, resources: command.resources,
          leaseExpiresAt: command.leaseExpiresAt,
        });
        if (result.ok) return true;
        this.metrics.grantRefused(result.reason);
        this.logger.warn({ commandId, hostId: command.hostId, reason: result.reason, resources: command.resources }, 'grant refused by the ledger');
        return false;
      }
      case 'ADJUST':
      case 'RENEW': {
        const result = await this.store.adjust(command.reservationId, command.resources, command.leaseExpiresAt);
        if (result.ok) return true;
        this.logger.warn({ commandId, reservationId: command.reservationId, reason: result.reason }, 'adjustment refused by the ledger');
        return false;
      }
      case 'RELEASE':
        // NOTE: published even when this call did not release (a replay, or the lease expired meanwhile): the actuator
        // must hear it, and the same commandId makes it a no-op downstream.
        await this.store.release(command.reservationId);
        return true;
    }
  }
}
