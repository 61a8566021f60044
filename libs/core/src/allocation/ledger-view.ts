import { RESOURCE_KEYS, ZERO_RESOURCES, addResources, subtractResources, type Resources } from '../resources.js';
import { compareIds } from './allocation-order.js';
import type { Lease } from './lease.js';
import type { LeaseCommand } from './lease-command.js';
import type { ResourcePool } from './resource-pool.js';

/** A lease as the ledger holds it (a reservation): its id is the commandId of the GRANT that opened it. */
export interface LedgerLease {
  readonly leaseId: string;
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly resources: Resources;
  readonly expiresAt: number;
}

/**
 * What an allocation round plans against: the ledger as read (or as an in-memory twin holds it). Host and budget
 * amounts are free capacity, net of every ENFORCE lease; a host mapped to undefined (or absent) takes no new lease.
 * `leases` need only be those of the round's incidents and of the VMs they may grant; SHADOW leases (nothing
 * reserved) are per incident.
 */
export interface LedgerView {
  readonly hostFree: ReadonlyMap<string, Resources | undefined>;
  readonly budgetFree: Resources;
  readonly leases: readonly LedgerLease[];
  readonly shadowLeases: ReadonlyMap<string, readonly Lease[]>;
}

/** The command fields that change a ledger. */
export type LedgerStep = Pick<LeaseCommand, 'step' | 'mode' | 'reservationId' | 'incidentId' | 'vmId' | 'hostId' | 'resources' | 'leaseExpiresAt'>;

/** The planner's view of the pool for one incident's pass, and the leases that pass may change. */
export interface PoolSnapshot {
  readonly pool: ResourcePool;
  readonly leases: readonly Lease[];
}

/** An empty ledger over a pool (free host capacity and budget, no lease): the evaluation's in-memory ledger. */
export function ledgerViewOfPool(pool: Pick<ResourcePool, 'hostFree' | 'budget'>): LedgerView {
  return { hostFree: new Map(Object.entries(pool.hostFree)), budgetFree: pool.budget, leases: [], shadowLeases: new Map() };
}

/** A ledger lease as a core lease (the same fields: nothing is invented that the store does not keep). */
export function leaseOfLedgerLease(l: LedgerLease): Lease {
  return { leaseId: l.leaseId, incidentId: l.incidentId, vmId: l.vmId, hostId: l.hostId, resources: l.resources, expiresAt: l.expiresAt };
}

function minusClamped(a: Resources, b: Resources): Resources {
  const out = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
  for (const k of RESOURCE_KEYS) out[k] = Math.max(0, a[k] - b[k]);
  return out;
}

function sumOf(leases: readonly Lease[], hostId?: string): Resources {
  return leases.filter((l) => hostId === undefined || l.hostId === hostId).reduce((sum, l) => addResources(sum, l.resources), ZERO_RESOURCES);
}

/** The SHADOW leases of an incident after a pass's commands: what it would hold had they been carried out. */
export function shadowLeasesAfter(before: readonly Lease[], commands: readonly LedgerStep[]): Lease[] {
  const leases = new Map(before.map((l) => [l.leaseId, l]));
  for (const c of commands) {
    if (c.mode !== 'SHADOW') continue;
    if (c.step === 'RELEASE') leases.delete(c.reservationId);
    else if (c.step === 'GRANT') {
      leases.set(c.reservationId, {
        leaseId: c.reservationId, incidentId: c.incidentId, vmId: c.vmId, hostId: c.hostId, resources: c.resources, expiresAt: c.leaseExpiresAt,
      });
    } else {
      const lease = leases.get(c.reservationId);
      if (lease !== undefined) leases.set(c.reservationId, { ...lease, resources: c.resources, expiresAt: c.leaseExpiresAt });
    }
  }
  return [...leases.values()];
}

/**
 * The one place where a round's ledger arithmetic happens: host free capacity, budget and per-VM holdings, kept
 * current as each pass's ENFORCE commands are taken in, so a later pass sees what an earlier one took or freed.
 * Mutable working state of one round; it never escapes it.
 */
export class RoundLedger {
  private readonly reservations = new Map<string, LedgerLease>();
  /** Lease ids by incident and by VM: a pass looks only at its own and its VMs'. */
  private readonly byIncident = new Map<string, Set<string>>();
  private readonly byVm = new Map<string, Set<string>>();
  private readonly hostFree: Map<string, Resources | undefined>;
  private budgetFree: Resources;

  constructor(view: LedgerView) {
    this.hostFree = new Map(view.hostFree);
    this.budgetFree = view.budgetFree;
    for (const l of view.leases) this.put(l);
  }

  /** The incident's ENFORCE leases, by id. */
  leasesOf(incidentId: string): LedgerLease[] {
    return this.indexed(this.byIncident, incidentId).sort((a, b) => compareIds(a.leaseId, b.leaseId));
  }

  /**
   * The pool one incident's pass plans against, for the VMs it may grant or grow (`vmIds`, on `hostIds`): its leases
   * are its own (ENFORCE: its ledger leases; SHADOW: the virtual leases given), the hosts' free capacity and the
   * budget come net of every lease, and each VM's cap is lowered by what its other incidents hold, so the sum stays
   * capped. SHADOW leases are subtracted from free capacity as if they were held. A host the ledger does not know
   * offers nothing.
   */
  poolFor(incidentId: string, hostIds: readonly string[], vmIds: readonly string[], vmCap: Resources, shadowLeases: readonly Lease[] | undefined): PoolSnapshot {
    const leases = shadowLeases ?? this.leasesOf(incidentId).map((l) => leaseOfLedgerLease(l));
    const vms = new Set([...vmIds, ...leases.map((l) => l.vmId)]);
    const overrides: Record<string, Resources> = {};
    for (const vmId of vms) {
      let others = ZERO_RESOURCES;
      for (const l of this.indexed(this.byVm, vmId)) if (l.incidentId !== incidentId) others = addResources(others, l.resources);
      overrides[vmId] = minusClamped(vmCap, others);
    }
    const hostFree: Record<string, Resources> = {};
    for (const hostId of new Set([...hostIds, ...leases.map((l) => l.hostId)])) {
      const free = this.hostFree.get(hostId);
      if (free !== undefined) hostFree[hostId] = minusClamped(free, sumOf(shadowLeases ?? [], hostId));
      else if (leases.some((l) => l.hostId === hostId)) hostFree[hostId] = ZERO_RESOURCES;
    }
    return { pool: { hostFree, budget: minusClamped(this.budgetFree, sumOf(shadowLeases ?? [])), vmCaps: { default: vmCap, overrides } }, leases };
  }

  /** Takes a command's effect in, as the ledger would apply it (SHADOW commands have none). */
  apply(command: LedgerStep): void {
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
        leaseId: command.reservationId, hostId, vmId: held?.vmId ?? command.vmId, incidentId: held?.incidentId ?? command.incidentId,
        resources: command.resources, expiresAt: command.leaseExpiresAt,
      });
    }
  }

  /** The ledger after what was applied (SHADOW leases as given). */
  toView(shadowLeases: ReadonlyMap<string, readonly Lease[]>): LedgerView {
    const leases = [...this.reservations.values()].sort((a, b) => compareIds(a.leaseId, b.leaseId));
    return { hostFree: new Map(this.hostFree), budgetFree: this.budgetFree, leases, shadowLeases };
  }

  private put(l: LedgerLease): void {
    const before = this.reservations.get(l.leaseId);
    if (before !== undefined) this.remove(before);
    this.reservations.set(l.leaseId, l);
    for (const [index, key] of [[this.byIncident, l.incidentId], [this.byVm, l.vmId]] as const) {
      const ids = index.get(key);
      if (ids === undefined) index.set(key, new Set([l.leaseId]));
      else ids.add(l.leaseId);
    }
  }

  private remove(l: LedgerLease): void {
    this.reservations.delete(l.leaseId);
    this.byIncident.get(l.incidentId)?.delete(l.leaseId);
    this.byVm.get(l.vmId)?.delete(l.leaseId);
  }

  private indexed(index: ReadonlyMap<string, ReadonlySet<string>>, key: string): LedgerLease[] {
    return [...(index.get(key) ?? [])].flatMap((id) => {
      const l = this.reservations.get(id);
      return l === undefined ? [] : [l];
    });
  }
}
