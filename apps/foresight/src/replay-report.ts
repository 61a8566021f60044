import type { RiskAssessment } from '@foresight/contracts';
import { incidentIdFor, pathwayKey } from '@foresight/core';
import type { FlushSummary } from '@foresight/topology-builder';
import type { ParsedReplayLine } from './replay-line.js';

/** What a replay did besides its output: counts of what was read, published, expired, ignored and dead-lettered. */
export interface ReplayReport {
  /** Lines read, blank ones included. */
  readonly lines: number;
  /** Events fed to the pipeline (valid, non-blank lines). */
  readonly events: number;
  readonly published: { readonly risk: number; readonly allocations: number; readonly model: number };
  readonly pathways: {
    /** Distinct pathways (source, target, kind) of the input's flows. */
    readonly seen: number;
    /** Times a pathway expired (unseen for longer than staleAfterMs; one that returns and lapses again counts twice). */
    readonly expired: number;
    readonly firstExpiredAt: number | undefined;
    /** Of `expired`, those after the last event (the tail, while incidents close): harmless to the output. */
    readonly expiredInTail: number;
    /** undefined: pathways never expire. */
    readonly staleAfterMs: number | undefined;
  };
  /** VMs named by OPEN component anomalies before any inventory line for them, with those anomalies' line numbers. */
  readonly unknownVms: readonly { readonly vmId: string; readonly lines: readonly number[] }[];
  /** Records that changed nothing, by reason. */
  readonly ignored: Readonly<Record<string, number>>;
  /** Records the services dead-lettered, by topic, with the first one's reason. */
  readonly deadLettered: Readonly<Record<string, { readonly records: number; readonly reason: string }>>;
}

/** Readable reasons of the scorer's ignored anomalies (unknown_vm is reported on its own: the report is kept). */
const IGNORED_ANOMALY: Readonly<Record<string, string>> = {
  recovery_without_incident: 'anomalies RESOLVED on a VM with no open incident',
  resolution_without_incident: 'group/system anomalies RESOLVED with no open incident',
  unknown_scope: 'group/system anomalies whose scope has no known VM',
};

/** Collects a replay's report as it runs: fed every input line, every topology flush, every ignored anomaly. */
export class ReplayTally {
  lines = 0;
  events = 0;
  readonly published = { risk: 0, allocations: 0, model: 0 };
  private readonly knownVms = new Set<string>();
  private readonly pathways = new Set<string>();
  private expired = 0;
  private expiredInTail = 0;
  private inTail = false;
  private firstExpiredAt: number | undefined;
  private readonly unknown = new Map<string, number[]>();
  /** incidentId an unknown VM's anomaly would open → that VM. */
  private readonly unknownIncidents = new Map<string, Set<string>>();
  private readonly ignored = new Map<string, number>();

  constructor(private readonly staleAfterMs: number | undefined) {}

  /** One input line, before it is published. */
  read(parsed: ParsedReplayLine | undefined, lineNumber: number): void {
    this.lines++;
    if (parsed === undefined) return;
    this.events++;
    const { topic, message } = parsed;
    if (topic === 'inventory' && 'vmId' in message && 'removed' in message) {
      if (message.removed) this.knownVms.delete(message.vmId);
      else this.knownVms.add(message.vmId);
    } else if (topic === 'flows' && 'source' in message && 'kind' in message) {
      if (message.source === message.target) this.ignore('flows from a VM to itself');
      else this.pathways.add(pathwayKey(message.source, message.target, message.kind));
    } else if (topic === 'anomalies' && 'level' in message && message.level === 'COMPONENT' && message.state === 'OPEN' && !this.knownVms.has(message.subjectId)) {
      const vmId = message.subjectId;
      let lines = this.unknown.get(vmId);
      if (lines === undefined) this.unknown.set(vmId, (lines = []));
      lines.push(lineNumber);
      // NOTE: the incident the scorer opens for a VM in no open incident (core's rule, as the scorer applies it).
      const incidentId = incidentIdFor(message);
      let vms = this.unknownIncidents.get(incidentId);
      if (vms === undefined) this.unknownIncidents.set(incidentId, (vms = new Set()));
      vms.add(vmId);
    }
  }

  /** The VMs of this risk assessment's incident the topology did not know, if any (the output's marker). */
  unknownVmsOf(risk: RiskAssessment): string[] | undefined {
    const vms = this.unknownIncidents.get(risk.incidentId);
    if (vms === undefined) return undefined;
    const missing = [...vms].filter((vmId) => !risk.sources.some((s) => s.vmId === vmId));
    return missing.length === 0 ? undefined : missing;
  }

  topologyFlushed(summary: FlushSummary): void {
    if (summary.pathwaysRemoved === 0) return;
    this.expired += summary.pathwaysRemoved;
    if (this.inTail) this.expiredInTail += summary.pathwaysRemoved;
    this.firstExpiredAt ??= summary.at;
  }

  /** Every event has been replayed: what follows is the tail. */
  tailBegins(): void {
    this.inTail = true;
  }

  anomalyIgnored(reason: string): void {
    if (reason !== 'unknown_vm') this.ignore(IGNORED_ANOMALY[reason] ?? `anomalies ignored (${reason})`);
  }

  private ignore(reason: string): void {
    this.ignored.set(reason, (this.ignored.get(reason) ?? 0) + 1);
  }

  report(deadLettered: ReplayReport['deadLettered']): ReplayReport {
    return {
      lines: this.lines,
      events: this.events,
      published: { ...this.published },
      pathways: { seen: this.pathways.size, expired: this.expired, expiredInTail: this.expiredInTail, firstExpiredAt: this.firstExpiredAt, staleAfterMs: this.staleAfterMs },
      unknownVms: [...this.unknown].map(([vmId, lines]) => ({ vmId, lines })),
      ignored: Object.fromEntries(this.ignored),
      deadLettered,
    };
  }
}

const MAX_LISTED_VMS = 10;
const MAX_LISTED_LINES = 5;

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/** The report's warnings, one line each, for stderr: expired pathways, anomalies on unknown VMs. */
export function replayWarnings(report: ReplayReport): string[] {
  const warnings: string[] = [];
  const { pathways } = report;
  if (pathways.expired > 0) {
    const allInTail = pathways.expiredInTail === pathways.expired;
    const tail = pathways.expiredInTail === 0 ? '' : allInTail ? ', all after the last event' : `, ${pathways.expiredInTail} of them after the last event`;
    warnings.push(
      `${allInTail ? 'note' : 'warning'}: pathways expired ${pathways.expired} time(s) during the replay (of ${pathways.seen} pathway(s) in the input's flows${tail}; the first at `
      + `${new Date(pathways.firstExpiredAt ?? 0).toISOString()}): a pathway with no flow window for ${minutes(pathways.staleAfterMs ?? 0)} is removed `
      + 'and carries no risk. Keep them longer with --pathway-stale-after DURATION, or always with --no-pathway-expiry.',
    );
  }
  if (report.unknownVms.length > 0) {
    const anomalies = report.unknownVms.reduce((n, u) => n + u.lines.length, 0);
    const listed = report.unknownVms.slice(0, MAX_LISTED_VMS).map((u) => {
      const lines = u.lines.slice(0, MAX_LISTED_LINES).join(', ') + (u.lines.length > MAX_LISTED_LINES ? ', …' : '');
      return `${u.vmId} (line${u.lines.length === 1 ? '' : 's'} ${lines})`;
    });
    const more = report.unknownVms.length > MAX_LISTED_VMS ? ` and ${report.unknownVms.length - MAX_LISTED_VMS} more` : '';
    warnings.push(
      `warning: ${anomalies} anomaly report(s) on ${report.unknownVms.length} VM(s) with no inventory line before them: ${listed.join(', ')}${more}. `
      + 'Their incidents have no source and predict nothing (marked "unknownVmIds" in the output); give the inventory first.',
    );
  }
  for (const [topic, { records, reason }] of Object.entries(report.deadLettered)) {
    warnings.push(`warning: ${records} ${topic} record(s) dead-lettered by the services (first reason: ${reason})`);
  }
  return warnings;
}

/** The report's counts, one line, for stderr: what was published, ignored and dead-lettered. */
export function replaySummary(report: ReplayReport): string {
  const count = (counts: Readonly<Record<string, number>>): string => {
    const entries = Object.entries(counts).filter(([, n]) => n > 0);
    return entries.length === 0 ? '0' : `${entries.reduce((n, [, k]) => n + k, 0)} (${entries.map(([what, n]) => `${n} ${what}`).join(', ')})`;
  };
  const deadLettered = Object.fromEntries(Object.entries(report.deadLettered).map(([topic, d]) => [topic, d.records]));
  const p = report.published;
  return `${report.events} event(s) from ${report.lines} line(s); published ${p.risk} risk assessment(s), ${p.allocations} allocation command(s), `
    + `${p.model} model version(s); ignored ${count(report.ignored)}; dead-lettered ${count(deadLettered)}`;
}
