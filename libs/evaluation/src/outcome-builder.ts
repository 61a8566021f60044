import {
  edgeProbability, findExposingEdges, infectingEdgeOf, NEUTRAL_FEATURES,
  type ExposureIndex, type ExposureOutcome, type IncidentOutcome, type InfectingEdge, type ModelParameters,
} from '@foresight/core';
import type { Incident } from '@foresight/sim';

/** Per VM: what the closed loop did (for grant-size learning). */
export interface GrantRecord {
  readonly grantInPlace: boolean;
  readonly degradedMinutes: number;
}

/**
 * Judges one incident from what monitoring observed (never the hidden truth): VMs that raised an OPEN anomaly by the
 * horizon are anomalous, at their reported onset. Every VM the model lets an anomalous VM reach is an exposure, with its
 * likeliest edge (under `model`) from a VM anomalous before it and every such edge (`exposingEdges`, fitted jointly
 * by the learner); the prediction's probability (0 if unlisted) and the closed loop's
 * grant record are attached.
 */
export function buildOutcome(
  incident: Incident, index: ExposureIndex, model: ModelParameters, anomalyType: string, modelVersion: number,
  predicted: ReadonlyMap<string, number>, grants: ReadonlyMap<string, GrantRecord> | undefined, uniform: boolean,
): IncidentOutcome | undefined {
  const onset = new Map<string, number>();
  for (const e of incident.anomalyEvents) {
    if (e.state !== 'OPEN' || e.eventTime > incident.horizonEnd) continue;
    const prev = onset.get(e.subjectId);
    if (prev === undefined || e.eventTime < prev) onset.set(e.subjectId, e.eventTime);
  }
  if (onset.size === 0) return undefined;
  const t0 = Math.min(...onset.values());
  const exposing = new Map<string, { p: number; edge: InfectingEdge }[]>();
  for (const [vmId, found] of findExposingEdges(index, model, anomalyType, onset)) {
    exposing.set(vmId, found.map((x) => {
      const features = uniform ? { ...NEUTRAL_FEATURES, lastSeenAt: x.features.lastSeenAt } : x.features;
      const edge = infectingEdgeOf({ ...x, features }, onset, t0);
      return { p: edgeProbability(model, anomalyType, vmId, edge), edge };
    }));
  }
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
      edge: best.edge,
      exposingEdges: list.map((e) => e.edge),
    });
  }
  return { incidentId: incident.incidentId, onsetAt: t0, modelVersion, exposures };
}
