import type { AllocationOutcome, RiskAssessment } from '@foresight/contracts';
import type { Lease } from '@foresight/core';
import type { Logger, Publish } from '@foresight/messaging';
import type { Reservation, StateStore } from '@foresight/stores';
import type { AllocatorMetrics } from './allocator-metrics.js';
import { modeOf, type AllocatorSettings } from './allocator-settings.js';
import { commandIdFor, commandSubject } from './command-id.js';
import type { CurrentModel } from './current-model.js';
import type { FleetInventory } from './fleet-inventory.js';
import { GrantRateLimit } from './grant-rate-limit.js';
import { IncidentAllocationBook, type IncidentAllocation, type PendingPass } from './incident-allocation-book.js';
import { planClosingPass, planRiskPass, type PassPlanner } from './incident-pass.js';
import { type KeyedSerialQueue } from './keyed-serial-queue.js';
import { LedgerActuator, allocationCommandOf } from './ledger-actuator.js';
import type { PlannedCommand } from './planned-command.js';

/** What the allocator's domain needs. */
export interface IncidentAllocatorDeps {
  readonly store: StateStore;
  readonly inventory: FleetInventory;
  readonly model: CurrentModel;
  readonly settings: AllocatorSettings;
  readonly logger: Logger;
  readonly metrics: AllocatorMetrics;
  readonly queue: KeyedSerialQueue;
}

/** A RELEASE that no plan made: a lease that expired, or one whose command the actuator could not carry out. */
function forcedRelease(lease: Pick<Reservation, 'incidentId' | 'vmId' | 'hostId' | 'resources'>, commandId: string, mode: 'ENFORCE' | 'SHADOW', now: number, reservationId: string): PlannedCommand {
  return {
    commandId, step: 'RELEASE', reservationId, incidentId: lease.incidentId, vmId: lease.vmId, hostId: lease.hostId, resources: lease.resources,
    leaseExpiresAt: now, mode, probability: 0, etaMs: 0, path: [],
  };
}

/**
 * The allocator's decisions and effects, one incident at a time. A risk assessment is planned into commands, the
 * commands are written ahead into the incident's document, carried out on the ledger and published, and then the
 * version is recorded: a crash in between replays the same commands; an older or equal version does nothing.
 */
export class IncidentAllocator {
  private readonly book: IncidentAllocationBook;
  private readonly actuator: LedgerActuator;
  private readonly planner: PassPlanner;
  /** Incidents this process handled that hold SHADOW leases, by their earliest expiry. */
  private readonly shadowExpiries = new Map<string, number>();

  constructor(private readonly deps: IncidentAllocatorDeps) {
    this.book = new IncidentAllocationBook(deps.store);
    this.actuator = new LedgerActuator(deps.store, deps.logger, deps.metrics);
    this.planner = {
      store: deps.store, inventory: deps.inventory, rateLimit: new GrantRateLimit(deps.store, deps.settings.maxGrantsPerMinute),
      settings: deps.settings, logger: deps.logger, metrics: deps.metrics,
    };
  }

  /** Sets the configured budget and finds the incidents holding SHADOW leases. */
  async start(): Promise<void> {
    await this.deps.store.setBudget(this.deps.settings.budget);
    for (const record of await this.book.all()) this.trackShadow(record);
  }

  /** Handles one risk assessment (OPEN: plan; CLOSED: release everything of the incident). */
  onRisk(risk: RiskAssessment, publish: Publish): Promise<void> {
    return this.deps.queue.run(`incident:${risk.incidentId}`, async () => {
      // The model is read alongside the incident's record (it is only used for an OPEN pass).
      const [loaded, model] = await Promise.all([this.book.load(risk.incidentId), risk.status === 'CLOSED' ? undefined : this.deps.model.get()]);
      let record = loaded;
      if (record.pending !== undefined) record = await this.complete(record, record.pending, publish);
      if (risk.version <= record.lastVersion) {
        this.deps.logger.debug({ incidentId: risk.incidentId, version: risk.version, lastVersion: record.lastVersion }, 'risk version already handled');
        return;
      }
      const pass = risk.status === 'CLOSED'
        ? await planClosingPass(this.planner, risk, record)
        : await planRiskPass(this.planner, risk, record, modeOf(this.deps.settings, risk.systemId), model ?? await this.deps.model.get());
      if (pass.commands.length > 0) await this.book.save({ ...record, pending: pass });
      await this.complete(record, pass, publish);
    });
  }

  /** Frees the reservation of a command the actuator reported INFEASIBLE or FAILED, and tells the actuator so. */
  async onOutcome(outcome: AllocationOutcome, publish: Publish): Promise<void> {
    if (outcome.status !== 'INFEASIBLE' && outcome.status !== 'FAILED') return;
    const subject = commandSubject(outcome.commandId);
    if (subject === undefined) {
      this.deps.logger.warn({ commandId: outcome.commandId, status: outcome.status }, 'outcome for a command id the allocator does not issue');
      return;
    }
    await this.deps.queue.run(`incident:${subject.incidentId}`, async () => {
      const held = await this.deps.store.activeReservations({ incidentId: subject.incidentId, vmId: subject.vmId });
      const reservation = subject.step === 'GRANT' ? held.find((r) => r.commandId === outcome.commandId) : held[0];
      if (reservation === undefined) return;
      const commandId = commandIdFor(subject.incidentId, subject.vmId, `outcome-${encodeURIComponent(outcome.commandId)}`, 'RELEASE');
      const release = forcedRelease(reservation, commandId, 'ENFORCE', outcome.eventTime, reservation.commandId);
      await this.deps.store.release(reservation.commandId);
      this.deps.logger.warn({ commandId: outcome.commandId, status: outcome.status, detail: outcome.detail, freed: reservation.resources }, 'command not carried out: reservation freed');
      await this.publish([release], outcome.eventTime, publish);
    });
  }

  /** Time-driven work at event time `now`: expires due leases (ledger and SHADOW) and publishes their RELEASEs. */
  async tick(now: number, publish: Publish): Promise<void> {
    const due = new Map((await this.deps.store.activeReservations({ expiringBy: now })).map((r) => [r.commandId, r]));
    if (due.size > 0) {
      const released = await this.deps.store.expireLeases(now);
      const releases = released.flatMap((id) => {
        const r = due.get(id);
        return r === undefined ? [] : [forcedRelease(r, commandIdFor(r.incidentId, r.vmId, `expired-${r.leaseExpiresAt}`, 'RELEASE'), 'ENFORCE', now, id)];
      });
      if (releases.length > 0) this.deps.logger.info({ released: releases.length, now }, 'leases expired');
      await this.publish(releases, now, publish);
    }
    for (const [incidentId, at] of [...this.shadowExpiries]) {
      if (at <= now) await this.deps.queue.run(`incident:${incidentId}`, () => this.expireShadow(incidentId, now, publish));
    }
    const [active, budget] = await Promise.all([this.deps.store.countActiveReservations(), this.deps.store.budget()]);
    this.deps.metrics.ledgerObserved(active, budget.reserved);
  }

  private async expireShadow(incidentId: string, now: number, publish: Publish): Promise<void> {
    let record = await this.book.load(incidentId);
    if (record.pending !== undefined) record = await this.complete(record, record.pending, publish);
    const expired = record.shadowLeases.filter((l) => l.expiresAt <= now);
    const releases = expired.map((l) => forcedRelease(l, commandIdFor(incidentId, l.vmId, `expired-${l.expiresAt}`, 'RELEASE'), 'SHADOW', now, l.leaseId));
    await this.publish(releases, now, publish);
    const next = { ...record, shadowLeases: record.shadowLeases.filter((l) => l.expiresAt > now) };
    await this.book.save(next);
    this.trackShadow(next);
  }

  // Carries out a pass (idempotently) and records it as handled.
  private async complete(record: IncidentAllocation, pass: PendingPass, publish: Publish): Promise<IncidentAllocation> {
    const accepted: PlannedCommand[] = [];
    // NOTE: a run of consecutive GRANTs goes to the ledger as one reserveMany, which decides them in the same order as
    // one by one; a run of RELEASEs as one releaseMany. ADJUST / RENEW stay one at a time.
    for (let i = 0; i < pass.commands.length;) {
      let end = i + 1;
      const step = pass.commands[i].step;
      if (step === 'GRANT' || step === 'RELEASE') while (end < pass.commands.length && pass.commands[end].step === step) end++;
      const run = pass.commands.slice(i, end);
      const applied = await this.actuator.applyRun(run);
      run.forEach((command, k) => { if (applied[k]) accepted.push(command); });
      i = end;
    }
    await this.publish(accepted, pass.now, publish);
    const next: IncidentAllocation = { incidentId: record.incidentId, lastVersion: pass.version, closed: pass.closes, shadowLeases: pass.shadowLeasesAfter };
    await this.book.save(next);
    this.trackShadow(next);
    return next;
  }

  private async publish(commands: readonly PlannedCommand[], now: number, publish: Publish): Promise<void> {
    if (commands.length === 0) return;
    await publish('allocations', commands.map((c) => allocationCommandOf(c, now)));
    for (const c of commands) this.deps.metrics.commandPublished(c.step === 'RENEW' ? 'ADJUST' : c.step, c.mode);
  }

  private trackShadow(record: { readonly incidentId: string; readonly shadowLeases: readonly Lease[] }): void {
    if (record.shadowLeases.length === 0) this.shadowExpiries.delete(record.incidentId);
    else this.shadowExpiries.set(record.incidentId, Math.min(...record.shadowLeases.map((l) => l.expiresAt)));
  }
}
