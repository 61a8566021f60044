import {
  carrierFor, edgeProbability, NEUTRAL_FEATURES, typeParameters,
  type Direction, type ExposureOutcome, type IncidentOutcome, type InfectingEdge, type ModelParameters, type Pathway, type PathwayFeatures, type PathwayKind,
} from '@foresight/core';
import type { Incident } from '@foresight/sim';
import type { ObservedTopology } from './observed-topology.js';

/** Per VM: what the closed loop did (for grant-size learning). */
export interface GrantRecord {
  readonly grantInPlace: boolean;
  readonly degradedMinutes: number;
}

/** Per-VM pathway lists of the observed topology, for attributing infecting edges. */
export class ExposureIndex {
  private readonly out = new Map<string, Pathway[]>();
  private readonly in = new Map<string, Pathway[]>();
  private readonly peers = new Map<string, string[]>();

  constructor(observed: ObservedTopology) {
    for (const p of observed.pathways) {
      this.out.set(p.source, [...(this.out.get(p.source) ?? []), p]);
      this.in.set(p.target, [...(this.in.get(p.target) ?? []), p]);
    }
    const byHost = new Map<string, string[]>();
    for (const vm of observed.vms) byHost.set(vm.hostId, [...(byHost.get(vm.hostId) ?? []), vm.id]);
    for (const vm of observed.vms) this.peers.set(vm.id, (byHost.get(vm.hostId) ?? []).filter((id) => id !== vm.id));
  }

  /** Every (child, kind, direction, features) the model lets `parent` transmit `anomalyType` to. */
  exposuresFrom(model: ModelParameters, anomalyType: string, parent: string, uniform: boolean): { child: string; kind: PathwayKind; direction: Direction; features: PathwayFeatures }[] {
    const params = typeParameters(model, anomalyType);
    const out: { child: string; kind: PathwayKind; direction: Direction; features: PathwayFeatures }[] = [];
    const f = (p: Pathway): PathwayFeatures => (uniform ? { ...NEUTRAL_FEATURES, lastSeenAt: p.features.lastSeenAt } : p.features);
    for (const p of this.out.get(parent) ?? []) if (carrierFor(params, p.kind, 'forward') !== undefined) out.push({ child: p.target, kind: p.kind, direction: 'forward', features: f(p) });
    for (const p of this.in.get(parent) ?? []) if (carrierFor(params, p.kind, 'reverse') !== undefined) out.push({ child: p.source, kind: p.kind, direction: 'reverse', features: f(p) });
    if (carrierFor(params, 'CO_LOCATED', 'forward') !== undefined || carrierFor(params, 'CO_LOCATED', 'reverse') !== undefined) {
      for (const peer of this.peers.get(parent) ?? []) out.push({ child: peer, kind: 'CO_LOCATED', direction: 'forward', features: NEUTRAL_FEATURES });
    }
    return out;
  }
}

/**
 * Judges one incident from what monitoring observed (never the hidden truth): VMs that raised an OPEN anomaly by the
 * horizon are anomalous, at their reported onset. Every VM the model lets an anomalous VM reach is an exposure, with its
 * likeliest edge (under `model`) from a VM anomalous before it and, with `jointCredit` (default), every such edge
 * (`exposingEdges`, fitted jointly by the learner); the prediction's probability (0 if unlisted) and the closed loop's
 * grant record are attached.
 */
export function buildOutcome(
  incident: Incident, index: ExposureIndex, model: ModelParameters, anomalyType: string, modelVersion: number,
  predicted: ReadonlyMap<string, number>, grants: ReadonlyMap<string, GrantRecord> | undefined, uniform: boolean, jointCredit = true,
): IncidentOutcome | undefined {
  const onset = new Map<string, number>();
  for (const e of incident.anomalyEvents) {
    if (e.state !== 'OPEN' || e.eventTime > incident.horizonEnd) continue;
    const prev = onset.get(e.subjectId);
    if (prev === undefined || e.eventTime < prev) onset.set(e.subjectId, e.eventTime);
  }
  if (onset.size === 0) return undefined;
  const t0 = Math.min(...onset.values());
  type Exposing = { p: number; parent: string; kind: PathwayKind; direction: Direction; features: PathwayFeatures };
  const exposing = new Map<string, Exposing[]>();
  for (const [parent, parentAt] of onset) {
    for (const x of index.exposuresFrom(model, anomalyType, parent, uniform)) {
      const childAt = onset.get(x.child);
      if (childAt !== undefined && childAt <= parentAt) continue;
      const edge = { kind: x.kind, direction: x.direction, features: x.features, parentAffected: true };
      const p = edgeProbability(model, anomalyType, x.child, edge);
      const list = exposing.get(x.child) ?? [];
      list.push({ p, parent, kind: x.kind, direction: x.direction, features: x.features });
      exposing.set(x.child, list);
    }
  }
  const infecting = (e: Exposing): InfectingEdge => ({
    kind: e.kind, direction: e.direction, features: e.features, parentAffected: true, parentVmId: e.parent, parentOnsetDelayMs: Math.max(0, (onset.get(e.parent) ?? t0) - t0),
  });
  const exposures: ExposureOutcome[] = [];
  for (const [vmId, list] of [...exposing].sort((a, c) => (a[0] < c[0] ? -1 : 1))) {
    const childAt = onset.get(vmId);
    const grant = grants?.get(vmId);
    const best = list.reduce((b, e) => (e.p > b.p ? e : b));
    exposures.push({
      vmId, anomalyType, predictedProbability: Math.min(1, Math.max(0, predicted.get(vmId) ?? 0)), becameAnomalous: childAt !== undefined,
      ...(childAt === undefined ? {} : { onsetDelayMs: Math.max(0, childAt - t0) }),
      grantInPlace: grant?.grantInPlace ?? false,
      ...(grant === undefined ? {} : { degradedMinutes: grant.degradedMinutes }),
      edge: infecting(best),
      ...(jointCredit ? { exposingEdges: list.map(infecting) } : {}),
    });
  }
  return { incidentId: incident.incidentId, onsetAt: t0, modelVersion, exposures };
}
