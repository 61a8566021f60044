import { ForesightError } from '../errors.js';
import { RESOURCE_KEYS, ZERO_RESOURCES, addResources, subtractResources, type ResourceKey, type Resources } from '../resources.js';
import { compareIds } from './allocation-order.js';
import type { AllocationDecision, AllocationPlan } from './allocation-plan.js';
import { assertLease, pairKey, type Lease } from './lease.js';
import { assertResourcePool, vmCap, type ResourcePool } from './resource-pool.js';

const EPSILON = 1e-9;

// Growth of a delta, and float dust below zero after a debit that fitted within EPSILON.
function nonNegative(r: Resources): Resources {
  return { cpuMillis: Math.max(0, r.cpuMillis), memoryMiB: Math.max(0, r.memoryMiB), networkMbps: Math.max(0, r.networkMbps) };
}

function overdraws(need: Resources, left: Resources): ResourceKey | undefined {
  return RESOURCE_KEYS.find((k) => need[k] > 0 && need[k] > left[k] + EPSILON);
}

/**
 * The one place where lease arithmetic happens: free capacity per host, budget left and per-VM totals, debited
 * when a lease opens or grows and credited when it shrinks or closes. Mutable working state for one plan (the
 * planner) or one application of a plan (applyPlan); it never escapes either.
 */
export class LeaseLedger {
  private readonly pool: ResourcePool;
  private readonly free = new Map<string, Resources>();
  private budgetLeft: Resources;
  private readonly byId = new Map<string, Lease>();
  private readonly byPair = new Map<string, string>();
  private readonly heldByVm = new Map<string, Resources>();

  /** Validates the pool and leases: INVALID_RESOURCES, or INVALID_ARGUMENT for duplicates and unknown hosts. */
  constructor(pool: ResourcePool, leases: readonly Lease[]) {
    assertResourcePool(pool);
    this.pool = pool;
    for (const hostId of Object.keys(pool.hostFree).sort(compareIds)) this.free.set(hostId, pool.hostFree[hostId] ?? ZERO_RESOURCES);
    this.budgetLeft = pool.budget;
    const sorted = [...leases].sort((a, b) => compareIds(a.leaseId, b.leaseId));
    for (const lease of sorted) {
      assertLease(lease);
      if (!this.free.has(lease.hostId)) {
        throw new ForesightError('INVALID_ARGUMENT', `lease ${lease.leaseId} is on host ${lease.hostId}, which is not in the pool`);
      }
      if (this.byId.has(lease.leaseId)) throw new ForesightError('INVALID_ARGUMENT', `duplicate lease id ${lease.leaseId}`);
      const key = pairKey(lease.incidentId, lease.vmId);
      const other = this.byPair.get(key);
      if (other !== undefined) {
        throw new ForesightError('INVALID_ARGUMENT', `leases ${other} and ${lease.leaseId} both cover incident ${lease.incidentId}, vm ${lease.vmId}`);
      }
      this.byId.set(lease.leaseId, lease);
      this.byPair.set(key, lease.leaseId);
      this.heldByVm.set(lease.vmId, addResources(this.vmHeld(lease.vmId), lease.resources));
    }
  }

  /** Free capacity left on a host, or undefined when the pool does not list it. */
  hostFree(hostId: string): Resources | undefined {
    return this.free.get(hostId);
  }

  /** Cluster-wide budget left. */
  budget(): Resources {
    return this.budgetLeft;
  }

  /** Sum of the VM's leases. */
  vmHeld(vmId: string): Resources {
    return this.heldByVm.get(vmId) ?? ZERO_RESOURCES;
  }

  /** The cap on the sum of the VM's leases. */
  vmCap(vmId: string): Resources {
    return vmCap(this.pool, vmId);
  }

  /** Foresight's whole allowance: budget left + everything leased. */
  totalAllowance(): Resources {
    let total = this.budgetLeft;
    for (const lease of this.leases()) total = addResources(total, lease.resources);
    return total;
  }

  lease(leaseId: string): Lease | undefined {
    return this.byId.get(leaseId);
  }

  leaseFor(incidentId: string, vmId: string): Lease | undefined {
    const id = this.byPair.get(pairKey(incidentId, vmId));
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** All open leases, by leaseId. */
  leases(): Lease[] {
    return [...this.byId.values()].sort((a, b) => compareIds(a.leaseId, b.leaseId));
  }

  /**
   * The most a lease of `vmId` on `hostId` could hold in total, counting what `own` (its current lease) already
   * holds: min(host free + own, budget + own, cap − other leases of the VM), never negative.
   */
  room(hostId: string, vmId: string, own?: Lease): Resources {
    const held = own?.resources ?? ZERO_RESOURCES;
    const hostFree = this.free.get(hostId) ?? ZERO_RESOURCES;
    const capLeft = subtractResources(this.vmCap(vmId), subtractResources(this.vmHeld(vmId), held));
    const out = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
    for (const k of RESOURCE_KEYS) out[k] = Math.max(0, Math.min(hostFree[k] + held[k], this.budgetLeft[k] + held[k], capLeft[k]));
    return out;
  }

  /** What each limit leaves a new lease of `vmId` on `hostId`: host free capacity, budget, cap minus the VM's leases. */
  limits(hostId: string, vmId: string): { readonly host: Resources; readonly budget: Resources; readonly vm_cap: Resources } {
    return { host: this.free.get(hostId) ?? ZERO_RESOURCES, budget: this.budgetLeft, vm_cap: subtractResources(this.vmCap(vmId), this.vmHeld(vmId)) };
  }

  /** Opens a lease; INVALID_ARGUMENT if it would overdraw its host, the budget or the VM's cap, or already exists. */
  open(lease: Lease): void {
    assertLease(lease);
    if (this.byId.has(lease.leaseId)) throw new ForesightError('INVALID_ARGUMENT', `lease ${lease.leaseId} already exists`);
    if (this.byPair.has(pairKey(lease.incidentId, lease.vmId))) {
      throw new ForesightError('INVALID_ARGUMENT', `incident ${lease.incidentId}, vm ${lease.vmId} already holds a lease`);
    }
    if (!this.free.has(lease.hostId)) throw new ForesightError('INVALID_ARGUMENT', `host ${lease.hostId} is not in the pool`);
    this.debit(lease.hostId, lease.vmId, ZERO_RESOURCES, lease.resources, lease.leaseId);
    this.byId.set(lease.leaseId, lease);
    this.byPair.set(pairKey(lease.incidentId, lease.vmId), lease.leaseId);
  }

  /** Resizes (and re-dates) an open lease; growth is checked like `open`. */
  resize(leaseId: string, resources: Resources, expiresAt: number): Lease {
    const lease = this.require(leaseId);
    const next: Lease = { ...lease, resources, expiresAt };
    assertLease(next);
    this.debit(lease.hostId, lease.vmId, lease.resources, resources, leaseId);
    this.byId.set(leaseId, next);
    return next;
  }

  /** Closes a lease, crediting its host, the budget and its VM. */
  close(leaseId: string): Lease {
    const lease = this.require(leaseId);
    this.debit(lease.hostId, lease.vmId, lease.resources, ZERO_RESOURCES, leaseId);
    this.byId.delete(leaseId);
    this.byPair.delete(pairKey(lease.incidentId, lease.vmId));
    return lease;
  }

  /** Applies one decision of a plan. */
  apply(decision: AllocationDecision): void {
    switch (decision.action) {
      case 'GRANT':
        this.open({
          leaseId: decision.leaseId,
          incidentId: decision.incidentId,
          vmId: decision.vmId,
          hostId: decision.hostId,
          resources: decision.resources,
          expiresAt: decision.leaseExpiresAt,
        });
        return;
      case 'ADJUST':
        this.resize(decision.leaseId, decision.resources, decision.leaseExpiresAt);
        return;
      case 'RENEW':
        this.resize(decision.leaseId, this.require(decision.leaseId).resources, decision.leaseExpiresAt);
        return;
      case 'RELEASE':
        this.close(decision.leaseId);
        return;
    }
  }

  /** The pool after everything applied so far (caps unchanged). */
  toPool(): ResourcePool {
    return { hostFree: Object.fromEntries(this.free), budget: this.budgetLeft, vmCaps: this.pool.vmCaps };
  }

  private require(leaseId: string): Lease {
    const lease = this.byId.get(leaseId);
    if (lease === undefined) throw new ForesightError('INVALID_ARGUMENT', `no open lease ${leaseId}`);
    return lease;
  }

  // Moves a lease of `vmId` on `hostId` from `before` to `after`: growth must fit, shrinkage is always allowed.
  private debit(hostId: string, vmId: string, before: Resources, after: Resources, leaseId: string): void {
    const delta = subtractResources(after, before);
    const growth = nonNegative(delta);
    const hostFree = this.free.get(hostId) ?? ZERO_RESOURCES;
    const capLeft = subtractResources(this.vmCap(vmId), this.vmHeld(vmId));
    const where: [string, Resources][] = [[`host ${hostId}`, hostFree], ['the budget', this.budgetLeft], [`the cap of vm ${vmId}`, capLeft]];
    for (const [what, left] of where) {
      const key = overdraws(growth, left);
      if (key !== undefined) {
        throw new ForesightError('INVALID_ARGUMENT', `lease ${leaseId} would overdraw ${what}: ${key} needs ${growth[key]}, ${left[key]} left`);
      }
    }
    this.free.set(hostId, nonNegative(subtractResources(hostFree, delta)));
    this.budgetLeft = nonNegative(subtractResources(this.budgetLeft, delta));
    this.heldByVm.set(vmId, nonNegative(addResources(this.vmHeld(vmId), delta)));
  }
}

/** Applies a plan to a pool and its leases, returning the new pool and leases (by leaseId); inputs are not mutated. */
export function applyPlan(pool: ResourcePool, leases: readonly Lease[], plan: AllocationPlan): { pool: ResourcePool; leases: Lease[] } {
  const ledger = new LeaseLedger(pool, leases);
  for (const decision of plan.decisions) ledger.apply(decision);
  return { pool: ledger.toPool(), leases: ledger.leases() };
}
