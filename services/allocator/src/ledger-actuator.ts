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
   * A run of commands, in order: RELEASEs then GRANTs (either may be none), or ADJUST / RENEW commands. Per command,
   * undefined when it must not be published, else the ledger's number of its change on its host (0 for SHADOW commands
   * and releases of leases the ledger does not know). The RELEASEs and GRANTs go to the ledger in one releaseAndReserve
   * (exactly as one by one, in order: every release before every reserve), which answers each change's number in the
   * same step; ADJUST / RENEW one at a time, each with its number.
   */
  async applyRun(commands: readonly PlannedCommand[]): Promise<AppliedCommand[]> {
    const firstGrant = commands.findIndex((c) => c.step === 'GRANT');
    const freesThenTakes = commands.every((c, i) => (firstGrant < 0 || i < firstGrant ? c.step === 'RELEASE' : c.step === 'GRANT'));
    if (!freesThenTakes && commands.some((c) => c.step !== commands[0].step)) {
      throw new Error(`applyRun takes RELEASEs then GRANTs, or commands of one step, got ${commands.map((c) => c.step).join(', ')}`);
    }
    const applied: AppliedCommand[] = commands.map((c) => (c.mode === 'SHADOW' ? 0 : undefined));
    const enforced = commands.flatMap((c, i) => (c.mode === 'SHADOW' ? [] : [i]));
    if (enforced.length === 0) return applied;
    if (freesThenTakes) {
      const releases = enforced.filter((i) => commands[i].step === 'RELEASE');
      const grants = enforced.filter((i) => commands[i].step === 'GRANT');
      // NOTE: a RELEASE is published even when this call did not release (a replay, or the lease expired meanwhile):
      // the actuator must hear it, and the same commandId makes it a no-op downstream. A RELEASE names its lease's
      // host, incident and VM, so the ledger need not read them first (it checks them against its record).
      const { released, reserved } = await this.store.releaseAndReserve(
        releases.map((i) => {
          const c = commands[i];
          return { commandId: c.reservationId, hostId: c.hostId, incidentId: c.incidentId, vmId: c.vmId };
        }),
        grants.map((i) => {
          const c = commands[i];
          return { commandId: c.commandId, hostId: c.hostId, vmId: c.vmId, incidentId: c.incidentId, resources: c.resources, leaseExpiresAt: c.leaseExpiresAt, vmCap: this.vmCap };
        }),
      );
      releases.forEach((i, k) => { applied[i] = released[k].sequence.released ?? 0; });
      grants.forEach((i, k) => {
        const result = reserved[k];
        if (result.ok) {
          applied[i] = result.sequence.changed ?? 0;
          return;
        }
        const c = commands[i];
        this.metrics.grantRefused(result.reason);
        this.logger.warn({ commandId: c.commandId, hostId: c.hostId, reason: result.reason, resources: c.resources }, 'grant refused by the ledger');
      });
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
