import { assertResources, type Resources } from '../resources.js';
import { ForesightError } from '../errors.js';
import { assertAllocationId, assertEventTime } from './at-risk-vm.js';

/** Resources granted to one VM for one incident until `expiresAt` (event time, ms). */
export interface Lease {
  readonly leaseId: string;
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly resources: Resources;
  readonly grantedAt: number;
  readonly expiresAt: number;
}

/** The deterministic id of the lease granted to (incident, VM) at event time `grantedAt`. */
export function leaseIdFor(incidentId: string, vmId: string, grantedAt: number): string {
  return `lease:${encodeURIComponent(incidentId)}:${encodeURIComponent(vmId)}:${grantedAt}`;
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
  assertEventTime(lease.grantedAt, `${at}.grantedAt`);
  assertEventTime(lease.expiresAt, `${at}.expiresAt`);
  if (lease.expiresAt < lease.grantedAt) {
    throw new ForesightError('INVALID_ARGUMENT', `${at}: expiresAt ${lease.expiresAt} is before grantedAt ${lease.grantedAt}`);
  }
}
