import type { AllocationCommand } from '@foresight/contracts';
import type { Resources } from '@foresight/core';
import type { Logger } from '@foresight/messaging';
import type { LeaseLedger } from '@foresight/stores';
import type { AllocatorMetrics } from './allocator-metrics.js';
import type { PlannedCommand } from './planned-command.js';

/** Where a carried-out command stands on its host: the ledger's number of its change (0: none), in which epoch. */
export interface LedgerPosition {
  readonly hostSequence: number;
  readonly ledgerEpoch: string;
}

/** The message a planned command goes out as (RENEW travels as ADJUST); eventId = commandId so replays dedupe. */
export function allocationCommandOf(command: PlannedCommand, now: number, position: LedgerPosition): AllocationCommand {
  return {
    eventId: command.commandId, eventTime: now, commandId: command.commandId, incidentId: command.incidentId, vmId: command.vmId,
    hostId: command.hostId, action: command.step === 'RENEW' ? 'ADJUST' : command.step, resources: command.resources,
    leaseExpiresAt: command.leaseExpiresAt, mode: command.mode,
    reason: { probability: command.probability, etaMs: command.etaMs, path: command.path, why: command.why ?? '' },
    hostSequence: position.hostSequence, ledgerEpoch: position.ledgerEpoch,
  };
}

/** Per command of a run: undefined when it must not be published, else its host sequence (0: no ledger change). */
export type AppliedCommand = number | undefined;

/**
 * Carries planned commands out on the ledger: reserve first, and only a command whose effect the ledger accepted is
 * published. Every operation is idempotent (reserve by commandId, adjust to an absolute size, release), so a replayed
 * pass re-publishes the same commands without doubling anything. SHADOW commands touch nothing.
 */
export class LedgerActuator {
  /** `vmCap`: what one VM's reservations may hold in all; the ledger checks it with the host and the budget. */
  constructor(private readonly store: LeaseLedger, private readonly logger: Logger, private readonly metrics: AllocatorMetrics, private readonly vmCap: Resources) {}

  /**
   * A run of commands of one step, in order; per command, undefined when it must not be published, else the ledger's
   * number of its change on its host (0 for SHADOW commands and releases of leases the ledger does not know). GRANTs
   * go to the ledger in one reserveManySequenced and RELEASEs in one releaseManySequenced (each exactly as one by one, in
   * order), which answer each change's number in the same step; ADJUST / RENEW one at a time, each with its number.
   */
  async applyRun(commands: readonly PlannedCommand[]): Promise<AppliedCommand[]> {
    const step = commands[0]?.step;
    if (commands.some((c) => c.step !== step)) throw new Error(`applyRun takes commands of one step, got ${[...new Set(commands.map((c) => c.step))].join(', ')}`);
    const applied: AppliedCommand[] = commands.map((c) => (c.mode === 'SHADOW' ? 0 : undefined));
    const enforced = commands.flatMap((c, i) => (c.mode === 'SHADOW' ? [] : [i]));
    if (enforced.length === 0) return applied;
    if (step === 'GRANT') {
      const results = await this.store.reserveManySequenced(enforced.map((i) => {
        const c = commands[i];
        return { commandId: c.commandId, hostId: c.hostId, vmId: c.vmId, incidentId: c.incidentId, resources: c.resources, leaseExpiresAt: c.leaseExpiresAt, vmCap: this.vmCap };
      }));
      enforced.forEach((i, k) => {
        const result = results[k];
        if (result.ok) {
          applied[i] = result.sequence.changed ?? 0;
          return;
        }
        const c = commands[i];
        this.metrics.grantRefused(result.reason);
        this.logger.warn({ commandId: c.commandId, hostId: c.hostId, reason: result.reason, resources: c.resources }, 'grant refused by the ledger');
      });
    } else if (step === 'RELEASE') {
      // NOTE: published even when this call did not release (a replay, or the lease expired meanwhile): the actuator
      // must hear it, and the same commandId makes it a no-op downstream. A RELEASE names its lease's host, incident
      // and VM, so the ledger need not read them first (it checks them against its record).
      const released = await this.store.releaseManySequenced(enforced.map((i) => {
        const c = commands[i];
        return { commandId: c.reservationId, hostId: c.hostId, incidentId: c.incidentId, vmId: c.vmId };
      }));
      enforced.forEach((i, k) => { applied[i] = released[k].sequence.released ?? 0; });
    } else {
      for (const i of enforced) {
        const c = commands[i];
        const result = await this.store.adjust(c.reservationId, c.resources, c.leaseExpiresAt, this.vmCap);
        if (result.ok) applied[i] = (await this.store.hostSequences([c.reservationId]))[0].changed ?? 0;
        else this.logger.warn({ commandId: c.commandId, reservationId: c.reservationId, reason: result.reason }, 'adjustment refused by the ledger');
      }
    }
    return applied;
  }
}
