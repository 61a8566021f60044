import type { ModelParameters } from '../model/model-parameters.js';
import { isPathwayKind, NEUTRAL_FEATURES, type PathwayFeatures, type PathwayKind } from '../topology/pathway.js';
import { findExposingEdges, infectingEdgeOf, type ExposureIndex } from './exposing-edges.js';
import { edgeProbability } from './model-evaluation.js';
import type { ExposureOutcome, IncidentOutcome, InfectingEdge, MissedAnomaly } from './outcome.js';

/** One observed anomaly of a VM: when it opened and, once known, when it resolved (as monitoring reported them). */
export interface ObservedOnset {
  readonly at: number;
  readonly anomalyType: string;
  readonly resolvedAt?: number;
}

/** One anomaly report of a VM, as labelling folds it into the VM's onsets. */
export interface OnsetReport {
  readonly state: 'OPEN' | 'RESOLVED';
  /** When monitoring reported it (the learner's onsets are in report time). */
  readonly at: number;
  readonly anomalyType: string;
}

/**
 * Folds one report into a VM's onsets, oldest first (pure): OPEN opens an onset unless one is open or one opened at
 * the same time (a redelivered or repeated OPEN), RESOLVED closes the latest open one. Returns `onsets` itself when
 * nothing changed.
 */
export function foldOnsetReport(onsets: readonly ObservedOnset[], report: OnsetReport): readonly ObservedOnset[] {
  const open = onsets.findLastIndex((o) => o.resolvedAt === undefined);
  if (report.state === 'OPEN') {
    if (open >= 0 || onsets.some((o) => o.at === report.at)) return onsets;
    return [...onsets, { at: report.at, anomalyType: report.anomalyType }].sort((a, b) => a.at - b.at);
  }
  const target = onsets[open];
  if (target === undefined) return onsets;
  const next = [...onsets];
  next[open] = { ...target, resolvedAt: Math.max(target.at, report.at) };
  return next;
}

/** The likeliest infecting edge of a listed VM, as its assessment explained it (kind and direction as published). */
export interface ListedEdge {
  readonly parentVmId: string;
  readonly kind: string;
  readonly direction: string;
}

/** What the assessments said about one listed VM. */
export interface ListedPrediction {
  readonly vmId: string;
  /** The probability the assessments gave it (the highest, when several versions listed it). */
  readonly probability: number;
  /** When a listing first reached the prediction threshold (absent: never predicted, only listed). */
  readonly firstFlaggedAt?: number;
  readonly edge?: ListedEdge;
}

/** The incident being labelled. */
export interface LabelledIncidentHeader {
  readonly incidentId: string;
  readonly anomalyType: string;
  /** The first onset: the earliest source onset. */
  readonly onsetAt: number;
  /** The model version whose predictions led (the first assessment's). */
  readonly modelVersion: number;
  /** The incident's sources (its origin) with their onsets. */
  readonly sources: ReadonlyMap<string, number>;
}

/** Observed features of the pathway (source → target, kind), or undefined when the topology does not know it. */
export type PathwayFeaturesLookup = (source: string, target: string, kind: PathwayKind) => PathwayFeatures | undefined;

/** Everything labelling one incident reads, as plain data. */
export interface LabellingInput {
  readonly incident: LabelledIncidentHeader;
  /** The listed VMs, one entry per VM. */
  readonly predictions: readonly ListedPrediction[];
  readonly horizonMs: number;
  /** Per VM, its observed onsets, oldest first (foldOnsetReport); only the first within the horizon counts. */
  readonly onsets: ReadonlyMap<string, readonly ObservedOnset[]>;
  /** When the grant of each VM was in place (absent: no grant, or never carried out). */
  readonly grantAppliedAt: ReadonlyMap<string, number>;
  readonly featuresOf: PathwayFeaturesLookup;
  /** Where every exposing edge is found, under the model's carriers (absent: records carry only the likeliest edge). */
  readonly exposing?: { readonly index: ExposureIndex; readonly model: ModelParameters };
  /** Every edge recorded with neutral features (its lastSeenAt kept): the uniform-edge-weights ablation. */
  readonly neutralFeatures?: boolean;
}

/** The incident's evaluation for people: the figures the learner publishes on the evaluations topic. */
export interface IncidentLabelSummary {
  readonly incidentId: string;
  readonly anomalyType: string;
  readonly modelVersion: number;
  readonly predicted: number;
  readonly affected: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly brier: number;
  readonly leadTimesMs: readonly number[];
  readonly usefulGrants: number;
  readonly wastedGrants: number;
}

/** An incident, judged: the outcome the model learns from and its summary. */
export interface LabelledIncident {
  readonly outcome: IncidentOutcome;
  readonly summary: IncidentLabelSummary;
}

/** A listed VM counts as predicted from this probability on, by default: every listed VM is a prediction. */
export const DEFAULT_PREDICTION_THRESHOLD = 0;

const MINUTE_MS = 60_000;

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstOnsetWithin(input: LabellingInput, vmId: string, end: number): ObservedOnset | undefined {
  return input.onsets.get(vmId)?.find((o) => o.at >= input.incident.onsetAt && o.at <= end);
}

function recorded(input: LabellingInput, features: PathwayFeatures): PathwayFeatures {
  return input.neutralFeatures === true ? { ...NEUTRAL_FEATURES, lastSeenAt: features.lastSeenAt } : features;
}

function infectingEdge(input: LabellingInput, vm: ListedPrediction, childAt: number | undefined, end: number): InfectingEdge | undefined {
  const edge = vm.edge;
  if (edge === undefined || !isPathwayKind(edge.kind) || (edge.direction !== 'forward' && edge.direction !== 'reverse')) return undefined;
  const parent = edge.parentVmId;
  const features = edge.kind === 'CO_LOCATED'
    ? NEUTRAL_FEATURES
    : edge.direction === 'forward' ? input.featuresOf(parent, vm.vmId, edge.kind) : input.featuresOf(vm.vmId, parent, edge.kind);
  if (features === undefined) return undefined;
  const { incident } = input;
  const parentAt = incident.sources.get(parent) ?? firstOnsetWithin(input, parent, end)?.at;
  const parentAffected = parentAt !== undefined && (childAt === undefined || parentAt <= childAt);
  return {
    kind: edge.kind, direction: edge.direction, features: recorded(input, features), parentAffected, parentVmId: parent,
    ...(parentAt === undefined ? {} : { parentOnsetDelayMs: Math.max(0, parentAt - incident.onsetAt) }),
  };
}

/** Per VM, every edge from a VM affected strictly before it (sources first, then the others, each by id). */
function exposingEdgesOf(input: LabellingInput, end: number): Map<string, InfectingEdge[]> {
  const edges = new Map<string, InfectingEdge[]>();
  const { exposing, incident } = input;
  if (exposing === undefined) return edges;
  const onsets = new Map<string, number>([...incident.sources].sort((a, b) => byId(a[0], b[0])));
  for (const vmId of [...input.onsets.keys()].sort(byId)) {
    const at = onsets.has(vmId) ? undefined : firstOnsetWithin(input, vmId, end)?.at;
    if (at !== undefined) onsets.set(vmId, at);
  }
  for (const [vmId, found] of findExposingEdges(exposing.index, exposing.model, incident.anomalyType, onsets)) {
    edges.set(vmId, found.map((x) => infectingEdgeOf({ ...x, features: recorded(input, x.features) }, onsets, incident.onsetAt)));
  }
  return edges;
}

/** Whether the exposing edges say no more than the recorded edge (then the record stays as it was: `edge` only). */
function onlyTheRecordedEdge(exposing: readonly InfectingEdge[], edge: InfectingEdge | undefined): boolean {
  if (exposing.length === 0) return true;
  const [only] = exposing;
  return exposing.length === 1 && only !== undefined && edge !== undefined && edge.parentAffected && only.parentVmId === edge.parentVmId
    && only.kind === edge.kind && (only.kind === 'CO_LOCATED' || only.direction === edge.direction);
}

/**
 * Labels an incident whose horizon has passed; the one rule of the learner service and the evaluation. A listed VM
 * is positive if an anomaly of it opened within [first onset, first onset + horizon]; it counts as predicted once
 * flagged (lead time = its onset − the first flag, at least 0); a grant was useful if it was in place by the onset,
 * wasted if the VM stayed healthy. VMs anomalous within the horizon without being listed are missed. Sources are the
 * incident's origin, neither listed nor missed. With `exposing`, an exposure exposed by more than its recorded edge
 * also lists every exposing edge (`exposingEdges`, fitted jointly); a missed VM gets its exposing edges too (the
 * likeliest under the model as `edge`), and every exposed VM that was never listed and stayed healthy is recorded as a
 * negative exposure with probability 0 (it was never grantable): without them the learner saw only the pathways the
 * model already ranked, and could not learn to raise the others (decision 013).
 */
export function labelIncident(input: LabellingInput): LabelledIncident {
  const { incident } = input;
  const end = incident.onsetAt + input.horizonMs;
  const exposures: ExposureOutcome[] = [];
  let predicted = 0;
  let truePositives = 0;
  let squaredError = 0;
  let usefulGrants = 0;
  let wastedGrants = 0;
  const leadTimesMs: number[] = [];
  const exposingEdges = exposingEdgesOf(input, end);
  const listedIds = new Set(input.predictions.map((vm) => vm.vmId));
  const listed = input.predictions.filter((vm) => !incident.sources.has(vm.vmId)).sort((a, b) => byId(a.vmId, b.vmId));
  for (const vm of listed) {
    const onset = firstOnsetWithin(input, vm.vmId, end);
    const childAt = onset?.at;
    const became = childAt !== undefined;
    const appliedAt = input.grantAppliedAt.get(vm.vmId);
    const grantInPlace = appliedAt !== undefined && appliedAt <= (childAt ?? end);
    if (appliedAt !== undefined && became && grantInPlace) usefulGrants++;
    if (appliedAt !== undefined && !became) wastedGrants++;
    if (vm.firstFlaggedAt !== undefined) {
      predicted++;
      if (became) {
        truePositives++;
        // NOTE: listed after the VM's reported onset (late) is a lead time of 0; the evaluations schema bounds it at ≥ 0.
        leadTimesMs.push(Math.max(0, Math.round(childAt - vm.firstFlaggedAt)));
      }
    }
    squaredError += (vm.probability - (became ? 1 : 0)) ** 2;
    const edge = infectingEdge(input, vm, childAt, end);
    const exposing = exposingEdges.get(vm.vmId) ?? [];
    const degradedMinutes = onset === undefined ? 0 : (Math.min(onset.resolvedAt ?? end, end) - onset.at) / MINUTE_MS;
    exposures.push({
      vmId: vm.vmId, anomalyType: incident.anomalyType, predictedProbability: vm.probability, becameAnomalous: became, grantInPlace, degradedMinutes,
      ...(became ? { onsetDelayMs: Math.max(0, childAt - incident.onsetAt) } : {}), ...(edge === undefined ? {} : { edge }),
      ...(onlyTheRecordedEdge(exposing, edge) ? {} : { exposingEdges: exposing }),
    });
  }
  // The likeliest of a VM's exposing edges under the model: the recorded `edge` of an unlisted VM.
  const likeliest = (vmId: string, edges: readonly InfectingEdge[]): InfectingEdge | undefined => {
    const model = input.exposing?.model;
    let best: { edge: InfectingEdge; p: number } | undefined;
    for (const edge of edges) {
      const p = model === undefined ? 0 : edgeProbability(model, incident.anomalyType, vmId, edge);
      if (best === undefined || p > best.p) best = { edge, p };
    }
    return best?.edge;
  };
  const missed: MissedAnomaly[] = [];
  for (const vmId of [...input.onsets.keys()].sort(byId)) {
    if (listedIds.has(vmId) || incident.sources.has(vmId)) continue;
    const onset = firstOnsetWithin(input, vmId, end);
    if (onset === undefined) continue;
    const exposing = exposingEdges.get(vmId) ?? [];
    const edge = likeliest(vmId, exposing);
    missed.push({
      vmId, anomalyType: onset.anomalyType, onsetDelayMs: Math.max(0, onset.at - incident.onsetAt),
      ...(edge === undefined ? {} : { edge }), ...(exposing.length > 1 ? { exposingEdges: exposing } : {}),
    });
  }
  // Exposed VMs the assessments never listed that stayed healthy: negatives (probability 0, never grantable), so the
  // learner sees every pathway an affected VM exposed, not only those the model already ranked.
  for (const [vmId, exposing] of [...exposingEdges].sort((a, b) => byId(a[0], b[0]))) {
    if (listedIds.has(vmId) || incident.sources.has(vmId) || firstOnsetWithin(input, vmId, end) !== undefined) continue;
    const edge = likeliest(vmId, exposing);
    exposures.push({
      vmId, anomalyType: incident.anomalyType, predictedProbability: 0, becameAnomalous: false, grantInPlace: false, degradedMinutes: 0,
      ...(edge === undefined ? {} : { edge }), ...(exposing.length > 1 ? { exposingEdges: exposing } : {}),
    });
  }
  const affected = exposures.filter((e) => e.becameAnomalous).length + missed.length;
  exposures.sort((a, b) => byId(a.vmId, b.vmId));
  return {
    outcome: {
      incidentId: incident.incidentId, onsetAt: incident.onsetAt, modelVersion: Math.max(1, incident.modelVersion), exposures, missed,
      sources: [...incident.sources].sort((a, b) => byId(a[0], b[0])).map(([vmId, onsetAt]) => ({ vmId, onsetAt })), anomalyType: incident.anomalyType,
    },
    summary: {
      incidentId: incident.incidentId, anomalyType: incident.anomalyType, modelVersion: incident.modelVersion, predicted, affected, truePositives,
      precision: predicted === 0 ? 0 : truePositives / predicted,
      recall: affected === 0 ? 0 : truePositives / affected,
      brier: listed.length === 0 ? 0 : squaredError / listed.length,
      leadTimesMs, usefulGrants, wastedGrants,
    },
  };
}
