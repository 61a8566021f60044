import type { AllocationCommand } from '@foresight/contracts';
import type { Resources } from '@foresight/core';
import type { Logger } from '@foresight/messaging';
import type { LeaseLedger } from '@foresight/stores';
import type { AllocatorMetrics } from './allocator-metrics.js';
import type { PlannedCommand } from './planned-command.js';

/** The message a planned command goes out as (RENEW travels as ADJUST); eventId = commandId so replays dedupe. */
export function allocationCommandOf(command: PlannedCommand, now: number): AllocationCommand {
  return {
    eventId: command.commandId, eventTime: now, commandId: command.commandId, incidentId: command.incidentId, vmId: command.vmId,
    hostId: command.hostId, action: command.step === 'RENEW' ? 'ADJUST' : command.step, resources: command.resources,
    leaseExpiresAt: command.leaseExpiresAt, mode: command.mode,
    reason: { probability: command.probability, etaMs: command.etaMs, path: command.path, why: command.why ?? '' },
  };
}

/**
 * Carries planned commands out on the ledger: reserve first, and only a command whose effect the ledger accepted is
 * published. Every operation is idempotent (reserve by commandId, adjust to an absolute size, release), so a replayed
 * pass re-publishes the same commands without doubling anything. SHADOW commands touch nothing.
 */
export class LedgerActuator {
  /** `vmCap`: what one VM's reservations may hold in all; the ledger checks it with the host and the budget. */
  constructor(private readonly store: LeaseLedger, private readonly logger: Logger, private readonly metrics: AllocatorMetrics, private readonly vmCap: Resources) {}

  /**
   * A run of commands of one step, in order; per command, true when it should be published. GRANTs go to the ledger
   * in one reserveMany and RELEASEs in one releaseMany (each exactly as one by one, in order); ADJUST / RENEW one at a
   * time.
   */
  async applyRun(commands: readonly PlannedCommand[]): Promise<boolean[]> {
    const step = commands[0]?.step;
    if (commands.some((c) => c.step !== step)) throw new Error(`applyRun takes commands of one step, got ${[...new Set(commands.map((c) => c.step))].join(', ')}`);
    const applied = commands.map((c) => c.mode === 'SHADOW');
    const enforced = commands.flatMap((c, i) => (c.mode === 'SHADOW' ? [] : [i]));
    if (enforced.length === 0) return applied;
    if (step === 'GRANT') {
      const results = await this.store.reserveMany(enforced.map((i) => {
        const c = commands[i];
        return { commandId: c.commandId, hostId: c.hostId, vmId: c.vmId, incidentId: c.incidentId, resources: c.resources, leaseExpiresAt: c.leaseExpiresAt, vmCap: this.vmCap };
      }));
      enforced.forEach((i, k) => {
        const result = results[k];
        if (result.ok) {
          applied[i] = true;
          return;
        }
        const c = commands[i];
        this.metrics.grantRefused(result.reason);
        this.logger.warn({ commandId: c.commandId, hostId: c.hostId, reason: result.reason, resources: c.resources }, 'grant refused by the ledger');
      });
    } else if (step === 'RELEASE') {
      // NOTE: published even when this call did not release (a replay, or the lease expired meanwhile): the actuator
      // must hear it, and the same commandId makes it a no-op downstream.
      await this.store.releaseMany(enforced.map((i) => commands[i].reservationId));
      for (const i of enforced) applied[i] = true;
    } else {
      for (const i of enforced) {
        const c = commands[i];
        const result = await this.store.adjust(c.reservationId, c.resources, c.leaseExpiresAt, this.vmCap);
        if (result.ok) applied[i] = true;
        else this.logger.warn({ commandId: c.commandId, reservationId: c.reservationId, reason: result.reason }, 'adjustment refused by the ledger');
      }
    }
    return applied;
  }
}
