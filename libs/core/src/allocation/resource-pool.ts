import { ForesightError } from '../errors.js';
import { assertResources, type Resources } from '../resources.js';

/** Per-VM ceilings on the sum of a VM's leases (over all its incidents). */
export interface VmCaps {
  readonly default: Resources;
  /** Per VM id; VMs absent here use `default`. */
  readonly overrides?: Readonly<Record<string, Resources>>;
}

/**
 * What Foresight may still lease. Both amounts are net of the current leases: the capacity Foresight may hold on
 * a host is `hostFree[host] + Σ leases on that host`, and the cluster-wide allowance is `budget + Σ all leases`.
 */
export interface ResourcePool {
  /** Per host id: capacity used by no workload and held by no lease. */
  readonly hostFree: Readonly<Record<string, Resources>>;
  /** Cluster-wide budget for proactive grants not yet held by a lease. */
  readonly budget: Resources;
  readonly vmCaps: VmCaps;
}

/** The cap on the sum of a VM's leases. */
export function vmCap(pool: ResourcePool, vmId: string): Resources {
  const overrides = pool.vmCaps.overrides;
  if (overrides !== undefined && Object.hasOwn(overrides, vmId)) {
    const own = overrides[vmId];
    if (own !== undefined) return own;
  }
  return pool.vmCaps.default;
}

/** True when the pool lists `hostId`. */
export function hasHost(pool: ResourcePool, hostId: string): boolean {
  return Object.hasOwn(pool.hostFree, hostId);
}

/** Throws INVALID_RESOURCES (or INVALID_ARGUMENT for a malformed shape) naming the offending entry. */
export function assertResourcePool(pool: ResourcePool): void {
  if (typeof pool !== 'object' || pool === null || typeof pool.hostFree !== 'object' || pool.hostFree === null) {
    throw new ForesightError('INVALID_ARGUMENT', 'pool.hostFree must be an object of host id → Resources');
  }
  for (const [hostId, free] of Object.entries(pool.hostFree)) assertResources(free, `pool.hostFree[${hostId}]`);
  assertResources(pool.budget, 'pool.budget');
  if (typeof pool.vmCaps !== 'object' || pool.vmCaps === null) {
    throw new ForesightError('INVALID_ARGUMENT', 'pool.vmCaps must be { default, overrides? }');
  }
  assertResources(pool.vmCaps.default, 'pool.vmCaps.default');
  for (const [vmId, cap] of Object.entries(pool.vmCaps.overrides ?? {})) assertResources(cap, `pool.vmCaps.overrides[${vmId}]`);
}
