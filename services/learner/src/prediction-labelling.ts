import {
  NEUTRAL_FEATURES, findExposingEdges, infectingEdgeOf, isPathwayKind, type ExposureIndex, type ExposureOutcome, type IncidentOutcome, type InfectingEdge, type MissedAnomaly,
  type ModelParameters, type PathwayFeatures, type PathwayKind,
} from '@foresight/core';
import type { IncidentEvaluation } from '@foresight/contracts';
import { firstOnsetWithin, type SystemOnsets } from './anomaly-onsets.js';
import type { IncidentPredictions, PredictedVm } from './incident-predictions.js';

/** Observed features of the pathway (source → target, kind), or undefined when the topology does not know it. */
export type PathwayFeaturesOf = (source: string, target: string, kind: PathwayKind) => PathwayFeatures | undefined;

/** What labelling one incident needs besides its predictions. */
export interface LabellingEvidence {
  readonly onsets: SystemOnsets | undefined;
  readonly horizonMs: number;
  /** When the grant of each VM was in place (absent: no grant, or never carried out). */
  readonly grantAppliedAt: ReadonlyMap<string, number>;
  readonly featuresOf: PathwayFeaturesOf;
  /** Where every exposing edge is found, under the model's carriers (absent: records carry only the likeliest edge). */
  readonly exposing?: { readonly index: ExposureIndex; readonly model: ModelParameters };
}

/** An incident, judged: the outcome the model learns from and the evaluation published for people. */
export interface LabelledIncident {
  readonly outcome: IncidentOutcome;
  readonly evaluation: Omit<IncidentEvaluation, 'eventId' | 'eventTime'>;
}

const MINUTE_MS = 60_000;

function infectingEdge(incident: IncidentPredictions, vm: PredictedVm, childAt: number | undefined, evidence: LabellingEvidence, end: number): InfectingEdge | undefined {
  const edge = vm.edge;
  if (edge === undefined || !isPathwayKind(edge.kind) || (edge.direction !== 'forward' && edge.direction !== 'reverse')) return undefined;
  const parent = edge.parentVmId;
  const features = edge.kind === 'CO_LOCATED'
    ? NEUTRAL_FEATURES
    : edge.direction === 'forward' ? evidence.featuresOf(parent, vm.vmId, edge.kind) : evidence.featuresOf(vm.vmId, parent, edge.kind);
  if (features === undefined) return undefined;
  const parentAt = incident.sources[parent] ?? firstOnsetWithin(evidence.onsets, parent, incident.onsetAt, end)?.at;
  const parentAffected = parentAt !== undefined && (childAt === undefined || parentAt <= childAt);
  return {
    kind: edge.kind, direction: edge.direction, features, parentAffected, parentVmId: parent,
    ...(parentAt === undefined ? {} : { parentOnsetDelayMs: Math.max(0, parentAt - incident.onsetAt) }),
  };
}

/**
 * Per VM, every edge from a VM affected strictly before it (sources included) that the model's carriers allow: the
 * `exposingEdges` of joint credit, found as the evaluation's outcome builder finds them.
 */
function exposingEdgesOf(incident: IncidentPredictions, evidence: LabellingEvidence, end: number): Map<string, InfectingEdge[]> {
  const edges = new Map<string, InfectingEdge[]>();
  const exposing = evidence.exposing;
  if (exposing === undefined) return edges;
  const onsets = new Map<string, number>(Object.entries(incident.sources).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  for (const vmId of Object.keys(evidence.onsets?.vms ?? {}).sort()) {
    const at = onsets.has(vmId) ? undefined : firstOnsetWithin(evidence.onsets, vmId, incident.onsetAt, end)?.at;
    if (at !== undefined) onsets.set(vmId, at);
  }
  for (const [vmId, found] of findExposingEdges(exposing.index, exposing.model, incident.anomalyType, onsets)) {
    edges.set(vmId, found.map((x) => infectingEdgeOf(x, onsets, incident.onsetAt)));
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
 * Labels an incident whose horizon has passed. A VM the assessments listed is positive if a COMPONENT anomaly of it
 * opened within [first onset, first onset + horizon]; it counts as predicted once a listing reached the prediction
 * threshold (lead time = its onset − generatedAt of that first listing); a grant was useful if it was in place
 * before the onset, wasted if the VM stayed healthy. VMs that became anomalous in the system without being listed
 * are missed. Sources are the incident's origin, neither predicted nor missed. With `evidence.exposing`, an exposure
 * exposed by more than its recorded edge also lists every exposing edge (`exposingEdges`, fitted jointly); missed VMs
 * get none, as unlisted VMs that stayed healthy are not recorded as negatives.
 */
export function labelIncident(incident: IncidentPredictions, evidence: LabellingEvidence): LabelledIncident {
  const end = incident.onsetAt + evidence.horizonMs;
  const exposures: ExposureOutcome[] = [];
  let predicted = 0;
  let truePositives = 0;
  let squaredError = 0;
  let usefulGrants = 0;
  let wastedGrants = 0;
  const leadTimesMs: number[] = [];
  const exposingEdges = exposingEdgesOf(incident, evidence, end);
  const listed = Object.values(incident.predictions).filter((vm) => !Object.hasOwn(incident.sources, vm.vmId)).sort((a, b) => (a.vmId < b.vmId ? -1 : 1));
  for (const vm of listed) {
    const onset = firstOnsetWithin(evidence.onsets, vm.vmId, incident.onsetAt, end);
    const childAt = onset?.at;
    const became = childAt !== undefined;
    const appliedAt = evidence.grantAppliedAt.get(vm.vmId);
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
    const edge = infectingEdge(incident, vm, childAt, evidence, end);
    const exposing = exposingEdges.get(vm.vmId) ?? [];
    const degradedMinutes = onset === undefined ? 0 : (Math.min(onset.resolvedAt ?? end, end) - onset.at) / MINUTE_MS;
    exposures.push({
      vmId: vm.vmId, anomalyType: incident.anomalyType, predictedProbability: vm.probability, becameAnomalous: became, grantInPlace, degradedMinutes,
      ...(became ? { onsetDelayMs: Math.max(0, childAt - incident.onsetAt) } : {}), ...(edge === undefined ? {} : { edge }),
      ...(onlyTheRecordedEdge(exposing, edge) ? {} : { exposingEdges: exposing }),
    });
  }
  const missed: MissedAnomaly[] = [];
  for (const vmId of Object.keys(evidence.onsets?.vms ?? {}).sort()) {
    if (Object.hasOwn(incident.predictions, vmId) || Object.hasOwn(incident.sources, vmId)) continue;
    const onset = firstOnsetWithin(evidence.onsets, vmId, incident.onsetAt, end);
    if (onset !== undefined) missed.push({ vmId, anomalyType: onset.anomalyType, onsetDelayMs: Math.max(0, onset.at - incident.onsetAt) });
  }
  const anomalousListed = exposures.filter((e) => e.becameAnomalous).length;
  const affected = anomalousListed + missed.length;
  return {
    outcome: { incidentId: incident.incidentId, onsetAt: incident.onsetAt, modelVersion: Math.max(1, incident.modelVersion), exposures, missed },
    evaluation: {
      incidentId: incident.incidentId, anomalyType: incident.anomalyType, modelVersion: incident.modelVersion, predicted, affected, truePositives,
      precision: predicted === 0 ? 0 : truePositives / predicted,
      recall: affected === 0 ? 0 : truePositives / affected,
      brier: listed.length === 0 ? 0 : squaredError / listed.length,
      leadTimesMs, usefulGrants, wastedGrants,
    },
  };
}
