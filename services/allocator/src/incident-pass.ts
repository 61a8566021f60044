import {
  planAllocation, releaseIncident, type AllocationDecision, type AllocationPlan, type AtRiskVm, type Lease, type ModelParameters,
} from '@foresight/core';
import type { AllocationMode, RiskAssessment } from '@foresight/contracts';
import type { Logger } from '@foresight/messaging';
import type { StateStore } from '@foresight/stores';
import { commandIdFor } from './command-id.js';
import type { AllocatorMetrics } from './allocator-metrics.js';
import type { AllocatorSettings } from './allocator-settings.js';
import type { FleetInventory } from './fleet-inventory.js';
import type { GrantRateLimit } from './grant-rate-limit.js';
import type { IncidentAllocation, PendingPass } from './incident-allocation-book.js';
import type { PlannedCommand } from './planned-command.js';
import { heldReservations, leaseOfReservation, poolSnapshot } from './pool-snapshot.js';

/** What planning a pass needs besides the assessment. */
export interface PassPlanner {
  readonly store: StateStore;
  readonly inventory: FleetInventory;
  readonly rateLimit: GrantRateLimit;
  readonly settings: AllocatorSettings;
  readonly logger: Logger;
  readonly metrics: AllocatorMetrics;
}

interface RiskEntry { readonly probability: number; readonly etaAt: number; readonly path: readonly string[] }

function unit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** The assessment's at-risk VMs as the policy sees them (one entry per VM, placement from the inventory when known). */
async function atRiskOf(planner: PassPlanner, risk: RiskAssessment): Promise<{ atRisk: AtRiskVm[]; entries: Map<string, RiskEntry> }> {
  const best = new Map<string, RiskAssessment['atRisk'][number]>();
  for (const e of risk.atRisk) {
    const seen = best.get(e.vmId);
    if (e.vmId !== '' && (seen === undefined || e.probability > seen.probability)) best.set(e.vmId, e);
  }
  const chosen = [...best.values()];
  const placements = await planner.inventory.placements(chosen.map((e) => e.vmId));
  const atRisk: AtRiskVm[] = [];
  const entries = new Map<string, RiskEntry>();
  chosen.forEach((e, i) => {
    const placement = placements[i];
    const hostId = placement?.hostId ?? e.hostId;
    if (hostId === '') return;
    const etaAt = risk.generatedAt + Math.max(0, e.etaMs);
    const probability = unit(e.probability);
    atRisk.push({
      incidentId: risk.incidentId, vmId: e.vmId, hostId, anomalyType: risk.anomalyType, severity: unit(risk.severity), probability, etaAt,
      criticality: unit(placement?.criticality ?? planner.settings.defaultCriticality),
    });
    entries.set(e.vmId, { probability, etaAt, path: e.path });
  });
  return { atRisk, entries };
}

/** Turns decisions into commands with derived ids; GRANTs beyond the rate limit are dropped (any subset of GRANTs still fits). */
async function commandsOf(
  planner: PassPlanner, plan: AllocationPlan, cause: number, mode: AllocationMode, entries: ReadonlyMap<string, RiskEntry>,
): Promise<PlannedCommand[]> {
  const occurrences = new Map<string, number>();
  const commands: PlannedCommand[] = [];
  // The pass's GRANTs take their rate-limit slots at once; the first `allowed` of them (in decision order) go ahead.
  const grants = plan.decisions.filter((d) => d.action === 'GRANT').length;
  let allowed = grants === 0 ? 0 : await planner.rateLimit.takeMany(mode, plan.now, grants);
  for (const d of plan.decisions) {
    const key = `${d.incidentId}\u0000${d.vmId}\u0000${d.action}`;
    const occurrence = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, occurrence);
    const commandId = commandIdFor(d.incidentId, d.vmId, cause, d.action, occurrence);
    if (d.action === 'GRANT' && allowed-- <= 0) {
      planner.metrics.grantRefused('RATE_LIMITED');
      planner.logger.warn({ commandId, mode, maxGrantsPerMinute: planner.settings.maxGrantsPerMinute }, 'grant dropped: rate limit reached');
      continue;
    }
    commands.push(commandOf(d, commandId, mode, plan.now, entries.get(d.vmId)));
  }
  return commands;
}

function commandOf(d: AllocationDecision, commandId: string, mode: AllocationMode, now: number, entry: RiskEntry | undefined): PlannedCommand {
  const etaAt = d.reason.etaAt ?? entry?.etaAt;
  return {
    commandId, step: d.action, reservationId: d.action === 'GRANT' ? commandId : d.leaseId,
    incidentId: d.incidentId, vmId: d.vmId, hostId: d.hostId, resources: d.resources, leaseExpiresAt: d.leaseExpiresAt, mode,
    probability: d.reason.probability ?? entry?.probability ?? 0,
    etaMs: etaAt === undefined ? 0 : Math.max(0, Math.round(etaAt - now)),
    path: entry?.path ?? [],
  };
}

/** The SHADOW leases after a pass's commands: what the incident would hold had they been carried out. */
export function shadowLeasesAfter(before: readonly Lease[], commands: readonly PlannedCommand[], now: number): Lease[] {
  const leases = new Map(before.map((l) => [l.leaseId, l]));
  for (const c of commands) {
    if (c.mode !== 'SHADOW') continue;
    if (c.step === 'RELEASE') leases.delete(c.reservationId);
    else if (c.step === 'GRANT') {
      leases.set(c.reservationId, {
        leaseId: c.reservationId, incidentId: c.incidentId, vmId: c.vmId, hostId: c.hostId, resources: c.resources, grantedAt: now, expiresAt: c.leaseExpiresAt,
      });
    } else {
      const lease = leases.get(c.reservationId);
      if (lease !== undefined) leases.set(c.reservationId, { ...lease, resources: c.resources, expiresAt: c.leaseExpiresAt });
    }
  }
  return [...leases.values()];
}

/** Plans an OPEN assessment: grants, adjusts, renews and releases of this incident's leases (core planAllocation). */
export async function planRiskPass(
  planner: PassPlanner, risk: RiskAssessment, record: IncidentAllocation, mode: AllocationMode, model: ModelParameters,
): Promise<PendingPass> {
  const now = risk.eventTime;
  const shadow = mode === 'SHADOW' ? record.shadowLeases : undefined;
  // The placements and the reservations the pass needs are read at once (the latter for every VM the assessment
  // names: a superset of the at-risk VMs with a known host).
  const [{ atRisk, entries }, held] = await Promise.all([
    atRiskOf(planner, risk),
    heldReservations(planner.store, risk.incidentId, risk.atRisk.map((e) => e.vmId), shadow !== undefined),
  ]);
  const { pool, leases } = await poolSnapshot(
    planner.store, risk.incidentId, atRisk.map((e) => e.hostId), atRisk.map((e) => e.vmId), planner.settings.vmCap, now, shadow, held,
  );
  const plan = planAllocation({ now, atRisk, pool, leases, model, policy: planner.settings.policy });
  for (const d of plan.deferred) {
    planner.metrics.grantRefused('DEFERRED');
    planner.logger.debug({ incidentId: d.incidentId, vmId: d.vmId, why: d.reason.why, wanted: d.wanted, available: d.available }, 'grant deferred');
  }
  const commands = await commandsOf(planner, plan, risk.version, mode, entries);
  return { version: risk.version, now, commands, shadowLeasesAfter: shadowLeasesAfter(record.shadowLeases, commands, now), closes: false };
}

/** Plans a CLOSED assessment: every lease of the incident is released (its reservations and any SHADOW leases). */
export async function planClosingPass(planner: PassPlanner, risk: RiskAssessment, record: IncidentAllocation): Promise<PendingPass> {
  const now = risk.eventTime;
  const reserved = (await planner.store.activeReservations({ incidentId: risk.incidentId })).map((r) => leaseOfReservation(r, now));
  const commands = [
    ...await commandsOf(planner, releaseIncident(reserved, risk.incidentId, now), risk.version, 'ENFORCE', new Map()),
    ...await commandsOf(planner, releaseIncident(record.shadowLeases, risk.incidentId, now), risk.version, 'SHADOW', new Map()),
  ];
  return { version: risk.version, now, commands, shadowLeasesAfter: [], closes: true };
}
