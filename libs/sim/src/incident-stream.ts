import { SeededRandom } from '@foresight/core';
import type { AnomalyEvent } from '@foresight/contracts';
import { simulateCascade, type Infection } from './cascade.js';
import { compileTruthGraph, type Traversal, type TruthGraph } from './truth-graph.js';
import type { TrueParameters } from './true-parameters.js';
import type { World } from './world.js';

/** A VM that truly became anomalous in an incident. */
export interface AffectedVm {
  readonly vmId: string;
  readonly onsetAt: number;
  /** The VM it caught the anomaly from (undefined for the origin) and how. */
  readonly parentVmId?: string;
  readonly via?: Traversal;
  readonly severity: number;
  /** Untreated degradation (and time to recover). */
  readonly durationMs: number;
  /** When its own anomaly was detected; undefined when monitoring missed it. */
  readonly detectedAt?: number;
}

/** One incident: the hidden cascade and what monitoring reported. */
export interface Incident {
  readonly incidentId: string;
  readonly index: number;
  readonly anomalyType: string;
  readonly originVmId: string;
  readonly onsetAt: number;
  /** onsetAt + horizon: labels count onsets up to here. */
  readonly horizonEnd: number;
  /** Every truly affected VM within the horizon, in onset order (the origin first). */
  readonly affected: readonly AffectedVm[];
  /** VMs that raised a false alarm of the incident's type. */
  readonly falseAlarmVmIds: readonly string[];
  /** Reported OPEN and RESOLVED AnomalyEvents (COMPONENT level), true and false, by eventTime of publication. */
  readonly anomalyEvents: readonly AnomalyEvent[];
}

/** Options of the incident stream. */
export interface IncidentStreamOptions {
  readonly count: number;
  readonly seed: number;
  /** Onset of the first incident (default 1.7e12 + 1 day) and spacing (default 2 h; incidents never overlap). */
  readonly startAt?: number;
  readonly spacingMs?: number;
}

function pickType(mix: Readonly<Record<string, number>>, random: SeededRandom): string {
  const entries = Object.entries(mix);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = random.next() * total;
  for (const [type, w] of entries) if ((u -= w) < 0) return type;
  return entries[entries.length - 1][0];
}

function poisson(mean: number, random: SeededRandom): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = random.next();
  while (u > s && k < 100) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}

/**
 * Generates `count` incidents reproducibly: incident i draws from its own SeededRandom(seed, i), so a run of 30 is
 * the prefix of a run of 500. Each picks a type by the true mix and a uniformly random origin, realises the true
 * cascade within the horizon, draws severities (child = parent × U(0.7, 1)), durations, detections (missed with the
 * miss probability, delayed, onset reported with jitter), recoveries and Poisson false alarms of the same type
 * (70% in the origin's system).
 */
export function generateIncidents(world: World, truth: TrueParameters, options: IncidentStreamOptions): Incident[] {
  const graphs = new Map<string, TruthGraph>();
  const graphFor = (type: string): TruthGraph => {
    let g = graphs.get(type);
    if (g === undefined) graphs.set(type, (g = compileTruthGraph(world, truth, type)));
    return g;
  };
  const startAt = options.startAt ?? 1_700_000_000_000 + 86_400_000;
  const spacing = options.spacingMs ?? 2 * 3_600_000;
  const out: Incident[] = [];
  for (let i = 0; i < options.count; i++) {
    const random = new SeededRandom(Math.imul(options.seed, 0x9e3779b1) ^ (i * 0x85ebca6b));
    const type = pickType(truth.typeMix, random);
    const graph = graphFor(type);
    const origin = random.int(world.vms.length);
    const onsetAt = startAt + i * spacing;
    const horizonEnd = onsetAt + truth.horizonMs;
    const infections = simulateCascade(graph, [{ node: origin, onsetAt }], horizonEnd, random);
    out.push(buildIncident(world, truth, graph, type, i, onsetAt, horizonEnd, infections, random));
  }
  return out;
}

function buildIncident(
  world: World, truth: TrueParameters, graph: TruthGraph, type: string, index: number, onsetAt: number, horizonEnd: number, infections: readonly Infection[], random: SeededRandom,
): Incident {
  const incidentId = `inc-${String(index).padStart(5, '0')}`;
  const det = truth.detection;
  const impact = truth.impact[type];
  const severityOf = new Map<number, number>();
  const affected: AffectedVm[] = [];
  const events: AnomalyEvent[] = [];
  const systemOf = new Map(world.vms.map((vm) => [vm.id, vm.systemId]));
  let eventSeq = 0;
  const report = (vmId: string, state: 'OPEN' | 'RESOLVED', eventTime: number, detectedAt: number, severity: number): void => {
    events.push({
      eventId: `${incidentId}-e${eventSeq++}`, eventTime: Math.round(eventTime), systemId: systemOf.get(vmId) ?? 'unknown', level: 'COMPONENT', subjectId: vmId,
      anomalyType: type, severity, state, detectedAt: Math.round(detectedAt), attributes: {},
    });
  };
  const detectionDelay = (): number => det.minDelayMs + random.exponential(det.meanExtraDelayMs);
  for (const inf of infections) {
    const severity = inf.parent === -1 ? 0.4 + 0.6 * random.next() : (severityOf.get(inf.parent) ?? 1) * (0.7 + 0.3 * random.next());
    severityOf.set(inf.node, severity);
    const durationMs = impact.baseDegradationMinutes * 60_000 * (0.5 + severity) * Math.exp(0.3 * random.normal());
    const missed = random.next() < det.missProbability;
    const vmId = graph.vmIds[inf.node];
    let detectedAt: number | undefined;
    if (!missed) {
      detectedAt = inf.onsetAt + detectionDelay();
      const reportedOnset = Math.min(inf.onsetAt + det.onsetJitterMs * random.normal(), detectedAt);
      report(vmId, 'OPEN', reportedOnset, detectedAt, Math.round(severity * 1000) / 1000);
      const recoveredAt = inf.onsetAt + durationMs;
      report(vmId, 'RESOLVED', recoveredAt, recoveredAt + detectionDelay(), 0);
    }
    affected.push({
      vmId, onsetAt: inf.onsetAt, severity, durationMs,
      ...(inf.parent === -1 ? {} : { parentVmId: graph.vmIds[inf.parent], via: graph.traversal[inf.edge] }),
      ...(detectedAt === undefined ? {} : { detectedAt }),
    });
  }
  const affectedIds = new Set(affected.map((a) => a.vmId));
  const originSystem = systemOf.get(graph.vmIds[infections[0]?.node ?? 0]);
  const sameSystem = world.vms.filter((vm) => vm.systemId === originSystem && !affectedIds.has(vm.id));
  const falseAlarmVmIds: string[] = [];
  const alarms = poisson(det.falseAlarmsPerIncident, random);
  for (let k = 0; k < alarms; k++) {
    const pool = random.next() < 0.7 && sameSystem.length > 0 ? sameSystem : world.vms;
    const vm = pool[random.int(pool.length)];
    if (affectedIds.has(vm.id) || falseAlarmVmIds.includes(vm.id)) continue;
    falseAlarmVmIds.push(vm.id);
    const at = onsetAt + random.next() * (horizonEnd - onsetAt);
    const detectedAt = at + detectionDelay();
    report(vm.id, 'OPEN', at, detectedAt, Math.round((0.3 + 0.5 * random.next()) * 1000) / 1000);
    const endAt = at + (3 + 7 * random.next()) * 60_000;
    report(vm.id, 'RESOLVED', endAt, endAt + detectionDelay(), 0);
  }
  events.sort((a, b) => a.detectedAt - b.detectedAt || (a.eventId < b.eventId ? -1 : 1));
  return { incidentId, index, anomalyType: type, originVmId: affected[0].vmId, onsetAt, horizonEnd, affected, falseAlarmVmIds, anomalyEvents: events };
}
