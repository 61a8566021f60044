import { GENERIC_ANOMALY_TYPE, normaliseAnomalyType } from '../model/anomaly-type.js';
import type { AnomalyTypeParameters, ModelParameters } from '../model/model-parameters.js';
import { carrierFor, featureVector, vulnerabilityOffset } from '../model/transmission.js';
import type { Direction, PathwayKind } from '../topology/pathway.js';
import type { TransmissionExample } from './logistic-fit.js';
import type { IncidentOutcome, InfectingEdge } from './outcome.js';

/** Everything one batch says about one carrier (type, kind, direction). */
export interface CarrierEvidence {
  readonly anomalyType: string;
  readonly kind: PathwayKind;
  readonly direction: Direction;
  /** One example per exposing edge; `y` is the edge's responsibility (set by the E-step for joint exposures). */
  readonly examples: TransmissionExample[];
  /** Observed delays of one hop (child onset − parent onset), for positives where both are known. */
  readonly hopDelaysMs: number[];
}

/** One exposing edge of a target: its carrier's evidence and the index of its example there. */
export interface ExposingEdge {
  readonly carrier: CarrierEvidence;
  readonly example: number;
}

/**
 * One exposed VM in one incident: whether it became anomalous and every carried edge from an affected parent
 * (one for single-edge records). Its likelihood is the noisy-or 1 − Π(1 − p_e) of its edges.
 */
export interface ExposureTarget {
  readonly affected: boolean;
  readonly edges: readonly ExposingEdge[];
}

/** One exposure to affected parents, for the vulnerability posterior of the target. */
export interface VulnerabilityObservation {
  readonly vmId: string;
  readonly affected: boolean;
  /** The carried exposing edges (carrier key into TransmissionEvidence.carriers, features); empty if none was carried. */
  readonly edges: readonly { readonly carrierKey: string; readonly x: Float64Array }[];
}

/** The transmission evidence of a batch, grouped per carrier, with the type table it was resolved against. */
export interface TransmissionEvidence {
  /** The model's types plus an entry (cloned from generic) for each new anomaly type given its own. */
  readonly types: Readonly<Record<string, AnomalyTypeParameters>>;
  readonly carriers: ReadonlyMap<string, CarrierEvidence>;
  /** Exposed VMs with at least one carried edge, in batch order. */
  readonly targets: readonly ExposureTarget[];
  readonly vulnerability: readonly VulnerabilityObservation[];
  /** Edges from an affected parent along a pathway the type does not carry (ignored). */
  readonly uncarried: number;
}

/** Key of a carrier in CarrierEvidence maps. */
export function carrierKey(anomalyType: string, kind: PathwayKind, direction: Direction): string {
  return `${anomalyType}\u0000${kind}\u0000${direction}`;
}

/**
 * The type entry a batch's evidence about `anomalyType` is learned under: its own entry if the model has one;
 * otherwise a new entry cloned from generic (so one odd type cannot drag generic around), unless the model already
 * holds `maxTypes` types, in which case generic.
 */
export function resolveLearningType(types: Record<string, AnomalyTypeParameters>, anomalyType: string, maxTypes: number): string {
  const t = normaliseAnomalyType(anomalyType);
  if (types[t] !== undefined) return t;
  const generic = types[GENERIC_ANOMALY_TYPE];
  if (generic === undefined || Object.keys(types).length >= maxTypes) return GENERIC_ANOMALY_TYPE;
  types[t] = generic;
  return t;
}

/**
 * The target's vulnerability offset, reading only own entries.
 * NOTE: vulnerabilityOffset indexes a plain object, so an id like `constructor` would hit Object.prototype.
 */
export function targetOffset(model: ModelParameters, vmId: string): number {
  return Object.hasOwn(model.vulnerability, vmId) ? vulnerabilityOffset(model, vmId) : 0;
}

/** CO_LOCATED is symmetric: the model keeps it under `forward` only. */
export function canonicalDirection(kind: PathwayKind, direction: Direction): Direction {
  return kind === 'CO_LOCATED' ? 'forward' : direction;
}

/** The edges a record exposes its VM by: all exposing edges when given, else the likeliest; only from affected parents. */
function exposingEdgesOf(edge: InfectingEdge | undefined, exposingEdges: readonly InfectingEdge[] | undefined): InfectingEdge[] {
  const all = exposingEdges !== undefined && exposingEdges.length > 0 ? exposingEdges : edge === undefined ? [] : [edge];
  return all.filter((e) => e.parentAffected);
}

/** The exposing edge whose parent's onset is the latest strictly before `childDelayMs` (undefined if none is known). */
export function nearestParent(edges: readonly InfectingEdge[], childDelayMs: number): InfectingEdge | undefined {
  let best: InfectingEdge | undefined;
  for (const e of edges) {
    const at = e.parentOnsetDelayMs;
    if (at === undefined || at >= childDelayMs) continue;
    if (best === undefined || at > (best.parentOnsetDelayMs ?? -Infinity)) best = e;
  }
  return best;
}

/**
 * Turns outcomes into per-carrier Bernoulli examples, x = featureVector(edge features), offset = the target's
 * vulnerability offset under `model`, grouped per exposed VM (an ExposureTarget). Only edges from an affected parent
 * count: all of a record's `exposingEdges` when given, else its likeliest `edge`. Labels start at y = became anomalous;
 * a target with several edges gets its responsibilities from the joint fit (learnCarriers).
 */
export function collectTransmissionEvidence(model: ModelParameters, outcomes: readonly IncidentOutcome[], maxTypes: number): TransmissionEvidence {
  const types: Record<string, AnomalyTypeParameters> = { ...model.types };
  const carriers = new Map<string, CarrierEvidence>();
  const targets: ExposureTarget[] = [];
  const vulnerability: VulnerabilityObservation[] = [];
  let uncarried = 0;

  const observe = (
    vmId: string, anomalyType: string, affected: boolean, onsetDelayMs: number | undefined, likeliest: InfectingEdge | undefined, all: readonly InfectingEdge[] | undefined,
  ): void => {
    const edges = exposingEdgesOf(likeliest, all);
    if (edges.length === 0) return;
    const type = resolveLearningType(types, anomalyType, maxTypes);
    const params = types[type];
    const offset = targetOffset(model, vmId);
    const exposing: ExposingEdge[] = [];
    const observed: { carrierKey: string; x: Float64Array }[] = [];
    for (const edge of edges) {
      const direction = canonicalDirection(edge.kind, edge.direction);
      if (params === undefined || carrierFor(params, edge.kind, direction) === undefined) {
        uncarried++;
        continue;
      }
      const x = featureVector(edge.features);
      const key = carrierKey(type, edge.kind, direction);
      let evidence = carriers.get(key);
      if (evidence === undefined) {
        evidence = { anomalyType: type, kind: edge.kind, direction, examples: [], hopDelaysMs: [] };
        carriers.set(key, evidence);
      }
      exposing.push({ carrier: evidence, example: evidence.examples.length });
      evidence.examples.push({ x, y: affected ? 1 : 0, offset });
      observed.push({ carrierKey: key, x });
    }
    vulnerability.push({ vmId, affected, edges: observed });
    if (exposing.length > 0) targets.push({ affected, edges: exposing });
    // One hop delay per positive, from the right reference: the exposing parent whose onset came last before the
    // child's (the nearest in time), not the likeliest by probability, whose onset may be long before.
    const hopEdge = affected && onsetDelayMs !== undefined ? nearestParent(edges, onsetDelayMs) : undefined;
    if (hopEdge !== undefined && onsetDelayMs !== undefined && hopEdge.parentOnsetDelayMs !== undefined) {
      const evidence = carriers.get(carrierKey(type, hopEdge.kind, canonicalDirection(hopEdge.kind, hopEdge.direction)));
      const hop = onsetDelayMs - hopEdge.parentOnsetDelayMs;
      if (evidence !== undefined && hop > 0) evidence.hopDelaysMs.push(hop);
    }
  };

  for (const outcome of outcomes) {
    for (const e of outcome.exposures) observe(e.vmId, e.anomalyType, e.becameAnomalous, e.onsetDelayMs, e.edge, e.exposingEdges);
    for (const m of outcome.missed ?? []) observe(m.vmId, m.anomalyType, true, m.onsetDelayMs, m.edge, m.exposingEdges);
  }
  return { types, carriers, targets, vulnerability, uncarried };
}
