import type { AllocationCommand, AllocationOutcome, IncidentEvaluation, ModelVersion, PathContribution, Resources, RiskAssessment } from '@foresight/contracts';

/** How much the console keeps in memory: every list is bounded, whatever the fleet's size. */
export interface LiveFleetLimits {
  /** At-risk VMs kept per incident (the likeliest; the scorer publishes at most FORESIGHT_MAX_AT_RISK). */
  readonly atRiskPerIncident: number;
  /** Incidents kept, open and recently closed (the oldest closed go first). */
  readonly incidents: number;
  /** Risk versions remembered per incident (for its history). */
  readonly versionsPerIncident: number;
  /** Allocation commands remembered per incident and per VM. */
  readonly commandsPerSubject: number;
  /** VMs whose risk and grant history is kept (the least recently touched go first). */
  readonly vms: number;
  /** Risk points remembered per VM. */
  readonly pointsPerVm: number;
  /** Evaluations, model versions and refused commands remembered. */
  readonly evaluations: number;
  readonly models: number;
  readonly refusals: number;
}

/** The defaults: about 100 MB at most on a large fleet. */
export const DEFAULT_LIVE_FLEET_LIMITS: LiveFleetLimits = {
  atRiskPerIncident: 200, incidents: 2_000, versionsPerIncident: 100, commandsPerSubject: 200, vms: 50_000, pointsPerVm: 50, evaluations: 1_000, models: 200, refusals: 500,
};

/** One at-risk VM of an incident's latest version (path and contributions unknown when it came from the hot scores). */
export interface LiveAtRisk {
  readonly vmId: string;
  readonly hostId: string | undefined;
  readonly probability: number;
  /** Event time the anomaly is expected to arrive (ms). */
  readonly etaAt: number;
  readonly path: readonly string[];
  readonly contributions: readonly PathContribution[];
}

/** One risk version of an incident, summarised. */
export interface LiveVersion {
  readonly version: number;
  readonly generatedAt: number;
  readonly atRisk: number;
  readonly maxProbability: number;
  readonly status: 'OPEN' | 'CLOSED';
}

/** One allocation command as the console remembers it. */
export interface LiveCommand {
  readonly commandId: string;
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly action: AllocationCommand['action'];
  readonly mode: AllocationCommand['mode'];
  readonly resources: Resources;
  /** Event time of the command. */
  readonly at: number;
  readonly leaseExpiresAt: number;
  readonly probability: number;
  readonly why: string;
}

/** An incident as the console shows it. */
export interface LiveIncident {
  readonly incidentId: string;
  readonly systemId: string;
  readonly anomalyType: string;
  readonly severity: number;
  readonly status: 'OPEN' | 'CLOSED';
  readonly version: number;
  readonly modelVersion: number;
  readonly generatedAt: number;
  readonly openedAt: number;
  readonly sources: readonly { readonly vmId: string; readonly onsetAt: number }[];
  /** The likeliest at-risk VMs of the latest version, highest probability first (bounded). */
  readonly atRisk: readonly LiveAtRisk[];
  /** How many VMs the latest version put at risk (may exceed atRisk.length). */
  readonly atRiskCount: number;
  readonly versions: readonly LiveVersion[];
  readonly commands: readonly LiveCommand[];
  /** The trace the latest risk version was published in (W3C trace id), when it carried one. */
  readonly traceId: string | undefined;
  /** Where the latest figures came from: a live message, or the stores at start-up. */
  readonly origin: 'live' | 'stores';
}

/** One point of a VM's risk history. */
export interface VmRiskPoint {
  readonly incidentId: string;
  readonly version: number;
  readonly probability: number;
  readonly etaAt: number;
  /** Event time of the version. */
  readonly at: number;
}

/** A VM's remembered risk and grant history. */
export interface VmHistory {
  readonly points: readonly VmRiskPoint[];
  readonly commands: readonly LiveCommand[];
}

/** A published model version, without its parameters. */
export interface LiveModelVersion {
  readonly modelId: string;
  readonly version: number;
  readonly parentVersion: number | null;
  readonly publishedAt: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly grantThreshold: number | undefined;
  readonly origin: 'live' | 'stores';
}

/** A command the actuator did not carry out (DEFERRED, INFEASIBLE, FAILED). */
export interface LiveRefusal {
  readonly commandId: string;
  readonly vmId: string;
  readonly status: AllocationOutcome['status'];
  readonly detail: string;
  readonly at: number;
}

/** What changed, for the page's live updates. */
export type LiveChange =
  | { readonly kind: 'risk'; readonly incidentId: string; readonly version: number; readonly status: 'OPEN' | 'CLOSED' }
  | { readonly kind: 'allocation'; readonly incidentId: string; readonly vmId: string; readonly action: string }
  | { readonly kind: 'evaluation'; readonly incidentId: string }
  | { readonly kind: 'model'; readonly modelId: string; readonly version: number }
  | { readonly kind: 'outcome'; readonly vmId: string; readonly status: string };

/** One VM of the fleet ranking: its highest risk over open incidents. */
export interface RankedVm {
  readonly vmId: string;
  readonly hostId: string | undefined;
  readonly incidentId: string;
  readonly probability: number;
  readonly etaAt: number;
  /** The incident's severity × the probability: how bad, how likely. */
  readonly severity: number;
  readonly incidents: number;
}

function pushBounded<T>(list: readonly T[], item: T, max: number): T[] {
  const next = [...list, item];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** The trace id of a W3C traceparent header (`00-<trace id>-<span id>-<flags>`), or undefined. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? '');
  return match === null || /^0+$/.test(match[1]) ? undefined : match[1];
}

/**
 * What the console knows of the running fleet: incidents with their latest risk version, the commands that followed,
 * each VM's recent history, evaluations and model versions. Fed by the live topics and, at start, by the stores; a
 * risk version older than the one held is ignored, so the two can arrive in any order. Everything is bounded.
 */
export class LiveFleet {
  private readonly incidents = new Map<string, LiveIncident>();
  private readonly vms = new Map<string, VmHistory>();
  private evaluationList: IncidentEvaluation[] = [];
  private modelList: LiveModelVersion[] = [];
  private refusalList: LiveRefusal[] = [];
  private readonly listeners = new Set<(change: LiveChange) => void>();
  private revision = 0;
  private ranking: { revision: number; vms: RankedVm[] } | undefined;

  constructor(readonly limits: LiveFleetLimits = DEFAULT_LIVE_FLEET_LIMITS) {}

  /** Calls `listener` on every change; returns the unsubscribe. */
  onChange(listener: (change: LiveChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes a risk version (from the risk topic); false when an equal or newer version is held. */
  applyRisk(risk: RiskAssessment, traceparent?: string): boolean {
    const previous = this.incidents.get(risk.incidentId);
    if (previous !== undefined && previous.version >= risk.version) return false;
    const atRisk = risk.atRisk.slice(0, this.limits.atRiskPerIncident).map((r): LiveAtRisk => ({
      vmId: r.vmId, hostId: r.hostId, probability: r.probability, etaAt: risk.generatedAt + r.etaMs, path: r.path, contributions: r.contributions,
    }));
    this.putIncident({
      incidentId: risk.incidentId, systemId: risk.systemId, anomalyType: risk.anomalyType, severity: risk.severity, status: risk.status, version: risk.version,
      modelVersion: risk.modelVersion, generatedAt: risk.generatedAt, openedAt: previous?.openedAt ?? Math.min(risk.generatedAt, ...risk.sources.map((s) => s.onsetAt)),
      sources: risk.sources.map((s) => ({ vmId: s.vmId, onsetAt: s.onsetAt })), atRisk, atRiskCount: risk.atRisk.length,
      versions: pushBounded(previous?.versions ?? [], {
        version: risk.version, generatedAt: risk.generatedAt, atRisk: risk.atRisk.length, maxProbability: risk.atRisk[0]?.probability ?? 0, status: risk.status,
      }, this.limits.versionsPerIncident),
      commands: previous?.commands ?? [], traceId: traceIdOf(traceparent) ?? previous?.traceId, origin: 'live',
    });
    for (const r of atRisk) {
      this.touchVm(r.vmId, (h) => ({ ...h, points: pushBounded(h.points, { incidentId: risk.incidentId, version: risk.version, probability: r.probability, etaAt: r.etaAt, at: risk.generatedAt }, this.limits.pointsPerVm) }));
    }
    this.changed({ kind: 'risk', incidentId: risk.incidentId, version: risk.version, status: risk.status });
    return true;
  }

  /** Takes an incident read from the stores at start-up, unless a live version as new or newer is held. */
  seedIncident(incident: Omit<LiveIncident, 'versions' | 'commands' | 'traceId' | 'origin'>, commands: readonly LiveCommand[]): boolean {
    const previous = this.incidents.get(incident.incidentId);
    if (previous !== undefined && previous.version >= incident.version) return false;
    this.putIncident({
      ...incident, atRisk: incident.atRisk.slice(0, this.limits.atRiskPerIncident),
      versions: [{ version: incident.version, generatedAt: incident.generatedAt, atRisk: incident.atRiskCount, maxProbability: incident.atRisk[0]?.probability ?? 0, status: incident.status }],
      commands: mergeCommands(previous?.commands ?? [], commands, this.limits.commandsPerSubject), traceId: undefined, origin: 'stores',
    });
    for (const c of commands) this.touchVm(c.vmId, (h) => ({ ...h, commands: mergeCommands(h.commands, [c], this.limits.commandsPerSubject) }));
    this.changed({ kind: 'risk', incidentId: incident.incidentId, version: incident.version, status: incident.status });
    return true;
  }

  /** Takes an allocation command (from the allocations topic). */
  applyCommand(command: AllocationCommand): void {
    const live: LiveCommand = {
      commandId: command.commandId, incidentId: command.incidentId, vmId: command.vmId, hostId: command.hostId, action: command.action, mode: command.mode,
      resources: command.resources, at: command.eventTime, leaseExpiresAt: command.leaseExpiresAt, probability: command.reason.probability, why: command.reason.why,
    };
    const incident = this.incidents.get(command.incidentId);
    if (incident !== undefined) this.incidents.set(command.incidentId, { ...incident, commands: mergeCommands(incident.commands, [live], this.limits.commandsPerSubject) });
    this.touchVm(command.vmId, (h) => ({ ...h, commands: mergeCommands(h.commands, [live], this.limits.commandsPerSubject) }));
    this.changed({ kind: 'allocation', incidentId: command.incidentId, vmId: command.vmId, action: command.action });
  }

  /** Takes an actuator outcome; only those that did not apply are kept (refusals). */
  applyOutcome(outcome: AllocationOutcome): void {
    if (outcome.status === 'APPLIED') return;
    this.refusalList = pushBounded(this.refusalList, { commandId: outcome.commandId, vmId: outcome.vmId, status: outcome.status, detail: outcome.detail.slice(0, 300), at: outcome.eventTime }, this.limits.refusals);
    this.changed({ kind: 'outcome', vmId: outcome.vmId, status: outcome.status });
  }

  /** Takes an incident's evaluation (from the evaluations topic). */
  applyEvaluation(evaluation: IncidentEvaluation): void {
    this.evaluationList = pushBounded(this.evaluationList.filter((e) => e.eventId !== evaluation.eventId), evaluation, this.limits.evaluations);
    this.changed({ kind: 'evaluation', incidentId: evaluation.incidentId });
  }

  /** Takes a published model version (from the model topic, or the stores at start-up). */
  applyModel(model: ModelVersion, origin: 'live' | 'stores' = 'live'): void {
    if (this.modelList.some((m) => m.modelId === model.modelId && m.version === model.version && (m.origin === 'live' || origin === 'stores'))) return;
    const entry: LiveModelVersion = {
      modelId: model.modelId, version: model.version, parentVersion: model.parentVersion, publishedAt: model.eventTime, metrics: model.metrics,
      grantThreshold: grantThresholdOf(model.parametersJson), origin,
    };
    const others = this.modelList.filter((m) => !(m.modelId === model.modelId && m.version === model.version));
    this.modelList = [...others, entry].sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : a.version - b.version)).slice(-this.limits.models);
    this.changed({ kind: 'model', modelId: model.modelId, version: model.version });
  }

  incident(incidentId: string): LiveIncident | undefined {
    return this.incidents.get(incidentId);
  }

  /** Incidents, open first, then by severity, latest version first. */
  incidentList(): LiveIncident[] {
    return [...this.incidents.values()].sort((a, b) => (a.status === b.status ? 0 : a.status === 'OPEN' ? -1 : 1) || b.severity - a.severity || b.generatedAt - a.generatedAt || (a.incidentId < b.incidentId ? -1 : 1));
  }

  vmHistory(vmId: string): VmHistory | undefined {
    return this.vms.get(vmId);
  }

  /** At-risk VMs over the open incidents, highest probability first (ties: higher severity, then id); cached until a change. */
  rankedVms(): readonly RankedVm[] {
    if (this.ranking?.revision === this.revision) return this.ranking.vms;
    const best = new Map<string, RankedVm>();
    for (const incident of this.incidents.values()) {
      if (incident.status !== 'OPEN') continue;
      for (const r of incident.atRisk) {
        const held = best.get(r.vmId);
        const entry: RankedVm = {
          vmId: r.vmId, hostId: r.hostId ?? held?.hostId, incidentId: incident.incidentId, probability: r.probability, etaAt: r.etaAt,
          severity: incident.severity * r.probability, incidents: (held?.incidents ?? 0) + 1,
        };
        if (held === undefined || r.probability > held.probability || (r.probability === held.probability && entry.severity > held.severity)) best.set(r.vmId, entry);
        else best.set(r.vmId, { ...held, incidents: held.incidents + 1 });
      }
    }
    const vms = [...best.values()].sort((a, b) => b.probability - a.probability || b.severity - a.severity || (a.vmId < b.vmId ? -1 : a.vmId > b.vmId ? 1 : 0));
    this.ranking = { revision: this.revision, vms };
    return vms;
  }

  evaluations(): readonly IncidentEvaluation[] {
    return this.evaluationList;
  }

  models(): readonly LiveModelVersion[] {
    return this.modelList;
  }

  refusals(): readonly LiveRefusal[] {
    return this.refusalList;
  }

  private putIncident(incident: LiveIncident): void {
    this.incidents.delete(incident.incidentId);
    this.incidents.set(incident.incidentId, incident);
    if (this.incidents.size <= this.limits.incidents) return;
    // The oldest closed incident goes first; with none closed, the least recently updated.
    const victim = [...this.incidents.values()].find((i) => i.status === 'CLOSED') ?? this.incidents.values().next().value;
    if (victim !== undefined) this.incidents.delete(victim.incidentId);
  }

  private touchVm(vmId: string, update: (history: VmHistory) => VmHistory): void {
    const history = this.vms.get(vmId) ?? { points: [], commands: [] };
    this.vms.delete(vmId);
    this.vms.set(vmId, update(history));
    if (this.vms.size > this.limits.vms) this.vms.delete(this.vms.keys().next().value as string);
  }

  private changed(change: LiveChange): void {
    this.revision++;
    for (const listener of this.listeners) listener(change);
  }
}

/** Commands by event time, one per commandId and action (a redelivery replaces), the newest `max`. */
function mergeCommands(held: readonly LiveCommand[], added: readonly LiveCommand[], max: number): LiveCommand[] {
  const byKey = new Map(held.map((c) => [`${c.commandId}|${c.action}|${c.at}`, c]));
  for (const c of added) byKey.set(`${c.commandId}|${c.action}|${c.at}`, c);
  return [...byKey.values()].sort((a, b) => a.at - b.at || (a.commandId < b.commandId ? -1 : 1)).slice(-max);
}

function grantThresholdOf(parametersJson: string): number | undefined {
  try {
    const value = (JSON.parse(parametersJson) as { grantThreshold?: unknown }).grantThreshold;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
