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

/**
 * Reads the ledger for one incident's pass. The pass plans only this incident: its leases are the incident's own
 * (ENFORCE: its reservations; SHADOW: the virtual leases given), the hosts' free capacity and the budget come net
 * of every reservation, and each VM's cap is lowered by what its other incidents hold, so the sum stays capped.
 * SHADOW leases are subtracted from free capacity as if they were held.
 */
export async function poolSnapshot(
  store: StateStore, incidentId: string, hostIds: readonly string[], vmIds: readonly string[], vmCap: Resources, now: number,
  shadowLeases: readonly Lease[] | undefined,
): Promise<PoolSnapshot> {
  const all = await store.activeReservations();
  const leases = shadowLeases ?? all.filter((r) => r.incidentId === incidentId).map((r) => leaseOfReservation(r, now));
  const vms = new Set([...vmIds, ...leases.map((l) => l.vmId)]);
  const overrides: Record<string, Resources> = {};
  for (const vmId of vms) {
    const others = all.filter((r) => r.vmId === vmId && r.incidentId !== incidentId).reduce((sum, r) => addResources(sum, r.resources), ZERO_RESOURCES);
    overrides[vmId] = minusClamped(vmCap, others);
  }
  const shadowHeld = (hostId?: string): Resources => (shadowLeases ?? [])
    .filter((l) => hostId === undefined || l.hostId === hostId)
    .reduce((sum, l) => addResources(sum, l.resources), ZERO_RESOURCES);
  const hostFree: Record<string, Resources> = {};
  for (const hostId of new Set([...hostIds, ...leases.map((l) => l.hostId)])) {
    const ledger = await store.hostLedger(hostId);
    if (ledger !== undefined) hostFree[hostId] = minusClamped(ledger.free, shadowHeld(hostId));
    else if (leases.some((l) => l.hostId === hostId)) hostFree[hostId] = ZERO_RESOURCES;
  }
  const budget = minusClamped((await store.budget()).free, shadowHeld());
  return { pool: { hostFree, budget, vmCaps: { default: vmCap, overrides } }, leases };
}
