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
  readonly examples: TransmissionExample[];
  /** Observed delays of one hop (child onset − parent onset), for positives where both are known. */
  readonly hopDelaysMs: number[];
}

/** One exposure to an affected parent, for the vulnerability posterior of the target. */
export interface VulnerabilityObservation {
  readonly vmId: string;
  readonly affected: boolean;
  /** The carrier the exposure travelled (key into TransmissionEvidence.carriers) and its features; absent if uncarried. */
  readonly carrierKey?: string;
  readonly x?: Float64Array;
}

/** The transmission evidence of a batch, grouped per carrier, with the type table it was resolved against. */
export interface TransmissionEvidence {
  /** The model's types plus an entry (cloned from generic) for each new anomaly type given its own. */
  readonly types: Readonly<Record<string, AnomalyTypeParameters>>;
  readonly carriers: ReadonlyMap<string, CarrierEvidence>;
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

/**
 * Turns outcomes into per-carrier Bernoulli examples: y = became anomalous, x = featureVector(edge features), offset =
 * the target's vulnerability offset under `model`. Only exposures (and missed anomalies) whose likeliest infecting
 * edge came from an affected parent count; the rest carry no evidence about an edge.
 */
export function collectTransmissionEvidence(model: ModelParameters, outcomes: readonly IncidentOutcome[], maxTypes: number): TransmissionEvidence {
  const types: Record<string, AnomalyTypeParameters> = { ...model.types };
  const carriers = new Map<string, CarrierEvidence>();
  const vulnerability: VulnerabilityObservation[] = [];
  let uncarried = 0;

  const observe = (vmId: string, anomalyType: string, affected: boolean, onsetDelayMs: number | undefined, edge: InfectingEdge | undefined): void => {
    if (edge === undefined || !edge.parentAffected) return;
    const type = resolveLearningType(types, anomalyType, maxTypes);
    const direction = canonicalDirection(edge.kind, edge.direction);
    const params = types[type];
    if (params === undefined || carrierFor(params, edge.kind, direction) === undefined) {
      vulnerability.push({ vmId, affected });
      uncarried++;
      return;
    }
    const x = featureVector(edge.features);
    const key = carrierKey(type, edge.kind, direction);
    let evidence = carriers.get(key);
    if (evidence === undefined) {
      evidence = { anomalyType: type, kind: edge.kind, direction, examples: [], hopDelaysMs: [] };
      carriers.set(key, evidence);
    }
    evidence.examples.push({ x, y: affected ? 1 : 0, offset: targetOffset(model, vmId) });
    vulnerability.push({ vmId, affected, carrierKey: key, x });
    if (affected && onsetDelayMs !== undefined && edge.parentOnsetDelayMs !== undefined) {
      const hop = onsetDelayMs - edge.parentOnsetDelayMs;
      if (hop > 0) evidence.hopDelaysMs.push(hop);
    }
  };

  for (const outcome of outcomes) {
    for (const e of outcome.exposures) observe(e.vmId, e.anomalyType, e.becameAnomalous, e.onsetDelayMs, e.edge);
    for (const m of outcome.missed ?? []) observe(m.vmId, m.anomalyType, true, m.onsetDelayMs, m.edge);
  }
  return { types, carriers, vulnerability, uncarried };
}
