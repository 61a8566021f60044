import type { AllocationOutcome, RiskAssessment } from '@foresight/contracts';
import {
  ZERO_RESOURCES, actuationOrder, allocationRound, assessRisk, commandIdFor, commandSubject, grantWindow, namedVms, shadowLeasesAfter, type GrantRefusal, type Lease, type RoundAssessment,
} from '@foresight/core';
import type { Logger, Publish } from '@foresight/messaging';
import type { HasDocuments, LeaseLedger, QuotaWindows, Reservation } from '@foresight/stores';
import type { AllocatorMetrics } from './allocator-metrics.js';
import { modeOf, type AllocatorSettings } from './allocator-settings.js';
import type { CurrentModel } from './current-model.js';
import type { FleetInventory } from './fleet-inventory.js';
import { GrantRateLimit } from './grant-rate-limit.js';
import { IncidentAllocationBook, type IncidentAllocation, type PendingPass } from './incident-allocation-book.js';
import { type KeyedSerialQueue } from './keyed-serial-queue.js';
import { LedgerActuator, allocationCommandOf } from './ledger-actuator.js';
import { readHeldReservations, readLedgerView } from './ledger-view.js';
import { riskRounds } from './risk-rounds.js';
import type { PlannedCommand } from './planned-command.js';
import type { LedgerEpoch, StateEpoch } from './state-epoch.js';
import type { VmPlacement } from './fleet-inventory.js';

/** What the allocator's domain needs. */
export interface IncidentAllocatorDeps {
  readonly store: LeaseLedger & QuotaWindows & HasDocuments;
  readonly inventory: FleetInventory;
  readonly model: CurrentModel;
  readonly settings: AllocatorSettings;
  readonly logger: Logger;
  readonly metrics: AllocatorMetrics;
  readonly queue: KeyedSerialQueue;
  /** Detects a state store that lost the allocator's state and rebuilds it (checked before each round and tick). */
  readonly epoch: StateEpoch;
}

/** A `risk` message as the allocation round reads it, in the mode its system is handled in. */
export function roundAssessmentOf(risk: RiskAssessment, settings: AllocatorSettings): RoundAssessment {
  return { ...risk, mode: modeOf(settings, risk.systemId) };
}

/** A command the ledger accepted, at event time `now`, with its host's number of the change (0: none). */
interface Outgoing {
  readonly command: PlannedCommand;
  readonly now: number;
  readonly hostSequence: number;
}

/** A RELEASE that no plan made: a lease that expired, or one whose command the actuator could not carry out. */
function forcedRelease(
  lease: Pick<Reservation, 'incidentId' | 'vmId' | 'hostId' | 'resources'>, commandId: string, mode: 'ENFORCE' | 'SHADOW', now: number, reservationId: string,
  why: 'lease_expired' | 'not_carried_out',
): PlannedCommand {
  return {
    commandId, step: 'RELEASE', reservationId, incidentId: lease.incidentId, vmId: lease.vmId, hostId: lease.hostId, resources: lease.resources,
    leaseExpiresAt: now, mode, probability: 0, etaMs: 0, path: [], why, phase: 'release',
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
  private readonly rateLimit: GrantRateLimit;
  /** Incidents this process handled that hold SHADOW leases, by their earliest expiry. */
  private readonly shadowExpiries = new Map<string, number>();

  constructor(private readonly deps: IncidentAllocatorDeps) {
    this.book = new IncidentAllocationBook(deps.store);
    this.actuator = new LedgerActuator(deps.store, deps.logger, deps.metrics, deps.settings.vmCap);
    this.rateLimit = new GrantRateLimit(deps.store, deps.settings.maxGrantsPerMinute);
  }

  /**
   * Sets the configured budget, builds the state when the store holds none (event time `now` starts its epoch) and
   * finds the incidents holding SHADOW leases.
   */
  async start(now: number): Promise<void> {
    await this.deps.store.setBudget(this.deps.settings.budget);
    await this.deps.epoch.ensure(now);
    for (const record of await this.book.all()) this.trackShadow(record);
  }

  /** Handles one risk assessment (OPEN: plan; CLOSED: release everything of the incident): a batch of one. */
  onRisk(risk: RiskAssessment, publish: Publish): Promise<void> {
    return this.onRiskRun([risk], publish);
  }

  /**
   * Handles risk assessments of any incidents as one batch (the Kafka runtime hands over a partition's backlog at
   * once). Each incident's assessments keep their order; incidents whose first assessment here is CLOSED go first
   * (they only free resources). An incident met more than once is handled in rounds, one assessment per incident per
   * round. See handleRound.
   */
  onRiskRun(risks: readonly RiskAssessment[], publish: Publish): Promise<void> {
    return this.deps.queue.runAll([...new Set(risks.map((r) => `incident:${r.incidentId}`))], async () => {
      for (const round of riskRounds(risks)) await this.handleRound(round, publish);
    });
  }

  /**
   * One assessment per incident: read → core allocationRound → write → publish. Reads the records, the model, the
   * placements, the ledger and the rate limit's windows at once; the round plans every pass against that ledger (a later
   * pass sees what an earlier one took or freed, as one by one); the rate limit's units are taken once per window; the
   * passes are written ahead together; the ledger is changed in runs of one step; one publish; the records written
   * together. A crash anywhere replays the written-ahead passes with the same command ids.
   */
  private async handleRound(risks: readonly RiskAssessment[], publish: Publish): Promise<void> {
    const { settings, store } = this.deps;
    const ids = risks.map((r) => r.incidentId);
    const open = risks.filter((r) => r.status !== 'CLOSED');
    const vmIds = [...new Set(open.flatMap((r) => [...namedVms(r).map((e) => e.vmId), ...r.sources.map((s) => s.vmId)]))];
    const windows = open.map((r) => grantWindow(modeOf(settings, r.systemId), r.eventTime));
    // The incidents' own reservations take two round trips (their ids, then their records): the second rides with the
    // ledger view's first read below instead of delaying the planning inputs.
    const readHeld = (): Promise<readonly Reservation[]> => {
      const held = readHeldReservations(store, ids);
      held.catch(() => undefined); // NOTE: awaited below, or dropped when the round re-reads or has nothing to do
      return held;
    };
    const read = () => Promise.all([
      this.book.loadMany(ids),
      this.deps.model.get(),
      this.deps.inventory.placements(vmIds),
      this.rateLimit.left(windows),
    ]);
    let held = readHeld();
    // A store that lost the allocator's state is rebuilt before anything is planned against it. The epoch marker is
    // read with the round's reads (one round trip); when it is missing, the state is rebuilt and everything read again.
    const [current, reads] = await Promise.all([this.deps.epoch.current(), read()]);
    const epoch = current ?? await this.deps.epoch.ensure(Math.max(...risks.map((r) => r.eventTime)));
    if (current === undefined) held = readHeld();
    const [loaded, model, placementList, allowance] = current === undefined ? await read() : reads;
    let records = loaded;
    // Passes a crash left half done are finished first (rare), with their round; the ledger is then read again.
    if (records.some((record) => record.pending !== undefined)) {
      await held;
      await this.finishRounds(records, ids, publish, epoch);
      held = readHeld();
      records = await this.book.loadMany(ids);
    }
    const todo = risks.flatMap((risk, i) => {
      const record = records[i];
      if (risk.version > record.lastVersion) return [{ risk, record }];
      this.deps.logger.debug({ incidentId: risk.incidentId, version: risk.version, lastVersion: record.lastVersion }, 'risk version already handled');
      return [];
    });
    if (todo.length === 0) return;
    const placements = new Map(vmIds.map((vmId, i) => [vmId, placementList[i]]));
    const assessments = todo.map(({ risk }) => roundAssessmentOf(risk, settings));
    // The ledger is read for the VMs a pass may grant (at or above the threshold) and those the incidents lease.
    // SHADOW leases bring their VMs and hosts too (they may grow).
    const grantable = assessments.flatMap((a) => (a.status === 'CLOSED' ? [] : assessRisk(a, placements, settings.defaultCriticality, model).grantable));
    const shadowLeases = todo.flatMap(({ record }) => record.shadowLeases);
    // A CLOSED assessment only releases its incident's leases: their VMs' and hosts' ledgers are read only when another
    // pass of the round may grant or grow there (then they are among the grantable or SHADOW-leased).
    const closing = new Set(todo.flatMap(({ risk }) => (risk.status === 'CLOSED' ? [risk.incidentId] : [])));
    const ledger = await readLedgerView(
      store, held, [...grantable, ...shadowLeases].map((e) => e.vmId), [...grantable, ...shadowLeases].map((e) => e.hostId),
      new Map(todo.map(({ record }) => [record.incidentId, record.shadowLeases])), closing,
    );
    const round = allocationRound({ assessments, ledger, placements, rateAllowance: allowance, model, settings });
    this.reportRefusals(round.refusals);
    const { kept, dropped: raced } = await this.rateLimit.take(round.passes);
    for (const c of raced) {
      this.deps.metrics.grantRefused('RATE_LIMITED');
      this.deps.logger.warn({ commandId: c.commandId, mode: c.mode, maxGrantsPerMinute: settings.maxGrantsPerMinute }, 'grant dropped: rate limit reached');
    }
    // An incident a lost ledger may have granted releases what its assessment names first (ledger_lost).
    const commands = todo.map(({ risk, record }, i) => [...this.lostLeaseReleases(risk, record, epoch, placements), ...kept[i]]);
    // The passes with commands are written ahead in one atomic write, each naming the round (planned order).
    const inRound = todo.flatMap(({ risk }, i) => (commands[i].length > 0 ? [risk.incidentId] : []));
    const passes = todo.map(({ risk, record }, i): { record: IncidentAllocation; pass: PendingPass } => ({
      record,
      pass: {
        version: risk.version, now: risk.eventTime, commands: commands[i], shadowLeasesAfter: shadowLeasesAfter(record.shadowLeases, kept[i]),
        closes: risk.status === 'CLOSED', ...(inRound.length > 1 ? { round: inRound } : {}),
      },
    }));
    await this.book.saveMany(passes.filter(({ pass }) => pass.commands.length > 0).map(({ record, pass }) => ({ ...record, pending: pass })));
    await this.completeAll(passes, publish, epoch);
  }

  /**
   * RELEASEs (why `ledger_lost`, nothing in them) of every VM an OPEN assessment names, when its incident has no record
   * in this epoch and began before the epoch did: a ledger the state store lost may have granted those pairs, and the
   * actuator must drop them before this epoch grants any again (no pair granted twice). A VM on no known host is skipped.
   */
  private lostLeaseReleases(risk: RiskAssessment, record: IncidentAllocation, epoch: LedgerEpoch, placements: ReadonlyMap<string, VmPlacement | undefined>): PlannedCommand[] {
    if (risk.status === 'CLOSED' || record.lastVersion !== 0 || record.closed) return [];
    if (Math.min(risk.eventTime, ...risk.sources.map((s) => s.onsetAt)) >= epoch.startedAt) return [];
    const hostOf = new Map<string, string>();
    for (const e of namedVms(risk)) hostOf.set(e.vmId, placements.get(e.vmId)?.hostId ?? e.hostId);
    for (const { vmId } of risk.sources) {
      const hostId = placements.get(vmId)?.hostId;
      if (!hostOf.has(vmId) && hostId !== undefined) hostOf.set(vmId, hostId);
    }
    const mode = modeOf(this.deps.settings, risk.systemId);
    return [...hostOf].filter(([, hostId]) => hostId !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([vmId, hostId]) => {
      const commandId = commandIdFor(risk.incidentId, vmId, `lost-${epoch.epoch}`, 'RELEASE');
      return {
        commandId, step: 'RELEASE', reservationId: commandId, incidentId: risk.incidentId, vmId, hostId, resources: ZERO_RESOURCES,
        leaseExpiresAt: risk.eventTime, mode, probability: 0, etaMs: 0, path: [], why: 'ledger_lost', phase: 'release',
      };
    });
  }

  /** Counts the grants the round did not make for want of room or rate (not those below the threshold). */
  private reportRefusals(refusals: readonly GrantRefusal[]): void {
    for (const r of refusals) {
      if (r.why === 'below_threshold') continue;
      if (r.why === 'rate_limited') {
        this.deps.metrics.grantRefused('RATE_LIMITED');
        this.deps.logger.warn({ incidentId: r.incidentId, vmId: r.vmId, mode: r.mode, maxGrantsPerMinute: this.deps.settings.maxGrantsPerMinute }, 'grant dropped: rate limit reached');
        continue;
      }
      this.deps.metrics.grantRefused('DEFERRED');
      this.deps.logger.debug({ incidentId: r.incidentId, vmId: r.vmId, why: r.why, wanted: r.wanted, available: r.available }, 'grant deferred');
    }
  }

  /** Frees the reservation of a command the actuator reported INFEASIBLE or FAILED, and tells the actuator so. */
  async onOutcome(outcome: AllocationOutcome, publish: Publish): Promise<void> {
    if (outcome.status !== 'INFEASIBLE' && outcome.status !== 'FAILED') return;
    const subject = commandSubject(outcome.commandId);
    if (subject === undefined) {
      this.deps.logger.warn({ commandId: outcome.commandId, status: outcome.status }, 'outcome for a command id the allocator does not issue');
      return;
    }
    const epoch = await this.deps.epoch.ensure(outcome.eventTime);
    await this.deps.queue.run(`incident:${subject.incidentId}`, async () => {
      const held = await this.deps.store.activeReservations({ incidentId: subject.incidentId, vmId: subject.vmId });
      const reservation = subject.step === 'GRANT' ? held.find((r) => r.commandId === outcome.commandId) : held[0];
      if (reservation === undefined) return;
      const commandId = commandIdFor(subject.incidentId, subject.vmId, `outcome-${encodeURIComponent(outcome.commandId)}`, 'RELEASE');
      const release = forcedRelease(reservation, commandId, 'ENFORCE', outcome.eventTime, reservation.commandId, 'not_carried_out');
      const [{ sequence }] = await this.deps.store.releaseManySequenced([
        { commandId: reservation.commandId, hostId: reservation.hostId, incidentId: reservation.incidentId, vmId: reservation.vmId },
      ]);
      this.deps.logger.warn({ commandId: outcome.commandId, status: outcome.status, detail: outcome.detail, freed: reservation.resources }, 'command not carried out: reservation freed');
      await this.publish([{ command: release, now: outcome.eventTime, hostSequence: sequence.released ?? 0 }], publish, epoch);
    });
  }

  /** Time-driven work at event time `now`: expires due leases (ledger and SHADOW) and publishes their RELEASEs. */
  async tick(now: number, publish: Publish): Promise<void> {
    const epoch = await this.deps.epoch.ensure(now);
    const due = new Map((await this.deps.store.activeReservations({ expiringBy: now })).map((r) => [r.commandId, r]));
    if (due.size > 0) {
      const released = (await this.deps.store.expireLeases(now)).filter((id) => due.has(id));
      const sequences = released.length === 0 ? [] : await this.deps.store.hostSequences(released);
      const releases = released.map((id, i): Outgoing => {
        const r = due.get(id) as Reservation;
        const command = forcedRelease(r, commandIdFor(r.incidentId, r.vmId, `expired-${r.leaseExpiresAt}`, 'RELEASE'), 'ENFORCE', now, id, 'lease_expired');
        return { command, now, hostSequence: sequences[i].released ?? 0 };
      });
      if (releases.length > 0) this.deps.logger.info({ released: releases.length, now }, 'leases expired');
      await this.publish(releases, publish, epoch);
    }
    for (const [incidentId, at] of [...this.shadowExpiries]) {
      if (at <= now) await this.deps.queue.run(`incident:${incidentId}`, () => this.expireShadow(incidentId, now, publish, epoch));
    }
    const [active, budget] = await Promise.all([this.deps.store.countActiveReservations(), this.deps.store.budget()]);
    this.deps.metrics.ledgerObserved(active, budget.reserved);
  }

  private async expireShadow(incidentId: string, now: number, publish: Publish, epoch: LedgerEpoch): Promise<void> {
    const record = await this.book.load(incidentId);
    // NOTE: a pass left half done is finished by the redelivery of its risk assessments (offsets were not committed),
    // with its round; finishing it here would take its round's other incidents while holding this one.
    if (record.pending !== undefined) return;
    const expired = record.shadowLeases.filter((l) => l.expiresAt <= now);
    const releases = expired.map((l) => forcedRelease(l, commandIdFor(incidentId, l.vmId, `expired-${l.expiresAt}`, 'RELEASE'), 'SHADOW', now, l.leaseId, 'lease_expired'));
    await this.publish(releases.map((command) => ({ command, now, hostSequence: 0 })), publish, epoch);
    const next = { ...record, shadowLeases: record.shadowLeases.filter((l) => l.expiresAt > now) };
    await this.book.save(next);
    this.trackShadow(next);
  }

  /**
   * Finishes the written-ahead passes of `records` together with the other passes of their rounds, in planned order
   * (a pass may rely on an earlier one of its round). Incidents of a round outside `held` (the keys this call already
   * holds) are taken too: a round's incidents share a partition, so no other run holds them.
   */
  private async finishRounds(records: readonly IncidentAllocation[], held: readonly string[], publish: Publish, epoch: LedgerEpoch): Promise<void> {
    const order = [...new Set(records.flatMap((r) => (r.pending === undefined ? [] : (r.pending.round ?? [r.incidentId]))))];
    const holding = new Set(held);
    await this.deps.queue.runAll(order.filter((id) => !holding.has(id)).map((id) => `incident:${id}`), async () => {
      const unfinished = (await this.book.loadMany(order)).flatMap((record) => (record.pending === undefined ? [] : [{ record, pass: record.pending }]));
      await this.completeAll(unfinished, publish, epoch);
    });
  }

  /**
   * Carries out passes (idempotently) and records them as handled. The passes' commands (in planned order) are carried
   * out in core's actuationOrder: every RELEASE, then shrinking ADJUSTs, RENEWs, then GRANTs and growing ADJUSTs, so on
   * every host what frees comes before what takes. Consecutive RELEASEs and the GRANTs right after them go to the ledger
   * as one releaseAndReserve (exactly as one by one, in order); ADJUST / RENEW one at a time; then one publish of
   * what the ledger accepted, in that order, each with its host's number of the change, and the records written together.
   */
  private async completeAll(items: readonly { readonly record: IncidentAllocation; readonly pass: PendingPass }[], publish: Publish, epoch: LedgerEpoch): Promise<void> {
    const planned = items.flatMap(({ pass }) => pass.commands.map((command) => ({ step: command.step, phase: command.phase, command, now: pass.now })));
    const commands = actuationOrder(planned);
    const accepted: Outgoing[] = [];
    for (let i = 0; i < commands.length;) {
      let end = i + 1;
      const step = commands[i].command.step;
      if (step === 'GRANT' || step === 'RELEASE') while (end < commands.length && commands[end].command.step === step) end++;
      // RELEASEs followed by GRANTs go to the ledger together (one atomic step, releases first).
      if (step === 'RELEASE') while (end < commands.length && commands[end].command.step === 'GRANT') end++;
      const run = commands.slice(i, end);
      const applied = await this.actuator.applyRun(run.map((c) => c.command));
      run.forEach(({ command, now }, k) => {
        const hostSequence = applied[k];
        if (hostSequence !== undefined) accepted.push({ command, now, hostSequence });
      });
      i = end;
    }
    await this.publish(accepted, publish, epoch);
    const next = items.map(({ record, pass }): IncidentAllocation => ({
      incidentId: record.incidentId, lastVersion: pass.version, closed: pass.closes, shadowLeases: pass.shadowLeasesAfter,
    }));
    await this.book.saveMany(next);
    for (const record of next) this.trackShadow(record);
  }

  /** Publishes on `allocations` (keyed by hostId: one host's commands share a partition, in this order). */
  private async publish(commands: readonly Outgoing[], publish: Publish, epoch: LedgerEpoch): Promise<void> {
    if (commands.length === 0) return;
    await publish('allocations', commands.map(({ command, now, hostSequence }) => allocationCommandOf(command, now, { hostSequence, ledgerEpoch: epoch.epoch })));
    for (const { command: c } of commands) this.deps.metrics.commandPublished(c.step === 'RENEW' ? 'ADJUST' : c.step, c.mode);
  }

  private trackShadow(record: { readonly incidentId: string; readonly shadowLeases: readonly Lease[] }): void {
    if (record.shadowLeases.length === 0) this.shadowExpiries.delete(record.incidentId);
    else this.shadowExpiries.set(record.incidentId, Math.min(...record.shadowLeases.map((l) => l.expiresAt)));
  }
}

