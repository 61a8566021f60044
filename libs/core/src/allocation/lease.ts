import { assertResources, type Resources } from '../resources.js';
import { assertAllocationId, assertEventTime } from './at-risk-vm.js';

/** Resources granted to one VM for one incident until `expiresAt` (event time, ms). */
export interface Lease {
  readonly leaseId: string;
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly resources: Resources;
  readonly expiresAt: number;
}

/** The deterministic id of the lease granted to (incident, VM) at event time `at` (the grant time lives only in its id). */
export function leaseIdFor(incidentId: string, vmId: string, at: number): string {
  return `lease:${encodeURIComponent(incidentId)}:${encodeURIComponent(vmId)}:${at}`;
}

/** Key of an (incident, VM) pair; at most one lease exists per pair. */
export function pairKey(incidentId: string, vmId: string): string {
  return `${encodeURIComponent(incidentId)}:${encodeURIComponent(vmId)}`;
}

/** True once the lease's TTL has run out at event time `now`. */
export function isLeaseExpired(lease: Lease, now: number): boolean {
  return lease.expiresAt <= now;
}

/** Throws INVALID_ARGUMENT (or INVALID_RESOURCES) with the offending field named. */
export function assertLease(lease: Lease): void {
  assertAllocationId(lease.leaseId, 'lease.leaseId');
  const at = `lease ${lease.leaseId}`;
  assertAllocationId(lease.incidentId, `${at}.incidentId`);
  assertAllocationId(lease.vmId, `${at}.vmId`);
  assertAllocationId(lease.hostId, `${at}.hostId`);
  assertResources(lease.resources, `${at}.resources`);
  assertEventTime(lease.expiresAt, `${at}.expiresAt`);
}
