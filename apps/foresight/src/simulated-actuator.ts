import type { AllocationCommand, AllocationOutcome } from '@foresight/contracts';
import { addResources, fitsWithin, subtractResources, ZERO_RESOURCES, type Resources } from '@foresight/core';
import type { Hold } from '@foresight/evaluation';
import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { World } from '@foresight/sim';

/** A hold the actuator carried out, with the Foresight incident that asked for it. */
export interface ActuatedHold extends Hold {
  readonly incidentId: string;
  readonly vmId: string;
  /** When the lease lapses unless renewed (an ADJUST moves it). */
  expiresAt: number;
}

interface Lease {
  readonly hostId: string;
  hold: ActuatedHold;
}

/**
 * The fleet's stand-in for a hypervisor agent: consumes `allocations` (ENFORCE only), carries a GRANT or ADJUST out
 * `latencyMs` after the command when the host has room (APPLIED at appliedAt) or refuses it at once (INFEASIBLE), and
 * frees resources on RELEASE. A host's room is its capacity − its VMs' capacity − what this actuator holds on it.
 * What it held, and when, is what the impact model judges.
 */
export class SimulatedActuator {
  readonly holds: ActuatedHold[] = [];
  private readonly free = new Map<string, Resources>();
  private readonly leases = new Map<string, Lease>();
  private readonly due: AllocationOutcome[] = [];
  private sequence = 0;

  constructor(world: World, private readonly latencyMs: number) {
    const used = new Map<string, Resources>();
    for (const vm of world.vms) used.set(vm.hostId, addResources(used.get(vm.hostId) ?? ZERO_RESOURCES, vm.capacity));
    for (const host of world.hosts) this.free.set(host.id, clampZero(subtractResources(host.capacity, used.get(host.id) ?? ZERO_RESOURCES)));
  }

  /** The consumer of `allocations` (its own group: every command reaches it). */
  consumer(groupId: string): AnyConsumerDeclaration {
    return consumerOf({ topic: 'allocations', groupId, handle: (command) => Promise.resolve(this.apply(command)) });
  }

  /** Outcomes due by `now` (APPLIED after the latency, INFEASIBLE at once), removed from the queue. */
  takeDue(now: number): AllocationOutcome[] {
    const ready = this.due.filter((o) => o.eventTime <= now);
    if (ready.length > 0) this.due.splice(0, this.due.length, ...this.due.filter((o) => o.eventTime > now));
    return ready;
  }

  /** Grants in force at `now`. */
  activeAt(now: number): number {
    let n = 0;
    for (const lease of this.leases.values()) if (lease.hold.start <= now && Math.min(lease.hold.end, lease.hold.expiresAt) > now) n++;
    return n;
  }

  /** Ends every hold still open at `now` (the end of the simulation) and clips holds to their lease expiry. */
  closeAll(now: number): void {
    for (const lease of this.leases.values()) lease.hold.end = Math.min(lease.hold.end, now);
    for (const hold of this.holds) hold.end = Math.max(hold.start, Math.min(hold.end, hold.expiresAt));
    this.leases.clear();
  }

  private apply(command: AllocationCommand): void {
    if (command.mode !== 'ENFORCE') return;
    const key = `${command.incidentId}\u0000${command.vmId}`;
    const at = command.eventTime;
    const current = this.leases.get(key);
    if (command.action === 'RELEASE') {
      if (current === undefined) return;
      this.end(current, at);
      this.leases.delete(key);
      return;
    }
    const inPlaceAt = at + this.latencyMs;
    if (command.action === 'ADJUST' && current !== undefined && sameResources(current.hold.resources, command.resources)) {
      current.hold.expiresAt = command.leaseExpiresAt;
      this.outcome(command, 'APPLIED', at, '');
      return;
    }
    const room = addResources(this.free.get(command.hostId) ?? ZERO_RESOURCES, current?.hold.resources ?? ZERO_RESOURCES);
    if (!fitsWithin(command.resources, room)) {
      this.outcome(command, 'INFEASIBLE', at, 'host has no room');
      return;
    }
    if (current !== undefined) this.end(current, inPlaceAt);
    this.free.set(command.hostId, subtractResources(room, command.resources));
    const hold: ActuatedHold = { incidentId: command.incidentId, vmId: command.vmId, start: inPlaceAt, end: Infinity, expiresAt: command.leaseExpiresAt, resources: command.resources };
    this.holds.push(hold);
    this.leases.set(key, { hostId: command.hostId, hold });
    this.outcome(command, 'APPLIED', inPlaceAt, '');
  }

  private end(lease: Lease, at: number): void {
    lease.hold.end = Math.min(lease.hold.end, at);
    this.free.set(lease.hostId, addResources(this.free.get(lease.hostId) ?? ZERO_RESOURCES, lease.hold.resources));
  }

  private outcome(command: AllocationCommand, status: 'APPLIED' | 'INFEASIBLE', at: number, detail: string): void {
    this.due.push({
      eventId: `outcome-${this.sequence++}`, eventTime: Math.round(at), commandId: command.commandId, vmId: command.vmId, status,
      appliedAt: status === 'APPLIED' ? Math.round(at) : null, detail,
    });
  }
}

function clampZero(r: Resources): Resources {
  return { cpuMillis: Math.max(0, r.cpuMillis), memoryMiB: Math.max(0, r.memoryMiB), networkMbps: Math.max(0, r.networkMbps) };
}

function sameResources(a: Resources, b: Resources): boolean {
  return a.cpuMillis === b.cpuMillis && a.memoryMiB === b.memoryMiB && a.networkMbps === b.networkMbps;
}
