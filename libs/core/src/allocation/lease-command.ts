import type { Resources } from '../resources.js';
import type { AllocationMode } from './allocation-mode.js';
import type { AllocationDecision, AllocationPlan, AllocationWhy } from './allocation-plan.js';
import { commandIdFor, type CommandCause, type CommandStep } from './command-id.js';

/**
 * Why a command was issued: the core policy's reason, a RELEASE of a command the actuator could not carry out, or a
 * RELEASE of a lease the ledger may have held before the state store lost it (`ledger_lost`).
 */
export type CommandWhy = AllocationWhy | 'not_carried_out' | 'ledger_lost';

/** What an assessment said of a VM, carried on its commands. */
export interface CommandEvidence {
  readonly probability: number;
  readonly etaAt: number;
  readonly path: readonly string[];
}

/**
 * What a command does to its host's free capacity, in the order a round is carried out (actuationOrder): `release`
 * (a RELEASE) and `shrink` (an ADJUST that only lowers) free, `renew` changes no size, `take` (a GRANT or an ADJUST
 * that grows) consumes.
 */
export type CommandPhase = 'release' | 'shrink' | 'renew' | 'take';

/** One command of an allocation pass, with its derived id, ready to be written ahead, carried out and published. */
export interface LeaseCommand {
  readonly commandId: string;
  readonly step: CommandStep;
  /** The lease it acts on: the commandId of the GRANT that opened it (the ledger's reservation id). */
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
  readonly why: CommandWhy;
  readonly phase: CommandPhase;
}

/** A plan decision's phase: the plan lists shrinking ADJUSTs unranked and growing ones with their priority. */
function phaseOf(d: AllocationDecision): CommandPhase {
  if (d.action === 'RELEASE') return 'release';
  if (d.action === 'RENEW') return 'renew';
  if (d.action === 'ADJUST' && d.reason.priority === null) return 'shrink';
  return 'take';
}

function commandOf(d: AllocationDecision, commandId: string, mode: AllocationMode, now: number, entry: CommandEvidence | undefined): LeaseCommand {
  const etaAt = d.reason.etaAt ?? entry?.etaAt;
  return {
    commandId, step: d.action, reservationId: d.action === 'GRANT' ? commandId : d.leaseId,
    incidentId: d.incidentId, vmId: d.vmId, hostId: d.hostId, resources: d.resources, leaseExpiresAt: d.leaseExpiresAt, mode,
    probability: d.reason.probability ?? entry?.probability ?? 0,
    etaMs: etaAt === undefined ? 0 : Math.max(0, Math.round(etaAt - now)),
    path: entry?.path ?? [],
    why: d.reason.why,
    phase: phaseOf(d),
  };
}

/**
 * A plan's decisions as commands with derived ids (`commandIdFor(incident, vm, cause, step, occurrence)`): a GRANT's
 * id is also the id of the lease it opens. `entries` gives each VM's evidence (by vmId) for decisions without one.
 */
export function commandsOfPlan(plan: AllocationPlan, cause: CommandCause, mode: AllocationMode, entries: ReadonlyMap<string, CommandEvidence>): LeaseCommand[] {
  const occurrences = new Map<string, number>();
  return plan.decisions.map((d) => {
    const key = `${d.incidentId}\u0000${d.vmId}\u0000${d.action}`;
    const occurrence = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, occurrence);
    return commandOf(d, commandIdFor(d.incidentId, d.vmId, cause, d.action, occurrence), mode, plan.now, entries.get(d.vmId));
  });
}
