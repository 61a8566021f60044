import { compareByVmThenIncident } from './allocation-order.js';
import type { AllocationPlan } from './allocation-plan.js';
import { assertAllocationId, assertEventTime } from './at-risk-vm.js';
import { assertLease, type Lease } from './lease.js';

/** A plan releasing every lease of a closed incident at event time `now` (other incidents' leases untouched). */
export function releaseIncident(leases: readonly Lease[], incidentId: string, now: number): AllocationPlan {
  assertAllocationId(incidentId, 'incidentId');
  assertEventTime(now, 'now');
  const mine = leases.filter((lease) => {
    assertLease(lease);
    return lease.incidentId === incidentId;
  });
  const decisions = mine.sort(compareByVmThenIncident).map((lease) => ({
    action: 'RELEASE' as const,
    leaseId: lease.leaseId,
    incidentId: lease.incidentId,
    vmId: lease.vmId,
    hostId: lease.hostId,
    resources: lease.resources,
    leaseExpiresAt: now,
    reason: { incidentId, probability: null, etaAt: null, priority: null, why: 'incident_closed' as const },
  }));
  return { now, decisions, deferred: [] };
}
