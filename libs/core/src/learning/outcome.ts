import { ForesightError } from '../errors.js';
import { assertPathwayFeatures, isPathwayKind, type Direction, type PathwayFeatures, type PathwayKind } from '../topology/pathway.js';

/**
 * The likeliest edge by which an exposed VM was (or would have been) infected. Only an edge whose parent was
 * itself affected carries evidence about transmission; `parentAffected: false` records are ignored by the learner.
 */
export interface InfectingEdge {
  readonly kind: PathwayKind;
  readonly direction: Direction;
  readonly features: PathwayFeatures;
  readonly parentAffected: boolean;
  /** The parent VM, when known (diagnostics only). */
  readonly parentVmId?: string;
  /** Onset of the parent relative to the incident onset (0 for a source); with the child's onset it gives one hop's delay. */
  readonly parentOnsetDelayMs?: number;
}

/** What happened to one VM the assessment predicted at risk, judged once the horizon has passed. */
export interface ExposureOutcome {
  readonly vmId: string;
  readonly anomalyType: string;
  /** The probability the assessment gave this VM (what the grant threshold was compared against). */
  readonly predictedProbability: number;
  /** Whether it became anomalous (with this type) within the horizon. */
  readonly becameAnomalous: boolean;
  /** Onset relative to the incident onset, when it became anomalous. */
  readonly onsetDelayMs?: number;
  /** Whether a grant was in place before onset (or, if never anomalous, during the horizon). */
  readonly grantInPlace: boolean;
  /** Minutes the VM was degraded within the horizon, when known (0 = a grant held it healthy). */
  readonly degradedMinutes?: number;
  /** The likeliest infecting edge; absent when the assessment could not attribute one. */
  readonly edge?: InfectingEdge;
  /**
   * Every edge from a parent affected before this VM (the likeliest one included), when known: the learner then fits
   * them jointly (noisy-or), instead of crediting the whole exposure to `edge`.
   */
  readonly exposingEdges?: readonly InfectingEdge[];
}

/** A VM that became anomalous within the horizon although the assessment did not list it. */
export interface MissedAnomaly {
  readonly vmId: string;
  readonly anomalyType: string;
  readonly onsetDelayMs: number;
  readonly degradedMinutes?: number;
  readonly edge?: InfectingEdge;
  /** As ExposureOutcome.exposingEdges. */
  readonly exposingEdges?: readonly InfectingEdge[];
}

/** One incident's assessment, judged once its horizon has passed. */
export interface IncidentOutcome {
  readonly incidentId: string;
  /** Event time (ms) of the incident's onset. */
  readonly onsetAt: number;
  /** The model version that made the prediction. */
  readonly modelVersion: number;
  readonly exposures: readonly ExposureOutcome[];
  readonly missed?: readonly MissedAnomaly[];
  /**
   * The incident's origin as the first assessment saw it, and its anomaly type: with a topology, the publication gate
   * re-ranks the first assessment under both models (absent in outcomes recorded before it existed).
   */
  readonly sources?: readonly { readonly vmId: string; readonly onsetAt: number }[];
  readonly anomalyType?: string;
}

function bad(path: string, message: string, cause?: unknown): ForesightError {
  return new ForesightError('INVALID_ARGUMENT', `outcome ${path}: ${message}`, cause === undefined ? {} : { cause });
}

function nonEmptyString(value: unknown, path: string): void {
  if (typeof value !== 'string' || value.length === 0) throw bad(path, `must be a non-empty string, got ${JSON.stringify(value)}`);
}

function finiteNonNegative(value: unknown, path: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(path, `must be a finite number ≥ 0, got ${String(value)}`);
}

function optionalFiniteNonNegative(value: unknown, path: string): void {
  if (value !== undefined) finiteNonNegative(value, path);
}

function boolean(value: unknown, path: string): void {
  if (typeof value !== 'boolean') throw bad(path, `must be a boolean, got ${String(value)}`);
}

function assertEdge(edge: InfectingEdge | undefined, path: string): void {
  if (edge === undefined) return;
  if (typeof edge !== 'object' || edge === null) throw bad(path, 'must be an object');
  if (!isPathwayKind(edge.kind)) throw bad(`${path}.kind`, `is not a pathway kind, got ${String(edge.kind)}`);
  if (edge.direction !== 'forward' && edge.direction !== 'reverse') throw bad(`${path}.direction`, `must be forward or reverse, got ${String(edge.direction)}`);
  boolean(edge.parentAffected, `${path}.parentAffected`);
  optionalFiniteNonNegative(edge.parentOnsetDelayMs, `${path}.parentOnsetDelayMs`);
  try {
    assertPathwayFeatures(edge.features, `${path}.features`);
  } catch (cause) {
    throw bad(`${path}.features`, (cause as Error).message, cause);
  }
}

function assertEdges(edges: readonly InfectingEdge[] | undefined, path: string): void {
  if (edges === undefined) return;
  const list: readonly (InfectingEdge | undefined)[] = edges;
  if (!Array.isArray(edges)) throw bad(path, 'must be an array');
  list.forEach((edge, i) => {
    if (edge === undefined) throw bad(`${path}[${i}]`, 'must be an object');
    assertEdge(edge, `${path}[${i}]`);
  });
}

/** Throws INVALID_ARGUMENT naming the path of the first malformed field (NaN probability, bad edge, ...). */
export function assertIncidentOutcome(outcome: IncidentOutcome): void {
  if (typeof outcome !== 'object' || outcome === null) throw bad('$', 'must be an object');
  nonEmptyString(outcome.incidentId, '$.incidentId');
  const at = `${outcome.incidentId}`;
  if (typeof outcome.onsetAt !== 'number' || !Number.isFinite(outcome.onsetAt)) throw bad(`${at}.onsetAt`, `must be a finite number, got ${String(outcome.onsetAt)}`);
  if (!Number.isSafeInteger(outcome.modelVersion) || outcome.modelVersion < 1) throw bad(`${at}.modelVersion`, `must be an integer ≥ 1, got ${String(outcome.modelVersion)}`);
  const exposures: readonly ExposureOutcome[] = outcome.exposures;
  if (!Array.isArray(outcome.exposures)) throw bad(`${at}.exposures`, 'must be an array');
  exposures.forEach((e, i) => {
    const path = `${at}.exposures[${i}]`;
    nonEmptyString(e.vmId, `${path}.vmId`);
    if (typeof e.anomalyType !== 'string') throw bad(`${path}.anomalyType`, 'must be a string');
    const p = e.predictedProbability;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) throw bad(`${path}.predictedProbability`, `must be in [0, 1], got ${String(p)}`);
    boolean(e.becameAnomalous, `${path}.becameAnomalous`);
    boolean(e.grantInPlace, `${path}.grantInPlace`);
    optionalFiniteNonNegative(e.onsetDelayMs, `${path}.onsetDelayMs`);
    optionalFiniteNonNegative(e.degradedMinutes, `${path}.degradedMinutes`);
    assertEdge(e.edge, `${path}.edge`);
    assertEdges(e.exposingEdges, `${path}.exposingEdges`);
  });
  const sources: readonly { vmId: string; onsetAt: number }[] | undefined = outcome.sources;
  if (sources !== undefined) {
    if (!Array.isArray(outcome.sources)) throw bad(`${at}.sources`, 'must be an array');
    sources.forEach((s, i) => {
      nonEmptyString(s.vmId, `${at}.sources[${i}].vmId`);
      if (typeof s.onsetAt !== 'number' || !Number.isFinite(s.onsetAt)) throw bad(`${at}.sources[${i}].onsetAt`, `must be a finite number, got ${String(s.onsetAt)}`);
    });
  }
  if (outcome.anomalyType !== undefined && typeof outcome.anomalyType !== 'string') throw bad(`${at}.anomalyType`, 'must be a string');
  const missed: readonly MissedAnomaly[] | undefined = outcome.missed;
  if (missed !== undefined) {
    if (!Array.isArray(outcome.missed)) throw bad(`${at}.missed`, 'must be an array');
    missed.forEach((m, i) => {
      const path = `${at}.missed[${i}]`;
      nonEmptyString(m.vmId, `${path}.vmId`);
      if (typeof m.anomalyType !== 'string') throw bad(`${path}.anomalyType`, 'must be a string');
      finiteNonNegative(m.onsetDelayMs, `${path}.onsetDelayMs`);
      optionalFiniteNonNegative(m.degradedMinutes, `${path}.degradedMinutes`);
      assertEdge(m.edge, `${path}.edge`);
      assertEdges(m.exposingEdges, `${path}.exposingEdges`);
    });
  }
}
