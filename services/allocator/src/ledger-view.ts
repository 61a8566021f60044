import type { Lease, LedgerLease, LedgerView } from '@foresight/core';
import type { LeaseLedger, Reservation } from '@foresight/stores';

/** A ledger reservation as core's ledger lease; its id is the reservation id (the GRANT's commandId). */
export function ledgerLeaseOf(r: Reservation): LedgerLease {
  return { leaseId: r.commandId, incidentId: r.incidentId, vmId: r.vmId, hostId: r.hostId, resources: r.resources, expiresAt: r.leaseExpiresAt };
}

/** Reads the incidents' own reservations (one call each, at once). */
export async function readHeldReservations(store: LeaseLedger, incidentIds: readonly string[]): Promise<readonly Reservation[]> {
  return (await Promise.all([...new Set(incidentIds)].map((incidentId) => store.activeReservations({ incidentId })))).flat();
}

/**
 * The ledger a round plans against (core LedgerView): the reservations (any incident) of the VMs a pass may grant or
 * grow (`vmIds`: those at or above the grant threshold and those SHADOW-leased; with the VMs the incidents hold leases
 * on), the ledgers of `hostIds` and of the hosts the incidents hold leases on, and the budget. Planning reads nothing
 * else. `held` (the incidents' own reservations) may still be on its way: the reads of `vmIds`, `hostIds` and the budget
 * go out at once, with it, and only VMs and hosts of held leases not among them cost one more read. The ledger itself
 * still decides every command atomically when the round is carried out: a view that another allocator instance made
 * stale can only make a reserve refused, never over-commit.
 */
export async function readLedgerView(
  store: LeaseLedger, held: Promise<readonly Reservation[]>, vmIds: readonly string[], hostIds: readonly string[], shadowLeases: ReadonlyMap<string, readonly Lease[]>,
  closing: ReadonlySet<string> = new Set(),
): Promise<LedgerView> {
  const read = (vms: readonly string[], hosts: readonly string[]) => Promise.all([
    vms.length === 0 ? [] : store.activeReservations({ vmIds: vms }),
    store.hostLedgers(hosts),
  ]);
  const vmSet = new Set(vmIds);
  const hostSet = new Set(hostIds);
  const vms = [...vmSet];
  const hosts = [...hostSet];
  const first = Promise.all([read(vms, hosts), store.budget()]);
  first.catch(() => undefined); // NOTE: awaited below, after held (which may reject first)
  const own = await held;
  // The leases of a closing incident (`closing`: its pass only releases them) are in the view, but their VMs and hosts
  // are read only when `vmIds` / `hostIds` name them: a release changes a host's free capacity and a VM's holdings in
  // the round's ledger only where one is read, and no pass plans on a host or VM that is not (core RoundLedger).
  const widening = closing.size === 0 ? own : own.filter((r) => !closing.has(r.incidentId));
  const moreVms = [...new Set(widening.map((r) => r.vmId))].filter((v) => !vmSet.has(v));
  const moreHosts = [...new Set(widening.map((r) => r.hostId))].filter((h) => !hostSet.has(h));
  const [[byVm, ledgers], budget] = await first;
  const [moreByVm, moreLedgers] = moreVms.length === 0 && moreHosts.length === 0 ? [[], []] : await read(moreVms, moreHosts);
  const reservations = new Map([...own, ...byVm, ...moreByVm].map((r) => [r.commandId, r]));
  const allHosts = [...hosts, ...moreHosts];
  const allLedgers = [...ledgers, ...moreLedgers];
  return {
    hostFree: new Map(allHosts.map((hostId, i) => [hostId, allLedgers[i]?.free])),
    budgetFree: budget.free,
    leases: [...reservations.values()].map(ledgerLeaseOf),
    shadowLeases,
  };
}
