import type { ModelParameters } from '../model/model-parameters.js';
import { carrierFor, featureVector, hopProbability, typeParameters } from '../model/transmission.js';
import { grantDecisionSamples, grantUtilityAt } from './grant-threshold.js';
import { resolveGrantUtility, type GrantUtilityOptions } from './learning-options.js';
import type { IncidentOutcome, InfectingEdge } from './outcome.js';
import { canonicalDirection, targetOffset } from './transmission-evidence.js';

/** How well a model predicts held-out outcomes. Probability metrics are 0 (and meaningless) when `examples` is 0. */
export interface ModelMetrics {
  /** Exposures scored: those whose likeliest infecting edge came from an affected parent. */
  readonly examples: number;
  readonly positives: number;
  /** Mean negative log-likelihood of the outcomes (lower is better). */
  readonly logLoss: number;
  /** Mean squared error of the probabilities (lower is better). */
  readonly brier: number;
  /** Area under the precision–recall curve (average precision); null without positives. */
  readonly auprc: number | null;
  /** Predicted exposures the grant decision is judged on. */
  readonly grantDecisions: number;
  /** Mean utility per predicted exposure of granting at the model's grantThreshold (higher is better). */
  readonly grantUtility: number;
}

/** Probabilities are clamped away from 0 and 1 so one confident miss costs a lot, not infinity. */
const LOG_LOSS_EPSILON = 1e-6;

/** The probability `model` gives the hop along `edge` into `vmId` (0 when the type does not travel that pathway). */
export function edgeProbability(model: ModelParameters, anomalyType: string, vmId: string, edge: InfectingEdge): number {
  const carrier = carrierFor(typeParameters(model, anomalyType), edge.kind, canonicalDirection(edge.kind, edge.direction));
  return carrier === undefined ? 0 : hopProbability(carrier, featureVector(edge.features), targetOffset(model, vmId));
}

/** Average precision: Σ over distinct score thresholds (descending) of Δrecall × precision; ties share one threshold. */
export function averagePrecision(scored: readonly { readonly p: number; readonly y: boolean }[]): number | null {
  const positives = scored.reduce((n, s) => n + (s.y ? 1 : 0), 0);
  if (positives === 0) return null;
  const sorted = [...scored].sort((a, b) => b.p - a.p);
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let previousRecall = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i];
    if (s === undefined) continue;
    if (s.y) tp++;
    else fp++;
    const next = sorted[i + 1];
    if (next !== undefined && next.p === s.p) continue;
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
  }
  return ap;
}

/** One held-out Bernoulli outcome under a model: its probability, what happened, and the incident it belongs to. */
export interface ScoredExposure {
  readonly p: number;
  readonly y: boolean;
  /** Index of its incident in the held-out list (the unit a paired bootstrap resamples). */
  readonly incident: number;
}

/**
 * Every exposure (and missed anomaly) with an edge from an affected parent, as a Bernoulli outcome whose probability is
 * recomputed under `model`, in a fixed order: two models' lists line up element by element.
 */
export function scoreHeldOut(model: ModelParameters, heldOut: readonly IncidentOutcome[]): ScoredExposure[] {
  const scored: ScoredExposure[] = [];
  heldOut.forEach((o, incident) => {
    for (const e of o.exposures) {
      if (e.edge?.parentAffected === true) scored.push({ p: edgeProbability(model, e.anomalyType, e.vmId, e.edge), y: e.becameAnomalous, incident });
    }
    for (const m of o.missed ?? []) {
      if (m.edge?.parentAffected === true) scored.push({ p: edgeProbability(model, m.anomalyType, m.vmId, m.edge), y: true, incident });
    }
  });
  return scored;
}

/**
 * Scores `model` on held-out outcomes (scoreHeldOut), so two models are compared on the same evidence.
 * Grant utility uses the recorded predicted probabilities against the model's grantThreshold.
 */
export function evaluateModel(model: ModelParameters, heldOut: readonly IncidentOutcome[], options: GrantUtilityOptions = {}): ModelMetrics {
  return metricsOf(model, heldOut, scoreHeldOut(model, heldOut), options);
}

/** The metrics of already scored held-out outcomes (evaluateModel without scoring twice). */
export function metricsOf(model: ModelParameters, heldOut: readonly IncidentOutcome[], scored: readonly ScoredExposure[], options: GrantUtilityOptions = {}): ModelMetrics {
  let logLoss = 0;
  let brier = 0;
  let positives = 0;
  for (const s of scored) {
    const q = Math.min(Math.max(s.p, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    logLoss -= s.y ? Math.log(q) : Math.log(1 - q);
    brier += (s.p - (s.y ? 1 : 0)) ** 2;
    if (s.y) positives++;
  }
  const n = scored.length;
  const samples = grantDecisionSamples(heldOut);
  const utility = resolveGrantUtility(options);
  return {
    examples: n,
    positives,
    logLoss: n === 0 ? 0 : logLoss / n,
    brier: n === 0 ? 0 : brier / n,
    auprc: averagePrecision(scored),
    grantDecisions: samples.length,
    grantUtility: samples.length === 0 ? 0 : grantUtilityAt(samples, model.grantThreshold, utility) / samples.length,
  };
}
