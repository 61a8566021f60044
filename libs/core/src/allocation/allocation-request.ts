import { ForesightError } from '../errors.js';
import type { ModelParameters } from '../model/model-parameters.js';
import { assertAllocationPolicy, assertAllocationThresholds, type AllocationPolicy } from './allocation-policy.js';
import { assertAtRiskVm, assertEventTime, type AtRiskVm } from './at-risk-vm.js';
import { assertDegradedVm, type DegradedVm } from './degraded-vm.js';
import { grantSizeAtFullSeverity } from './grant-sizing.js';
import { pairKey, type Lease } from './lease.js';
import type { ResourcePool } from './resource-pool.js';

/** Everything one planning pass needs. Pure data; the same request always yields the same plan. */
export interface AllocationRequest {
  /** Event time of the pass (ms). */
  readonly now: number;
  /**
   * Every (incident, VM) at risk over all open incidents, at most one entry per pair. The pass is global: a lease
   * whose pair is absent here is released ('not_at_risk'), and all pairs compete for the same budget.
   */
  readonly atRisk: readonly AtRiskVm[];
  /**
   * The (incident, VM) pairs whose VM is degraded now (a source of the incident); absent: none. Their leases follow
   * `policy.degradedLeases`: kept while listed, or handed over (docs/allocation-policy.md, "Degraded VMs").
   */
  readonly degraded?: readonly DegradedVm[];
  readonly pool: ResourcePool;
  /** Every open lease. */
  readonly leases: readonly Lease[];
  /** Grant sizes per anomaly type (`generic` for unknown types) and the grant/release thresholds. */
  readonly model: ModelParameters;
  readonly policy: AllocationPolicy;
}

// Array.isArray narrows to any[]; this keeps the element type.
function isArray<T>(value: readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}

/**
 * Throws a ForesightError for anything the planner cannot act on: INVALID_PARAMETERS (thresholds, policy, a model
 * without grant sizes), INVALID_ARGUMENT (time, at-risk entries, duplicates). Pool and leases are checked by
 * LeaseLedger (INVALID_RESOURCES, INVALID_ARGUMENT for leases on hosts not in the pool).
 */
export function assertAllocationRequest(request: AllocationRequest): void {
  assertEventTime(request.now, 'now');
  assertAllocationThresholds(request.model);
  assertAllocationPolicy(request.policy);
  if (!isArray(request.atRisk)) throw new ForesightError('INVALID_ARGUMENT', 'atRisk must be an array');
  if (!isArray(request.leases)) throw new ForesightError('INVALID_ARGUMENT', 'leases must be an array');
  if (request.degraded !== undefined) {
    if (!isArray(request.degraded)) throw new ForesightError('INVALID_ARGUMENT', 'degraded must be an array');
    for (const entry of request.degraded) assertDegradedVm(entry);
  }
  const seen = new Set<string>();
  const types = new Set<string>();
  for (const entry of request.atRisk) {
    assertAtRiskVm(entry);
    const key = pairKey(entry.incidentId, entry.vmId);
    if (seen.has(key)) throw new ForesightError('INVALID_ARGUMENT', `atRisk lists incident ${entry.incidentId}, vm ${entry.vmId} twice`);
    seen.add(key);
    types.add(entry.anomalyType);
  }
  for (const type of types) grantSizeAtFullSeverity(request.model, type);
}
