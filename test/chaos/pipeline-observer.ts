import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import { consumerOf, type KafkaBus } from '@foresight/messaging';

const leaseKey = (incidentId: string, vmId: string): string => `${incidentId}\u0000${vmId}`;

/** What the suite knows of one incident from the risk topic. */
interface SeenIncident {
  /** Wall time the suite first saw it. */
  readonly firstSeenAt: number;
  closed: boolean;
}

/** A GRANT the suite saw while another GRANT of the same (incident, VM) was still active. */
export interface DuplicateGrant {
  readonly at: number;
  readonly detail: string;
}

/**
 * The suite's own consumers of `risk` and `allocations` (groups of its own, so the services' offsets are untouched),
 * and what they establish:
 * - which VMs an assessment listed as a source, and up to which `generatedAt` (an OPEN anomaly is assessed when an
 *   assessment generated at or after its event time lists its VM as a source);
 * - which incidents were seen and which were CLOSED;
 * - the ENFORCE leases the allocations stream holds per (incident, VM), replayed in partition order (the topic is keyed
 *   by VM), with every GRANT issued while a GRANT with another command id of the same (incident, VM) was active.
 */
export class PipelineObserver {
  private readonly sourcedUntil = new Map<string, number>();
  private readonly incidents = new Map<string, SeenIncident>();
  private readonly active = new Map<string, { commandId: string; incidentId: string; vmId: string }>();
  readonly duplicates: DuplicateGrant[] = [];
  /** ENFORCE GRANTs by wall time. */
  readonly grants: { readonly at: number; readonly incidentId: string; readonly commandId: string }[] = [];
  /** The same GRANT (same command id) seen again: at-least-once redelivery, harmless to an idempotent actuator. */
  redeliveredGrants = 0;
  /** Assessments whose at-risk list was empty, and all assessments, by wall time (predictions must not dry up). */
  readonly assessments: { readonly at: number; readonly atRisk: number; readonly incidentId: string }[] = [];

  constructor(private readonly groupPrefix: string) {}

  async start(bus: KafkaBus): Promise<void> {
    await bus.startConsumers([
      consumerOf({ topic: 'risk', groupId: `${this.groupPrefix}.risk`, handle: (m: RiskAssessment) => Promise.resolve(this.onRisk(m)) }),
      consumerOf({ topic: 'allocations', groupId: `${this.groupPrefix}.allocations`, handle: (m: AllocationCommand) => Promise.resolve(this.onCommand(m)) }),
    ]);
  }

  /** Whether an assessment generated at or after `eventTime` listed `vmId` as a source. */
  assessed(vmId: string, eventTime: number): boolean {
    return (this.sourcedUntil.get(vmId) ?? -Infinity) >= eventTime;
  }

  /** GRANTs of incidents first seen at or after `since` (granting goes on after a fault, for new incidents). */
  grantsOfIncidentsSince(since: number): number {
    return this.grants.filter((g) => (this.incidents.get(g.incidentId)?.firstSeenAt ?? -Infinity) >= since).length;
  }

  incidentIds(): string[] {
    return [...this.incidents.keys()];
  }

  /** Incidents seen but never CLOSED. */
  openIncidents(): string[] {
    return [...this.incidents].filter(([, i]) => !i.closed).map(([id]) => id);
  }

  /** Active ENFORCE leases of CLOSED incidents: GRANTs never RELEASEd. */
  unreleasedOfClosed(): string[] {
    return [...this.active.values()].filter((l) => this.incidents.get(l.incidentId)?.closed === true).map((l) => `${l.incidentId}/${l.vmId} (${l.commandId})`);
  }

  /** Every active ENFORCE lease, as `incident/vm (commandId)`. */
  activeLeases(): string[] {
    return [...this.active.values()].map((l) => `${l.incidentId}/${l.vmId} (${l.commandId})`);
  }

  private onRisk(m: RiskAssessment): void {
    const at = Date.now();
    const seen = this.incidents.get(m.incidentId);
    if (seen === undefined) this.incidents.set(m.incidentId, { firstSeenAt: at, closed: m.status === 'CLOSED' });
    else if (m.status === 'CLOSED') seen.closed = true;
    for (const s of m.sources) this.sourcedUntil.set(s.vmId, Math.max(this.sourcedUntil.get(s.vmId) ?? -Infinity, m.generatedAt));
    if (m.status === 'OPEN') this.assessments.push({ at, atRisk: m.atRisk.length, incidentId: m.incidentId });
  }

  private onCommand(c: AllocationCommand): void {
    if (c.mode !== 'ENFORCE') return;
    const k = leaseKey(c.incidentId, c.vmId);
    const held = this.active.get(k);
    if (c.action === 'GRANT') {
      if (held !== undefined && held.commandId === c.commandId) {
        this.redeliveredGrants++;
        return;
      }
      if (held !== undefined) this.duplicates.push({ at: Date.now(), detail: `${c.incidentId}/${c.vmId}: GRANT ${c.commandId} while ${held.commandId} is active` });
      this.active.set(k, { commandId: c.commandId, incidentId: c.incidentId, vmId: c.vmId });
      this.grants.push({ at: Date.now(), incidentId: c.incidentId, commandId: c.commandId });
    } else if (c.action === 'RELEASE') {
      this.active.delete(k);
    }
  }
}
