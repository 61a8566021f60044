import { RESOURCE_KEYS, ZERO_RESOURCES, addResources, type Lease, type ResourcePool, type Resources } from '@foresight/core';
import type { Reservation, StateStore } from '@foresight/stores';

/** The planner's view of the pool for one incident's pass, and the leases that pass may change. */
export interface PoolSnapshot {
  readonly pool: ResourcePool;
  readonly leases: readonly Lease[];
}

function minusClamped(a: Resources, b: Resources): Resources {
  const out = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
  for (const k of RESOURCE_KEYS) out[k] = Math.max(0, a[k] - b[k]);
  return out;
}

/** A ledger reservation as a core lease; its id is the reservation id (the GRANT's commandId). */
export function leaseOfReservation(r: Reservation, now: number): Lease {
  return {
    leaseId: r.commandId, incidentId: r.incidentId, vmId: r.vmId, hostId: r.hostId, resources: r.resources,
    grantedAt: Math.min(r.leaseExpiresAt, now), expiresAt: r.leaseExpiresAt,
  };
}

/** Reservations read ahead of a pass: the incident's own, and those of the VMs it names (any incident). */
export interface HeldReservations {
  /** Undefined when the incident's own were not read (SHADOW: its leases are virtual). */
  readonly incident: readonly Reservation[] | undefined;
  readonly vmIds: ReadonlySet<string>;
  readonly byVm: readonly Reservation[];
}

/** Reads the incident's reservations (unless `shadow`) and those of `vmIds`, at once. */
export async function heldReservations(store: StateStore, incidentId: string, vmIds: readonly string[], shadow: boolean): Promise<HeldReservations> {
  const unique = [...new Set(vmIds)];
  const [incident, byVm] = await Promise.all([
    shadow ? undefined : store.activeReservations({ incidentId }),
    store.activeReservations({ vmIds: unique }),
  ]);
  return { incident, vmIds: new Set(unique), byVm };
}

/**
 * Reads the ledger for one incident's pass. The pass plans only this incident: its leases are the incident's own
 * (ENFORCE: its reservations; SHADOW: the virtual leases given), the hosts' free capacity and the budget come net
 * of every reservation, and each VM's cap is lowered by what its other incidents hold, so the sum stays capped.
 * SHADOW leases are subtracted from free capacity as if they were held. Only this incident's reservations and those
 * of the VMs it may touch are read (indexed in the store), never every lease of the fleet; `held` may bring them read
 * ahead.
 */
export async function poolSnapshot(
  store: StateStore, incidentId: string, hostIds: readonly string[], vmIds: readonly string[], vmCap: Resources, now: number,
  shadowLeases: readonly Lease[] | undefined, held?: HeldReservations,
): Promise<PoolSnapshot> {
  const own = shadowLeases === undefined ? (held?.incident ?? await store.activeReservations({ incidentId })) : [];
  const leases = shadowLeases ?? own.map((r) => leaseOfReservation(r, now));
  const vms = [...new Set([...vmIds, ...leases.map((l) => l.vmId)])];
  const missing = vms.filter((vmId) => held === undefined || !held.vmIds.has(vmId));
  const shadowHeld = (hostId?: string): Resources => (shadowLeases ?? [])
    .filter((l) => hostId === undefined || l.hostId === hostId)
    .reduce((sum, l) => addResources(sum, l.resources), ZERO_RESOURCES);
  const hosts = [...new Set([...hostIds, ...leases.map((l) => l.hostId)])];
  // The remaining reads go out together (one round trip); the results are used in the same order as before.
  const [more, ledgers, budget] = await Promise.all([
    missing.length === 0 ? [] : store.activeReservations({ vmIds: missing }),
    store.hostLedgers(hosts),
    store.budget(),
  ]);
  const othersByVm = new Map<string, Resources>();
  const wanted = new Set(vms);
  for (const r of [...(held?.byVm ?? []), ...more]) {
    if (r.incidentId === incidentId || !wanted.has(r.vmId)) continue;
    othersByVm.set(r.vmId, addResources(othersByVm.get(r.vmId) ?? ZERO_RESOURCES, r.resources));
  }
  const overrides: Record<string, Resources> = {};
  for (const vmId of vms) overrides[vmId] = minusClamped(vmCap, othersByVm.get(vmId) ?? ZERO_RESOURCES);
  const hostFree: Record<string, Resources> = {};
  hosts.forEach((hostId, i) => {
    const ledger = ledgers[i];
    if (ledger !== undefined) hostFree[hostId] = minusClamped(ledger.free, shadowHeld(hostId));
    else if (leases.some((l) => l.hostId === hostId)) hostFree[hostId] = ZERO_RESOURCES;
  });
  return { pool: { hostFree, budget: minusClamped(budget.free, shadowHeld()), vmCaps: { default: vmCap, overrides } }, leases };
}
