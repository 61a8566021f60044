import type { DetectedAnomaly, DetectorSignal } from './detector-signals.js';
import type { EntityIdentity } from './entity-identity.js';

/** When a group or a system counts as degraded together. */
export interface RollupSettings {
  /** Share of a group's VMs (of a system's groups) with an OPEN anomaly of one type that opens the group's (system's). */
  readonly share: number;
  /** …and at least this many of them (a one-VM group is never rolled up). */
  readonly minMembers: number;
}

/** How many members must be anomalous to open, and below how many it resolves (half as many: hysteresis). */
function thresholds(members: number, s: RollupSettings): { open: number; resolveBelow: number } {
  const open = Math.max(s.minMembers, Math.ceil(s.share * members));
  return { open, resolveBelow: Math.max(1, Math.ceil(open / 2)) };
}

/**
 * Group- and system-level anomalies from the component level. A group (service) is degraded in a type when at least
 * max(minMembers, ⌈share × its VMs⌉) of its VMs have an OPEN anomaly of that type; a system when at least
 * max(minMembers, ⌈share × its groups⌉) of its groups have an anomalous VM of that type. Each resolves once fewer than
 * half that many remain (hysteresis). Members are the VMs the detector has seen (from either end of a pathway or a
 * metric), so a group's size is what telemetry shows of it.
 */
export class AnomalyRollup {
  /** `systemId|groupId` → VM ids. */
  private readonly groupMembers = new Map<string, Set<string>>();
  /** systemId → group keys. */
  private readonly systemGroups = new Map<string, Set<string>>();
  /** `signal|systemId|groupId` → anomalous VM ids. */
  private readonly anomalousInGroup = new Map<string, Set<string>>();
  /** Open rolled-up anomalies: `GROUP|signal|systemId|groupId`, `SYSTEM|signal|systemId`. */
  private readonly open = new Set<string>();

  constructor(private readonly settings: RollupSettings) {}

  /** Counts a VM as a member of its group and system. */
  know(identity: EntityIdentity): void {
    const group = `${identity.systemId}|${identity.groupId}`;
    let members = this.groupMembers.get(group);
    if (members === undefined) this.groupMembers.set(group, (members = new Set()));
    members.add(identity.vmId);
    let groups = this.systemGroups.get(identity.systemId);
    if (groups === undefined) this.systemGroups.set(identity.systemId, (groups = new Set()));
    groups.add(group);
  }

  /** A VM's anomaly of a type opened or resolved: the group and system transitions it causes. */
  changed(identity: EntityIdentity, signal: DetectorSignal, anomalous: boolean, atMs: number): DetectedAnomaly[] {
    this.know(identity);
    const group = `${identity.systemId}|${identity.groupId}`;
    const key = `${signal}|${group}`;
    let vms = this.anomalousInGroup.get(key);
    if (vms === undefined) this.anomalousInGroup.set(key, (vms = new Set()));
    if (anomalous) vms.add(identity.vmId);
    else vms.delete(identity.vmId);
    const out: DetectedAnomaly[] = [];
    const members = this.groupMembers.get(group)?.size ?? 0;
    this.transition(`GROUP|${signal}|${group}`, vms.size, members, out, {
      level: 'GROUP', systemId: identity.systemId, subjectId: identity.groupId, anomalyType: signal, atMs,
    });
    const groups = [...(this.systemGroups.get(identity.systemId) ?? [])];
    const degraded = groups.filter((g) => (this.anomalousInGroup.get(`${signal}|${g}`)?.size ?? 0) > 0).length;
    this.transition(`SYSTEM|${signal}|${identity.systemId}`, degraded, groups.length, out, {
      level: 'SYSTEM', systemId: identity.systemId, subjectId: identity.systemId, anomalyType: signal, atMs,
    });
    return out;
  }

  private transition(
    key: string, anomalous: number, members: number, out: DetectedAnomaly[],
    subject: Pick<DetectedAnomaly, 'level' | 'systemId' | 'subjectId' | 'anomalyType' | 'atMs'>,
  ): void {
    const { open, resolveBelow } = thresholds(members, this.settings);
    const attributes = { source: 'telemetry-gateway', anomalous: String(anomalous), members: String(members) };
    if (!this.open.has(key) && members >= this.settings.minMembers && anomalous >= open) {
      this.open.add(key);
      out.push({ ...subject, state: 'OPEN', severity: Math.min(1, anomalous / members), attributes });
    } else if (this.open.has(key) && anomalous < resolveBelow) {
      this.open.delete(key);
      out.push({ ...subject, state: 'RESOLVED', severity: 0, attributes });
    }
  }
}
