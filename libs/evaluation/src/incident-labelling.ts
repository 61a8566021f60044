import {
  DEFAULT_PREDICTION_THRESHOLD, foldOnsetReport, labelIncident, pathwayKey,
  type ExposureIndex, type LabelledIncident, type LabellingInput, type ListedPrediction, type ModelParameters, type ObservedOnset, type PathwayFeatures, type PathwayKind,
  type PropagationSource, type RiskEntry,
} from '@foresight/core';
import type { Incident } from '@foresight/sim';

/** What the evaluation knows of one simulated incident when its horizon has passed, as the learner would know it. */
export interface SimulatedLabelling {
  readonly incident: Incident;
  /** The anomaly type the assessment used (the stream's: 'generic' without type conditioning). */
  readonly anomalyType: string;
  readonly model: ModelParameters;
  /** The first assessment: its sources, when it was made and the VMs it listed (with their explanations). */
  readonly sources: readonly PropagationSource[];
  readonly assessedAt: number;
  readonly listed: readonly RiskEntry[];
  /** Per VM, when the closed loop's first Foresight grant was in place (none: no grants). */
  readonly grantAppliedAt?: ReadonlyMap<string, number>;
  /**
   * Per affected VM, its degraded minutes under the policy that acted (the closed loop's): the simulated reports do not
   * depend on the policy, so a grant would never shorten a reported anomaly; with this, the VM's first onset resolves
   * that many minutes after it opened, as monitoring would report under the policy (grant sizes learn from it).
   */
  readonly degradedMinutes?: ReadonlyMap<string, number>;
  /** Observed pathway features by pathwayKey(source, target, kind). */
  readonly features: ReadonlyMap<string, PathwayFeatures>;
  readonly exposures: ExposureIndex;
  /** Edges recorded with neutral features (the uniform-edge-weights ablation). */
  readonly neutralFeatures?: boolean;
  /** A listed VM counts as predicted from this probability on (default: the learner's, every listed VM). */
  readonly predictionThreshold?: number;
}

/** The system an incident is assessed in: the first reported anomaly's (the scorer's incident, the learner's onsets). */
export function incidentSystem(incident: Incident): string | undefined {
  return incident.anomalyEvents.find((e) => e.state === 'OPEN')?.systemId;
}

/**
 * Each VM's onsets as the learner folds the reports of the incident's system (it keeps onsets per system): in report
 * time (detectedAt), those reported by `until`.
 */
export function observedOnsets(incident: Incident, until: number): Map<string, readonly ObservedOnset[]> {
  const systemId = incidentSystem(incident);
  const onsets = new Map<string, readonly ObservedOnset[]>();
  for (const e of incident.anomalyEvents) {
    if (e.level !== 'COMPONENT' || e.systemId !== systemId || e.detectedAt > until) continue;
    onsets.set(e.subjectId, foldOnsetReport(onsets.get(e.subjectId) ?? [], { state: e.state, at: e.detectedAt, anomalyType: e.anomalyType }));
  }
  return onsets;
}

function listedPrediction(entry: RiskEntry, assessedAt: number, threshold: number): ListedPrediction {
  const hop = entry.contributions.findLast((c) => c.to === entry.vmId);
  const probability = Math.min(1, Math.max(0, entry.probability));
  return {
    vmId: entry.vmId, probability, ...(entry.probability >= threshold ? { firstFlaggedAt: assessedAt } : {}),
    ...(hop === undefined ? {} : { edge: { parentVmId: hop.from, kind: hop.kind, direction: hop.direction } }),
  };
}

/** Each VM's first onset within [from, to] resolved after its degraded minutes under the policy, when given. */
function treated(onsets: Map<string, readonly ObservedOnset[]>, minutes: ReadonlyMap<string, number> | undefined, from: number, to: number): Map<string, readonly ObservedOnset[]> {
  if (minutes === undefined) return onsets;
  for (const [vmId, list] of onsets) {
    const m = minutes.get(vmId);
    const i = list.findIndex((o) => o.at >= from && o.at <= to);
    const first = list[i];
    if (m === undefined || first === undefined) continue;
    const resolvedAt = first.at + Math.round(m * 60_000);
    if (first.resolvedAt !== undefined && first.resolvedAt <= resolvedAt) continue;
    onsets.set(vmId, list.map((o, k) => (k === i ? { ...o, resolvedAt } : o)));
  }
  return onsets;
}

/**
 * The core labelling input of a simulated incident, built as the learner service builds it from the topics: the first
 * assessment's listed VMs (probability, likeliest edge, flagged when made), its sources as the origin, the onsets of
 * its system's VMs from the incident's AnomalyEvents reported by the horizon, the closed loop's grants, the observed
 * features.
 */
export function simulatedLabellingInput(s: SimulatedLabelling): LabellingInput {
  const sources = new Map<string, number>();
  for (const source of s.sources) sources.set(source.vmId, Math.min(sources.get(source.vmId) ?? source.onsetAt, source.onsetAt));
  const onsetAt = Math.min(...sources.values());
  const threshold = s.predictionThreshold ?? DEFAULT_PREDICTION_THRESHOLD;
  const predictions = new Map<string, ListedPrediction>();
  for (const entry of s.listed) if (Number.isFinite(entry.probability)) predictions.set(entry.vmId, listedPrediction(entry, s.assessedAt, threshold));
  return {
    incident: { incidentId: s.incident.incidentId, anomalyType: s.anomalyType, onsetAt, modelVersion: s.model.version, sources },
    predictions: [...predictions.values()],
    horizonMs: s.model.horizonMs,
    onsets: treated(observedOnsets(s.incident, onsetAt + s.model.horizonMs), s.degradedMinutes, onsetAt, onsetAt + s.model.horizonMs),
    grantAppliedAt: s.grantAppliedAt ?? new Map(),
    featuresOf: (source: string, target: string, kind: PathwayKind) => s.features.get(pathwayKey(source, target, kind)),
    exposing: { index: s.exposures, model: s.model },
    ...(s.neutralFeatures === true ? { neutralFeatures: true } : {}),
  };
}

/** Labels a simulated incident by core's labelIncident, the learner service's rule. */
export function labelSimulatedIncident(s: SimulatedLabelling): LabelledIncident {
  return labelIncident(simulatedLabellingInput(s));
}
