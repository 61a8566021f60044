import type { AllocationCommand, AllocationOutcome } from '@foresight/contracts';
import type { HasDocuments } from '@foresight/stores';
import { LEARNER_DOCUMENTS, pairDocumentId, readDocument, readDocuments, writeDocuments } from './learner-documents.js';

/** The first ENFORCE GRANT made to a VM for an incident. */
export interface GrantRecord {
  readonly commandId: string;
  readonly issuedAt: number;
}

/** What the actuator reported for a command. */
export interface CommandOutcomeRecord {
  readonly status: AllocationOutcome['status'];
  readonly appliedAt: number | null;
  readonly reportedAt: number;
}

/**
 * Grants and their outcomes, as shared facts: allocations and allocation-outcomes are both keyed by vmId but may be
 * consumed by different instances, so each writes its own document kind (one writer per document).
 */
export class GrantRecords {
  constructor(private readonly store: HasDocuments) {}

  /** Remembers the first ENFORCE GRANT of each (incident, VM); SHADOW commands change nothing on a VM. */
  recordCommand(command: AllocationCommand): Promise<void> {
    return this.recordCommands([command]);
  }

  /**
   * recordCommand for several commands, in order: RELEASE, ADJUST and SHADOW commands are dropped before any I/O, then
   * one read of the granted pairs and one write of those whose record is new or earlier.
   */
  async recordCommands(commands: readonly AllocationCommand[]): Promise<void> {
    const earliest = new Map<string, GrantRecord>();
    for (const c of commands) {
      if (c.action !== 'GRANT' || c.mode !== 'ENFORCE') continue;
      const id = pairDocumentId(c.incidentId, c.vmId);
      const seen = earliest.get(id);
      if (seen === undefined || c.eventTime < seen.issuedAt) earliest.set(id, { commandId: c.commandId, issuedAt: c.eventTime });
    }
    if (earliest.size === 0) return;
    const ids = [...earliest.keys()];
    const before = await readDocuments<GrantRecord>(this.store, LEARNER_DOCUMENTS.grant, ids);
    const writes = ids.flatMap((id) => {
      const seen = before.get(id);
      const record = earliest.get(id) as GrantRecord;
      return seen !== undefined && seen.issuedAt <= record.issuedAt ? [] : [[id, record] as const];
    });
    await writeDocuments(this.store, LEARNER_DOCUMENTS.grant, writes);
  }

  async recordOutcome(outcome: AllocationOutcome): Promise<void> {
    await this.recordOutcomes([outcome]);
  }

  /** recordOutcome for several outcomes, in order (a command's later outcome replaces its earlier one), in one write. */
  async recordOutcomes(outcomes: readonly AllocationOutcome[]): Promise<void> {
    const latest = new Map<string, CommandOutcomeRecord>();
    for (const o of outcomes) latest.set(o.commandId, { status: o.status, appliedAt: o.appliedAt, reportedAt: o.eventTime });
    await writeDocuments(this.store, LEARNER_DOCUMENTS.commandOutcome, [...latest]);
  }

  /**
   * When the grant of (incident, VM) was in place, or undefined when there was none or it was never carried out.
   * NOTE: without an outcome (no actuator feedback yet) the grant counts as applied when issued.
   */
  async appliedAt(incidentId: string, vmId: string): Promise<number | undefined> {
    const grant = await readDocument<GrantRecord>(this.store, LEARNER_DOCUMENTS.grant, pairDocumentId(incidentId, vmId));
    if (grant === undefined) return undefined;
    return appliedAtOf(grant, await readDocument<CommandOutcomeRecord>(this.store, LEARNER_DOCUMENTS.commandOutcome, grant.commandId));
  }

  /** appliedAt of several VMs of an incident, with one read of their grants and one of those grants' outcomes: the VMs whose grant was in place. */
  async appliedAtMany(incidentId: string, vmIds: readonly string[]): Promise<Map<string, number>> {
    const applied = new Map<string, number>();
    if (vmIds.length === 0) return applied;
    const grants = await readDocuments<GrantRecord>(this.store, LEARNER_DOCUMENTS.grant, vmIds.map((vmId) => pairDocumentId(incidentId, vmId)));
    const granted = vmIds.flatMap((vmId) => {
      const grant = grants.get(pairDocumentId(incidentId, vmId));
      return grant === undefined ? [] : [{ vmId, grant }];
    });
    if (granted.length === 0) return applied;
    const outcomes = await this.store.documents.getMany(LEARNER_DOCUMENTS.commandOutcome, granted.map(({ grant }) => grant.commandId));
    granted.forEach(({ vmId, grant }, i) => {
      const json = outcomes[i];
      const at = appliedAtOf(grant, json === undefined ? undefined : (JSON.parse(json) as CommandOutcomeRecord));
      if (at !== undefined) applied.set(vmId, at);
    });
    return applied;
  }

  /** Forgets the grant of (incident, VM) and its outcome once the incident is labelled. */
  async forget(incidentId: string, vmId: string): Promise<void> {
    const id = pairDocumentId(incidentId, vmId);
    const grant = await readDocument<GrantRecord>(this.store, LEARNER_DOCUMENTS.grant, id);
    if (grant === undefined) return;
    await this.store.documents.delete(LEARNER_DOCUMENTS.commandOutcome, grant.commandId);
    await this.store.documents.delete(LEARNER_DOCUMENTS.grant, id);
  }

  /**
   * forget for several VMs of an incident: one read of their grants, then the deletions sent together, in the order
   * forgetting them one by one makes (each VM's outcome, then its grant).
   */
  async forgetMany(incidentId: string, vmIds: readonly string[]): Promise<void> {
    if (vmIds.length === 0) return;
    const ids = vmIds.map((vmId) => pairDocumentId(incidentId, vmId));
    const grants = await readDocuments<GrantRecord>(this.store, LEARNER_DOCUMENTS.grant, ids);
    // NOTE: the store sends each call's command as it is made, so Redis applies them in this order: a crash leaves at
    // most one VM whose outcome is gone and grant is not, as one by one does.
    await Promise.all(ids.flatMap((id) => {
      const grant = grants.get(id);
      return grant === undefined ? [] : [
        this.store.documents.delete(LEARNER_DOCUMENTS.commandOutcome, grant.commandId),
        this.store.documents.delete(LEARNER_DOCUMENTS.grant, id),
      ];
    }));
  }
}

/** When a grant was in place given its outcome: without one (no actuator feedback yet) or DEFERRED, when issued. */
function appliedAtOf(grant: GrantRecord, outcome: CommandOutcomeRecord | undefined): number | undefined {
  if (outcome === undefined || outcome.status === 'DEFERRED') return grant.issuedAt;
  if (outcome.status !== 'APPLIED') return undefined;
  return outcome.appliedAt ?? outcome.reportedAt;
}
