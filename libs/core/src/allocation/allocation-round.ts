import type { ModelParameters } from '../model/model-parameters.js';
import { RESOURCE_KEYS, type Resources } from '../resources.js';
import type { AllocationMode } from './allocation-mode.js';
import type { AllocationPolicy } from './allocation-policy.js';
import { grantSizeAtFullSeverity } from './grant-sizing.js';
import { admitGrants, type RateAllowance } from './grant-rate-limit.js';
import { commandsOfPlan, type LeaseCommand } from './lease-command.js';
import { RoundLedger, leaseOfLedgerLease, shadowLeasesAfter, type LedgerView } from './ledger-view.js';
import type { Lease } from './lease.js';
import { pairKey } from './lease.js';
import { planAllocation } from './plan-allocation.js';
import { releaseIncident } from './release-incident.js';
import { assessRisk, type AssessedRisk, type RoundAssessment, type VmPlacements } from './round-assessment.js';

/** The settings a round plans with besides the model (thresholds, grant sizes). */
export interface AllocationRoundSettings {
  readonly policy: AllocationPolicy;
  /** Ceiling on the sum of one VM's leases over all its incidents. */
  readonly vmCap: Resources;
  /** Criticality of a VM the inventory has not reported. */
  readonly defaultCriticality: number;
}

/** Everything one round needs. Pure data; the same input always yields the same result. */
export interface AllocationRoundInput {
  /** At most one per incident, in the order they are planned (a later pass sees what an earlier one took or freed). */
  readonly assessments: readonly RoundAssessment[];
  readonly ledger: LedgerView;
  readonly placements: VmPlacements;
  /** GRANTs still allowed per window (grantWindow); not mutated. */
  readonly rateAllowance: ReadonlyMap<string, number>;
  readonly model: ModelParameters;
  readonly settings: AllocationRoundSettings;
}

/** Why a grant the round could have made was not: no room (which limit), unknown host, the rate limit, or too unlikely. */
export type RefusalWhy = 'host_full' | 'budget' | 'vm_cap' | 'unknown_host' | 'rate_limited' | 'below_threshold';

/** A (incident, VM) that got no new lease in a round, and why. */
export interface GrantRefusal {
  readonly incidentId: string;
  readonly vmId: string;
  readonly mode: AllocationMode;
  readonly why: RefusalWhy;
  readonly probability: number;
  /** host_full, budget, vm_cap, unknown_host: the target size and what was left for it. */
  readonly wanted?: Resources;
  readonly available?: Resources;
}

/** One assessment's pass: the commands admitted, in actuation order. */
export interface RoundPass {
  readonly incidentId: string;
  readonly version: number;
  readonly now: number;
  readonly commands: readonly LeaseCommand[];
}

/** What a round decided, and the ledger (and rate allowance) after it. */
export interface AllocationRoundResult {
  readonly passes: readonly RoundPass[];
  readonly refusals: readonly GrantRefusal[];
  readonly ledger: LedgerView;
  readonly rateAllowance: RateAllowance;
}

function capExhausted(capLeft: Resources | undefined, size: Resources): boolean {
  return capLeft !== undefined && RESOURCE_KEYS.some((k) => size[k] > 0 && capLeft[k] < 1);
}

const CAPACITY_REFUSAL = { host: 'host_full', budget: 'budget', vm_cap: 'vm_cap' } as const;

// An OPEN assessment's pass: core planAllocation on the incident's own leases against the pool the ledger leaves it.
function riskPass(assessment: RoundAssessment, assessed: AssessedRisk, ledger: RoundLedger, shadow: readonly Lease[], input: AllocationRoundInput, refusals: GrantRefusal[]): LeaseCommand[] {
  const { incidentId, mode, eventTime: now } = assessment;
  const { atRisk, entries, grantable } = assessed;
  const { model, settings } = input;
  const { pool, leases } = ledger.poolFor(
    incidentId, grantable.map((e) => e.hostId), grantable.map((e) => e.vmId), settings.vmCap, mode === 'SHADOW' ? shadow : undefined,
  );
  const degraded = assessment.sources.map((source) => ({ incidentId, vmId: source.vmId }));
  const plan = planAllocation({ now, atRisk, degraded, pool, leases, model, policy: settings.policy });
  for (const d of plan.deferred) {
    const why = d.reason.why === 'unknown_host' ? 'unknown_host' : CAPACITY_REFUSAL[d.limitedBy ?? 'host'];
    refusals.push({ incidentId, vmId: d.vmId, mode, why, probability: d.reason.probability ?? 0, wanted: d.wanted, available: d.available });
  }
  const leased = new Set(leases.map((l) => pairKey(l.incidentId, l.vmId)));
  const isSource = new Set(assessment.sources.map((s) => s.vmId));
  const decided = new Set([...plan.decisions, ...plan.deferred].map((d) => d.vmId));
  for (const e of atRisk) {
    if (leased.has(pairKey(incidentId, e.vmId)) || isSource.has(e.vmId) || decided.has(e.vmId)) continue;
    if (e.probability < model.grantThreshold) refusals.push({ incidentId, vmId: e.vmId, mode, why: 'below_threshold', probability: e.probability });
    else if (capExhausted(pool.vmCaps.overrides?.[e.vmId], grantSizeAtFullSeverity(model, e.anomalyType))) {
      // Other incidents' leases already hold the VM's whole cap of a resource the type needs: the target is zero.
      refusals.push({ incidentId, vmId: e.vmId, mode, why: 'vm_cap', probability: e.probability });
    }
  }
  return commandsOfPlan(plan, assessment.version, mode, entries);
}

// A CLOSED assessment's pass: every lease of the incident is released (its ledger leases and any SHADOW leases).
function closingPass(assessment: RoundAssessment, ledger: RoundLedger, shadow: readonly Lease[]): LeaseCommand[] {
  const { incidentId, eventTime: now, version } = assessment;
  const held = ledger.leasesOf(incidentId).map((l) => leaseOfLedgerLease(l));
  return [
    ...commandsOfPlan(releaseIncident(held, incidentId, now), version, 'ENFORCE', new Map()),
    ...commandsOfPlan(releaseIncident(shadow, incidentId, now), version, 'SHADOW', new Map()),
  ];
}

/**
 * One allocation round (docs/allocation-policy.md, "The allocation round"): each assessment in order is planned with
 * core planAllocation against what the ledger leaves its incident (host free capacity, budget, per-VM caps net of
 * other incidents), its GRANTs admitted by the rate allowance (a refused GRANT takes its lease's later commands with
 * it), and its admitted ENFORCE commands taken into the ledger before the next. A CLOSED assessment releases every
 * lease of its incident. Returns each pass's commands, the refusals, and the ledger and allowance after.
 */
export function allocationRound(input: AllocationRoundInput): AllocationRoundResult {
  const ledger = new RoundLedger(input.ledger);
  const allowance: RateAllowance = new Map(input.rateAllowance);
  const shadowLeases = new Map(input.ledger.shadowLeases);
  const refusedLeases = new Set<string>();
  const refusals: GrantRefusal[] = [];
  const passes: RoundPass[] = [];
  for (const assessment of input.assessments) {
    const { incidentId, eventTime: now } = assessment;
    const shadow = shadowLeases.get(incidentId) ?? [];
    const commands = assessment.status === 'CLOSED'
      ? closingPass(assessment, ledger, shadow)
      : riskPass(assessment, assessRisk(assessment, input.placements, input.settings.defaultCriticality, input.model), ledger, shadow, input, refusals);
    const admitted = admitGrants(commands, now, allowance, refusedLeases);
    for (const c of admitted.dropped) refusals.push({ incidentId, vmId: c.vmId, mode: c.mode, why: 'rate_limited', probability: c.probability, wanted: c.resources });
    for (const c of admitted.kept) ledger.apply(c);
    const after = shadowLeasesAfter(shadow, admitted.kept);
    if (after.length > 0) shadowLeases.set(incidentId, after);
    else shadowLeases.delete(incidentId);
    passes.push({ incidentId, version: assessment.version, now, commands: admitted.kept });
  }
  return { passes, refusals, ledger: ledger.toView(shadowLeases), rateAllowance: allowance };
}
