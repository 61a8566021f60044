import type { Resources } from '../resources.js';

/** What to do with one (incident, VM) lease. */
export type AllocationAction = 'GRANT' | 'ADJUST' | 'RENEW' | 'RELEASE';

/** Why a decision was made; stable codes callers may branch on. */
export type AllocationWhy =
  /** GRANT: probability reached grantThreshold and capacity allowed at least minUsefulFraction of the target. */
  | 'at_risk'
  /** ADJUST: the target size moved by more than adjustTolerance (severity, type, cap) or capacity freed up. */
  | 'size_changed'
  /** ADJUST (shrink): the VM's leases together exceeded its cap. */
  | 'over_vm_cap'
  /** RENEW: probability still ≥ releaseThreshold and the lease is close to expiry. */
  | 'still_at_risk'
  /** RENEW: the VM is degraded in the incident, the policy keeps its lease (degradedLeases 'keep'), close to expiry. */
  | 'still_degraded'
  /** RELEASE reasons. */
  | 'below_release_threshold'
  | 'not_at_risk'
  | 'incident_closed'
  | 'lease_expired'
  | 'vm_moved'
  | 'nothing_to_grant'
  /** RELEASE: the VM turned degraded and the policy hands it over to the reactive side (degradedLeases 'handover'). */
  | 'handed_over';

/** Why a wanted grant was not made. */
export type DeferralWhy = 'insufficient_capacity' | 'unknown_host';

/** Which limit left a grant short: the host's free capacity, the cluster budget or the VM's cap. */
export type CapacityLimit = 'host' | 'budget' | 'vm_cap';

/** The evidence behind a decision; probability, etaAt and priority are null when the VM is no longer at risk. */
export interface AllocationReason<W extends string = AllocationWhy> {
  readonly incidentId: string;
  readonly probability: number | null;
  readonly etaAt: number | null;
  /** Expected benefit per unit of cost that ranked a GRANT or growing ADJUST (see grant-priority.ts). */
  readonly priority: number | null;
  readonly why: W;
}

/**
 * One actuatable decision. `resources` is the lease's size after the decision (RELEASE: what it held and now
 * frees); `leaseExpiresAt` is its new expiry (RELEASE: `now`).
 */
export interface AllocationDecision {
  readonly action: AllocationAction;
  readonly leaseId: string;
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly resources: Resources;
  readonly leaseExpiresAt: number;
  readonly reason: AllocationReason;
}

/** A grant the policy wanted to make but did not. */
export interface DeferredGrant {
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  /** The target size. */
  readonly wanted: Resources;
  /** What was left for it (host, budget and cap), in whole units. */
  readonly available: Resources;
  /** insufficient_capacity: the limit that left least of the resource the grant got the smallest share of. */
  readonly limitedBy?: CapacityLimit;
  readonly reason: AllocationReason<DeferralWhy>;
}

/**
 * The decisions of one planning pass at event time `now`, in a safe actuation order: RELEASE, then ADJUSTs that
 * shrink anything, then RENEW, then GRANTs and growing ADJUSTs by priority. Every prefix of `decisions` fits.
 */
export interface AllocationPlan {
  readonly now: number;
  readonly decisions: readonly AllocationDecision[];
  readonly deferred: readonly DeferredGrant[];
}
