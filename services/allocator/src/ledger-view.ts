import { RESOURCE_KEYS, ZERO_RESOURCES, addResources, subtractResources, type Lease, type ResourcePool, type Resources } from '@foresight/core';
import type { Reservation, StateStore } from '@foresight/stores';
import type { PlannedCommand } from './planned-command.js';

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

function sumOf(leases: readonly Lease[], hostId?: string): Resources {
  return leases.filter((l) => hostId === undefined || l.hostId === hostId).reduce((sum, l) => addResources(sum, l.resources), ZERO_RESOURCES);
}

/** A ledger reservation as a core lease; its id is the reservation id (the GRANT's commandId). */
export function leaseOfReservation(r: Reservation, now: number): Lease {
  return {
    leaseId: r.commandId, incidentId: r.incidentId, vmId: r.vmId, hostId: r.hostId, resources: r.resources,
    grantedAt: Math.min(r.leaseExpiresAt, now), expiresAt: r.leaseExpiresAt,
  };
}

/**
 * The ledger as a batch of passes plans against it: read once (the batch's incidents' reservations, those of the VMs
 * they name, the hosts' and the budget's free capacity), then kept current in memory as each pass's ENFORCE commands
 * are planned, so a later pass sees what an earlier one took or freed, as it would one by one. Planning reads
 * nothing else. The ledger itself still decides every command atomically when the batch is carried out: a view that
 * another allocator instance made stale can only make a reserve refused, never over-commit.
 */
export class LedgerView {
  private readonly reservations = new Map<string, Reservation>();
  /** Reservation ids by incident and by VM: a pass looks only at its own and its VMs'. */
  private readonly byIncident = new Map<string, Set<string>>();
  private readonly byVm = new Map<string, Set<string>>();

  private constructor(reservations: readonly Reservation[], private readonly hostFree: Map<string, Resources | undefined>, private budgetFree: Resources) {
    for (const r of reservations) this.put(r);
  }

  /** Reads the incidents' own reservations (one call each, at once). */
  static async readHeld(store: StateStore, incidentIds: readonly string[]): Promise<readonly Reservation[]> {
    return (await Promise.all([...new Set(incidentIds)].map((incidentId) => store.activeReservations({ incidentId })))).flat();
  }

  /**
   * Completes what was read ahead in one more round trip: the reservations (any incident) of the VMs a pass may
   * grant or grow (`vmIds`: those at or above the grant threshold and those SHADOW-leased; with the VMs the incidents
   * hold leases on), the ledgers of `hostIds` and of the hosts the incidents hold leases on, and the budget.
   */
  static async read(store: StateStore, held: readonly Reservation[], vmIds: readonly string[], hostIds: readonly string[]): Promise<LedgerView> {
    const vms = [...new Set([...vmIds, ...held.map((r) => r.vmId)])];
    const hosts = [...new Set([...hostIds, ...held.map((r) => r.hostId)])];
    const [byVm, ledgers, budget] = await Promise.all([
      vms.length === 0 ? [] : store.activeReservations({ vmIds: vms }),
      store.hostLedgers(hosts),
      store.budget(),
    ]);
    return new LedgerView([...held, ...byVm], new Map(hosts.map((hostId, i) => [hostId, ledgers[i]?.free])), budget.free);
  }

  /** The incident's active reservations (as far as this batch read and planned them), by commandId. */
  reservationsOf(incidentId: string): Reservation[] {
    return this.indexed(this.byIncident, incidentId).sort((a, b) => (a.commandId < b.commandId ? -1 : a.commandId > b.commandId ? 1 : 0));
  }

  /**
   * The pool one incident's pass plans against, for the VMs it may grant or grow (`vmIds`, on `hostIds`; they must be
   * among those read): its leases are its own (ENFORCE: its reservations; SHADOW: the virtual
   * leases given), the hosts' free capacity and the budget come net of every reservation, and each VM's cap is lowered
   * by what its other incidents hold, so the sum stays capped. SHADOW leases are subtracted from free capacity as if
   * they were held.
   */
  poolFor(incidentId: string, hostIds: readonly string[], vmIds: readonly string[], vmCap: Resources, now: number, shadowLeases: readonly Lease[] | undefined): PoolSnapshot {
    const leases = shadowLeases ?? this.reservationsOf(incidentId).map((r) => leaseOfReservation(r, now));
    const vms = new Set([...vmIds, ...leases.map((l) => l.vmId)]);
    const othersByVm = new Map<string, Resources>();
    for (const vmId of vms) {
      for (const r of this.indexed(this.byVm, vmId)) {
        if (r.incidentId !== incidentId) othersByVm.set(vmId, addResources(othersByVm.get(vmId) ?? ZERO_RESOURCES, r.resources));
      }
    }
    const overrides: Record<string, Resources> = {};
    for (const vmId of vms) overrides[vmId] = minusClamped(vmCap, othersByVm.get(vmId) ?? ZERO_RESOURCES);
    const hostFree: Record<string, Resources> = {};
    for (const hostId of new Set([...hostIds, ...leases.map((l) => l.hostId)])) {
      const free = this.hostFree.get(hostId);
      if (free !== undefined) hostFree[hostId] = minusClamped(free, sumOf(shadowLeases ?? [], hostId));
      else if (leases.some((l) => l.hostId === hostId)) hostFree[hostId] = ZERO_RESOURCES;
    }
    return { pool: { hostFree, budget: minusClamped(this.budgetFree, sumOf(shadowLeases ?? [])), vmCaps: { default: vmCap, overrides } }, leases };
  }

  /** Takes a planned command's effect into the view, as the ledger would apply it (SHADOW commands have none). */
  apply(command: PlannedCommand): void {
    if (command.mode === 'SHADOW') return;
    const held = this.reservations.get(command.reservationId);
    const from = command.step === 'GRANT' ? ZERO_RESOURCES : held?.resources;
    if (from === undefined || (command.step === 'GRANT' && held !== undefined)) return;
    const to = command.step === 'RELEASE' ? ZERO_RESOURCES : command.resources;
    const hostId = held?.hostId ?? command.hostId;
    const free = this.hostFree.get(hostId);
    if (free !== undefined) this.hostFree.set(hostId, subtractResources(free, subtractResources(to, from)));
    this.budgetFree = subtractResources(this.budgetFree, subtractResources(to, from));
    if (held !== undefined) this.remove(held);
    if (command.step !== 'RELEASE') {
      this.put({
        commandId: command.reservationId, hostId, vmId: held?.vmId ?? command.vmId, incidentId: held?.incidentId ?? command.incidentId,
        resources: command.resources, leaseExpiresAt: command.leaseExpiresAt,
      });
    }
  }

  private put(r: Reservation): void {
    const before = this.reservations.get(r.commandId);
    if (before !== undefined) this.remove(before);
    this.reservations.set(r.commandId, r);
    for (const [index, key] of [[this.byIncident, r.incidentId], [this.byVm, r.vmId]] as const) {
      const ids = index.get(key);
      if (ids === undefined) index.set(key, new Set([r.commandId]));
      else ids.add(r.commandId);
    }
  }

  private remove(r: Reservation): void {
    this.reservations.delete(r.commandId);
    this.byIncident.get(r.incidentId)?.delete(r.commandId);
    this.byVm.get(r.vmId)?.delete(r.commandId);
  }

  private indexed(index: ReadonlyMap<string, ReadonlySet<string>>, key: string): Reservation[] {
    return [...(index.get(key) ?? [])].flatMap((id) => {
      const r = this.reservations.get(id);
      return r === undefined ? [] : [r];
    });
  }
}
