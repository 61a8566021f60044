import { RESOURCE_KEYS, ZERO_RESOURCES, isZeroResources, minResources, type Resources } from '../resources.js';
import { compareByPriority, compareByVmThenIncident } from './allocation-order.js';
import type { AllocationDecision, AllocationPlan, AllocationWhy, CapacityLimit, DeferralWhy, DeferredGrant } from './allocation-plan.js';
import { assertAllocationRequest, type AllocationRequest } from './allocation-request.js';
import type { AtRiskVm } from './at-risk-vm.js';
import { grantPriority } from './grant-priority.js';
import { grantSizeAtFullSeverity, grantTarget, grantedFraction, isSignificantChange, wholeUnits } from './grant-sizing.js';
import { isLeaseExpired, leaseIdFor, pairKey, type Lease } from './lease.js';
import { LeaseLedger } from './lease-ledger.js';

interface Candidate {
  readonly entry: AtRiskVm;
  readonly vmId: string;
  readonly incidentId: string;
  readonly target: Resources;
  readonly priority: number;
  /** The lease to grow, or undefined for a new grant. */
  readonly leaseId: string | undefined;
}

/** A step of the priority-ordered tail of the plan: a new grant, or the growth of a kept lease. */
type GrowStep = { readonly decision: AllocationDecision } | { readonly leaseId: string; readonly priority: number };

function sameResources(a: Resources, b: Resources): boolean {
  return RESOURCE_KEYS.every((k) => a[k] === b[k]);
}

function reasonOf(entry: AtRiskVm | undefined, incidentId: string, why: AllocationWhy, priority: number | null = null): AllocationDecision['reason'] {
  return { incidentId, probability: entry?.probability ?? null, etaAt: entry?.etaAt ?? null, priority, why };
}

function deferral(entry: AtRiskVm, wanted: Resources, available: Resources, priority: number, why: DeferralWhy, limitedBy?: CapacityLimit): DeferredGrant {
  const { incidentId, vmId, hostId, probability, etaAt } = entry;
  return { incidentId, vmId, hostId, wanted, available, ...(limitedBy === undefined ? {} : { limitedBy }), reason: { incidentId, probability, etaAt, priority, why } };
}

// The limit that left least of the needed resource the grant got the smallest share of (ties: host, budget, cap).
function bindingLimit(ledger: LeaseLedger, entry: AtRiskVm, target: Resources, fits: Resources): CapacityLimit {
  let key: (typeof RESOURCE_KEYS)[number] = 'cpuMillis';
  let worst = Infinity;
  for (const k of RESOURCE_KEYS) {
    if (target[k] > 0 && fits[k] / target[k] < worst) {
      worst = fits[k] / target[k];
      key = k;
    }
  }
  const left = ledger.limits(entry.hostId, entry.vmId);
  const order: CapacityLimit[] = ['host', 'budget', 'vm_cap'];
  return order.reduce((best, limit) => (left[limit][key] < left[best][key] ? limit : best), order[0]);
}

function decide(action: AllocationDecision['action'], lease: Lease, resources: Resources, leaseExpiresAt: number, reason: AllocationDecision['reason']): AllocationDecision {
  return { action, leaseId: lease.leaseId, incidentId: lease.incidentId, vmId: lease.vmId, hostId: lease.hostId, resources, leaseExpiresAt, reason };
}

/** Working state of one pass, shared by its phases. */
interface Pass {
  readonly request: AllocationRequest;
  readonly ledger: LeaseLedger;
  /** Sorted by vmId, incidentId. */
  readonly atRisk: readonly AtRiskVm[];
  readonly entries: ReadonlyMap<string, AtRiskVm>;
  /** pairKeys of the degraded (incident, VM) pairs. */
  readonly degraded: ReadonlySet<string>;
  /** now + leaseTtlMs: the expiry of every lease granted, adjusted or renewed in this pass. */
  readonly expiresAt: number;
  readonly targetOf: (e: AtRiskVm) => Resources;
  readonly priorityOf: (e: AtRiskVm, target: Resources) => number;
}

function entryOf(pass: Pass, lease: Lease): AtRiskVm | undefined {
  return pass.entries.get(pairKey(lease.incidentId, lease.vmId));
}

function isDegraded(pass: Pass, pair: { readonly incidentId: string; readonly vmId: string }): boolean {
  return pass.degraded.has(pairKey(pair.incidentId, pair.vmId));
}

// Phase 1: release what is no longer warranted. Hysteresis: a kept lease only needs releaseThreshold. A degraded VM's
// lease is handed over, or kept without needing to be at risk (sized by its entry if it still has one).
function releaseUnwarranted(pass: Pass): AllocationDecision[] {
  const { ledger, request } = pass;
  const releases: AllocationDecision[] = [];
  const keepDegraded = request.policy.degradedLeases === 'keep';
  for (const lease of ledger.leases().sort(compareByVmThenIncident)) {
    const entry = entryOf(pass, lease);
    const degraded = isDegraded(pass, lease);
    const why: AllocationWhy | undefined = isLeaseExpired(lease, request.now)
      ? 'lease_expired'
      : degraded && !keepDegraded
        ? 'handed_over'
        : entry === undefined
          ? (degraded ? undefined : 'not_at_risk')
          : entry.hostId !== lease.hostId
            ? 'vm_moved'
            : entry.probability < request.model.releaseThreshold && !degraded
              ? 'below_release_threshold'
              : isZeroResources(pass.targetOf(entry))
                ? 'nothing_to_grant'
                : undefined;
    if (why === undefined) continue;
    ledger.close(lease.leaseId);
    releases.push(decide('RELEASE', lease, lease.resources, request.now, reasonOf(entry, lease.incidentId, why)));
  }
  return releases;
}

// Phase 2: shrink kept leases to a target that fell by more than the tolerance, and always to the VM's cap.
// Returns the ids of leases the cap shrank.
function shrinkKept(pass: Pass, kept: readonly Lease[]): Set<string> {
  const { ledger } = pass;
  const overCap = new Set<string>();
  for (const lease of kept) {
    const entry = entryOf(pass, lease);
    // A kept lease without an entry is a degraded VM's: its size stays, but not above the VM's cap.
    const target = entry === undefined ? lease.resources : pass.targetOf(entry);
    const room = ledger.room(lease.hostId, lease.vmId, lease);
    const next = { ...lease.resources };
    for (const k of RESOURCE_KEYS) {
      if (target[k] < next[k] && isSignificantChange(next[k], target[k], pass.request.policy.adjustTolerance)) next[k] = target[k];
      if (next[k] > room[k]) {
        next[k] = room[k];
        overCap.add(lease.leaseId);
      }
    }
    if (!sameResources(next, lease.resources)) ledger.resize(lease.leaseId, next, lease.expiresAt);
  }
  return overCap;
}

// Phase 3: new grants (probability ≥ grantThreshold) and growth of kept leases, greedily by priority.
function grantGreedily(pass: Pass, deferred: DeferredGrant[]): GrowStep[] {
  const { ledger, request } = pass;
  const { model, policy, now } = request;
  const candidates: Candidate[] = [];
  const handover = policy.degradedLeases === 'handover';
  for (const entry of pass.atRisk) {
    // Handed over: a degraded VM is the reactive side's, Foresight neither grants it nor grows a lease on it.
    if (handover && isDegraded(pass, entry)) continue;
    const target = pass.targetOf(entry);
    if (isZeroResources(target)) continue;
    const lease = ledger.leaseFor(entry.incidentId, entry.vmId);
    const base = { entry, vmId: entry.vmId, incidentId: entry.incidentId, target, priority: pass.priorityOf(entry, target) };
    if (lease !== undefined) {
      const grows = RESOURCE_KEYS.some((k) => target[k] > lease.resources[k] && isSignificantChange(lease.resources[k], target[k], policy.adjustTolerance));
      if (grows) candidates.push({ ...base, leaseId: lease.leaseId });
    } else if (entry.probability >= model.grantThreshold) {
      if (ledger.hostFree(entry.hostId) === undefined) deferred.push(deferral(entry, target, ZERO_RESOURCES, base.priority, 'unknown_host'));
      else candidates.push({ ...base, leaseId: undefined });
    }
  }
  candidates.sort(compareByPriority);

  const steps: GrowStep[] = [];
  for (const c of candidates) {
    const { entry, target } = c;
    const own = c.leaseId === undefined ? undefined : ledger.lease(c.leaseId);
    const room = ledger.room(entry.hostId, entry.vmId, own);
    const fits = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
    for (const k of RESOURCE_KEYS) if (target[k] > 0) fits[k] = Math.min(target[k], wholeUnits(room[k]));
    if (own === undefined) {
      if (isZeroResources(fits) || grantedFraction(fits, target) < policy.minUsefulFraction) {
        deferred.push(deferral(entry, target, fits, c.priority, 'insufficient_capacity', bindingLimit(ledger, entry, target, fits)));
        continue;
      }
      const { incidentId, vmId, hostId } = entry;
      const lease: Lease = { leaseId: leaseIdFor(incidentId, vmId, now), incidentId, vmId, hostId, resources: fits, expiresAt: pass.expiresAt };
      ledger.open(lease);
      steps.push({ decision: decide('GRANT', lease, fits, pass.expiresAt, reasonOf(entry, incidentId, 'at_risk', c.priority)) });
      continue;
    }
    const next = { ...own.resources };
    for (const k of RESOURCE_KEYS) {
      const grown = Math.max(next[k], fits[k]);
      if (isSignificantChange(next[k], grown, policy.adjustTolerance)) next[k] = grown;
    }
    if (sameResources(next, own.resources)) continue;
    ledger.resize(own.leaseId, next, own.expiresAt);
    steps.push({ leaseId: own.leaseId, priority: c.priority });
  }
  return steps;
}

/**
 * Plans one allocation pass (docs/allocation-policy.md): releases what is no longer warranted (a degraded VM's lease
 * is kept or handed over, per `policy.degradedLeases`), shrinks leases
 * whose target fell or whose VM is over its cap, renews leases close to expiry, then grants and grows greedily by
 * expected benefit per unit of cost within host free capacity, the budget and per-VM caps. One lease per
 * (incident, VM); a VM's leases share its host, the budget and its cap. Deterministic and input-order independent.
 */
export function planAllocation(request: AllocationRequest): AllocationPlan {
  assertAllocationRequest(request);
  const { now, model, policy } = request;
  const ledger = new LeaseLedger(request.pool, request.leases);
  const total = ledger.totalAllowance();
  const atRisk = [...request.atRisk].sort(compareByVmThenIncident);
  const pass: Pass = {
    request,
    ledger,
    atRisk,
    entries: new Map(atRisk.map((e) => [pairKey(e.incidentId, e.vmId), e])),
    degraded: new Set((request.degraded ?? []).map((d) => pairKey(d.incidentId, d.vmId))),
    expiresAt: now + policy.leaseTtlMs,
    targetOf: (e) => grantTarget(grantSizeAtFullSeverity(model, e.anomalyType), e.severity, ledger.vmCap(e.vmId)),
    priorityOf: (e, target) => grantPriority(e, target, total, now, policy),
  };
  const deferred: DeferredGrant[] = [];
  const releases = releaseUnwarranted(pass);
  const kept = ledger.leases().sort(compareByVmThenIncident);
  const overCap = shrinkKept(pass, kept);
  const growSteps = grantGreedily(pass, deferred);

  // Phase 4: turn each kept lease's net change into decisions. The shrinking part goes early and the growing part
  // at its place in priority order, so that every prefix of the plan fits; an unchanged lease may be renewed.
  const shrinks: AllocationDecision[] = [];
  const renewals: AllocationDecision[] = [];
  const growthOf = new Map<string, AllocationDecision>();
  for (const lease of kept) {
    const entry = entryOf(pass, lease);
    const final = ledger.lease(lease.leaseId)?.resources ?? lease.resources;
    const why: AllocationWhy = overCap.has(lease.leaseId) ? 'over_vm_cap' : 'size_changed';
    if (isZeroResources(final)) {
      releases.push(decide('RELEASE', lease, lease.resources, now, reasonOf(entry, lease.incidentId, why === 'over_vm_cap' ? why : 'nothing_to_grant')));
    } else if (sameResources(final, lease.resources)) {
      const still: AllocationWhy = isDegraded(pass, lease) ? 'still_degraded' : 'still_at_risk';
      if (lease.expiresAt - now <= policy.renewBeforeMs) renewals.push(decide('RENEW', lease, lease.resources, pass.expiresAt, reasonOf(entry, lease.incidentId, still)));
    } else {
      const lower = minResources(lease.resources, final);
      if (!sameResources(lower, lease.resources)) shrinks.push(decide('ADJUST', lease, lower, pass.expiresAt, reasonOf(entry, lease.incidentId, why)));
      if (!sameResources(final, lower)) growthOf.set(lease.leaseId, decide('ADJUST', lease, final, pass.expiresAt, reasonOf(entry, lease.incidentId, 'size_changed')));
    }
  }
  const grows: AllocationDecision[] = [];
  for (const step of growSteps) {
    if ('decision' in step) {
      grows.push(step.decision);
      continue;
    }
    const growth = growthOf.get(step.leaseId);
    if (growth !== undefined) grows.push({ ...growth, reason: { ...growth.reason, priority: step.priority } });
  }
  return { now, decisions: [...releases, ...shrinks, ...renewals, ...grows], deferred };
}
