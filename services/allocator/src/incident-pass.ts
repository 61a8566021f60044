import {
  planAllocation, releaseIncident, type AllocationDecision, type AllocationPlan, type AtRiskVm, type Lease, type ModelParameters,
} from '@foresight/core';
import type { AllocationMode, RiskAssessment } from '@foresight/contracts';
import type { Logger } from '@foresight/messaging';
import { commandIdFor } from './command-id.js';
import type { AllocatorMetrics } from './allocator-metrics.js';
import type { AllocatorSettings } from './allocator-settings.js';
import type { VmPlacement } from './fleet-inventory.js';
import type { IncidentAllocation } from './incident-allocation-book.js';
import { leaseOfReservation, type LedgerView } from './ledger-view.js';
import type { PlannedCommand } from './planned-command.js';

/** What planning a pass needs besides the assessment and the ledger. */
export interface PassPlanner {
  readonly settings: AllocatorSettings;
  readonly logger: Logger;
  readonly metrics: AllocatorMetrics;
}

interface RiskEntry { readonly probability: number; readonly etaAt: number; readonly path: readonly string[] }

function unit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** The VMs an assessment names (one entry per VM: the likeliest), in order of first mention. */
export function namedVms(risk: RiskAssessment): RiskAssessment['atRisk'][number][] {
  const best = new Map<string, RiskAssessment['atRisk'][number]>();
  for (const e of risk.atRisk) {
    const seen = best.get(e.vmId);
    if (e.vmId !== '' && (seen === undefined || e.probability > seen.probability)) best.set(e.vmId, e);
  }
  return [...best.values()];
}

/** Whether the policy may newly grant to a VM at this probability (core planAllocation: probability ≥ grantThreshold). */
export function isGrantable(probability: number, model: ModelParameters): boolean {
  return unit(probability) >= model.grantThreshold;
}

/** The assessment's at-risk VMs as the policy sees them (placement from the inventory when known). */
function atRiskOf(
  settings: AllocatorSettings, risk: RiskAssessment, placements: ReadonlyMap<string, VmPlacement | undefined>,
): { atRisk: AtRiskVm[]; entries: Map<string, RiskEntry> } {
  const atRisk: AtRiskVm[] = [];
  const entries = new Map<string, RiskEntry>();
  for (const e of namedVms(risk)) {
    const placement = placements.get(e.vmId);
    const hostId = placement?.hostId ?? e.hostId;
    if (hostId === '') continue;
    const etaAt = risk.generatedAt + Math.max(0, e.etaMs);
    const probability = unit(e.probability);
    atRisk.push({
      incidentId: risk.incidentId, vmId: e.vmId, hostId, anomalyType: risk.anomalyType, severity: unit(risk.severity), probability, etaAt,
      criticality: unit(placement?.criticality ?? settings.defaultCriticality),
    });
    entries.set(e.vmId, { probability, etaAt, path: e.path });
  }
  return { atRisk, entries };
}

/** An OPEN assessment as the policy sees it: its placed at-risk VMs, their entries, and those it may newly grant. */
export interface AssessedRisk {
  readonly atRisk: readonly AtRiskVm[];
  readonly entries: ReadonlyMap<string, RiskEntry>;
  /** At or above the grant threshold: only these may get a new grant (leased VMs come with the leases). */
  readonly grantable: readonly AtRiskVm[];
}

/** atRiskOf, with the VMs the current model may newly grant. */
export function assessRisk(
  settings: AllocatorSettings, risk: RiskAssessment, placements: ReadonlyMap<string, VmPlacement | undefined>, model: ModelParameters,
): AssessedRisk {
  const { atRisk, entries } = atRiskOf(settings, risk, placements);
  return { atRisk, entries, grantable: atRisk.filter((e) => isGrantable(e.probability, model)) };
}

/** Turns decisions into commands with derived ids (the rate limit is applied to the batch afterwards: limitGrants). */
function commandsOf(plan: AllocationPlan, cause: number, mode: AllocationMode, entries: ReadonlyMap<string, RiskEntry>): PlannedCommand[] {
  const occurrences = new Map<string, number>();
  return plan.decisions.map((d) => {
    const key = `${d.incidentId}\u0000${d.vmId}\u0000${d.action}`;
    const occurrence = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, occurrence);
    return commandOf(d, commandIdFor(d.incidentId, d.vmId, cause, d.action, occurrence), mode, plan.now, entries.get(d.vmId));
  });
}

function commandOf(d: AllocationDecision, commandId: string, mode: AllocationMode, now: number, entry: RiskEntry | undefined): PlannedCommand {
  const etaAt = d.reason.etaAt ?? entry?.etaAt;
  return {
    commandId, step: d.action, reservationId: d.action === 'GRANT' ? commandId : d.leaseId,
    incidentId: d.incidentId, vmId: d.vmId, hostId: d.hostId, resources: d.resources, leaseExpiresAt: d.leaseExpiresAt, mode,
    probability: d.reason.probability ?? entry?.probability ?? 0,
    etaMs: etaAt === undefined ? 0 : Math.max(0, Math.round(etaAt - now)),
    path: entry?.path ?? [],
    why: d.reason.why,
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

/**
 * Plans an OPEN assessment against the ledger view (core planAllocation): grants, adjusts, renews and releases of
 * this incident's leases. Pure: the view is read ahead for the whole batch.
 */
export function planRiskPass(
  planner: PassPlanner, risk: RiskAssessment, record: IncidentAllocation, mode: AllocationMode, model: ModelParameters,
  { atRisk, entries, grantable }: AssessedRisk, view: LedgerView,
): PlannedCommand[] {
  const now = risk.eventTime;
  const { pool, leases } = view.poolFor(
    risk.incidentId, grantable.map((e) => e.hostId), grantable.map((e) => e.vmId), planner.settings.vmCap, now, mode === 'SHADOW' ? record.shadowLeases : undefined,
  );
  // The incident's sources are degraded: their leases are kept or handed over (settings.policy.degradedLeases).
  const degraded = risk.sources.map((source) => ({ incidentId: risk.incidentId, vmId: source.vmId }));
  const plan = planAllocation({ now, atRisk, degraded, pool, leases, model, policy: planner.settings.policy });
  for (const d of plan.deferred) {
    planner.metrics.grantRefused('DEFERRED');
    planner.logger.debug({ incidentId: d.incidentId, vmId: d.vmId, why: d.reason.why, wanted: d.wanted, available: d.available }, 'grant deferred');
  }
  return commandsOf(plan, risk.version, mode, entries);
}

/** Plans a CLOSED assessment: every lease of the incident is released (its reservations and any SHADOW leases). */
export function planClosingPass(risk: RiskAssessment, record: IncidentAllocation, view: LedgerView): PlannedCommand[] {
  const now = risk.eventTime;
  const reserved = view.reservationsOf(risk.incidentId).map((r) => leaseOfReservation(r, now));
  return [
    ...commandsOf(releaseIncident(reserved, risk.incidentId, now), risk.version, 'ENFORCE', new Map()),
    ...commandsOf(releaseIncident(record.shadowLeases, risk.incidentId, now), risk.version, 'SHADOW', new Map()),
  ];
}
