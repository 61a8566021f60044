import type { ModelParameters } from '../model/model-parameters.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { assessmentScores, pairAssessments } from './assessment-ranking.js';
import { grantDecisionSamples, grantUtilityAt } from './grant-threshold.js';
import { resolveGrantUtility, type GrantUtilityOptions } from './learning-options.js';
import { metricsOf, scoreHeldOut, type ModelMetrics, type ScoredExposure } from './model-evaluation.js';
import type { IncidentOutcome } from './outcome.js';
import { pairedAuprc, pairedBootstrap, type PairedAuprc, type PairedDifference } from './paired-auprc.js';

/** When a candidate model may replace the current one (docs/learning-model.md, "Publication"). */
export interface PublicationOptions extends GrantUtilityOptions {
  /** Held-out exposures needed before any candidate is published (default 20). */
  readonly minHeldOutExamples?: number;
  /** Held-out positives (exposures that became anomalous) needed before any candidate is published (default 10). */
  readonly minHeldOutPositives?: number;
  /**
   * Ranking: the candidate is refused when its held-out AUPRC is below the current one's by more than this (default
   * 0.01), or when the paired bootstrap finds it worse (the upper bound of the difference below 0).
   */
  readonly auprcTolerance?: number;
  /**
   * Grant utility (per predicted exposure, at each model's threshold): the candidate is refused when it is lower by
   * more than this (default 0.05, in units of a wasted grant's cost), or when the paired bootstrap finds it lower.
   */
  readonly grantUtilityTolerance?: number;
  /**
   * Calibration: the candidate is refused when its held-out log-loss or Brier score is higher by more than this share
   * of the current one's (default 0.01), or when the paired bootstrap finds it higher.
   */
  readonly calibrationTolerance?: number;
  /** Replicates of the paired bootstraps (default 200). */
  readonly bootstrapReplicates?: number;
}

/** Why a candidate was refused (a stable code, for metrics and for the `model` topic's readers), or that it was not. */
export type PublicationVerdict =
  | 'PUBLISHED' | 'OTHER_MODEL' | 'NOT_NEWER' | 'TOO_FEW_EXAMPLES' | 'TOO_FEW_POSITIVES' | 'WORSE_LOG_LOSS' | 'WORSE_BRIER'
  | 'WORSE_AUPRC' | 'WORSE_RANKING' | 'WORSE_THAN_BASELINE' | 'WORSE_GRANT_UTILITY';

/** What the gate may use beyond the held-out outcomes. */
export interface PublicationContext {
  /** The topology the scorer ranks on: with it, held-out first assessments are re-ranked under both models (WORSE_RANKING). */
  readonly snapshot?: TopologySnapshot;
  /**
   * The model learning started from (the frozen default): with a snapshot, a candidate must also not rank the held-out
   * first assessments worse than it (WORSE_THAN_BASELINE), so small losses within the tolerance cannot add up over
   * publications.
   */
  readonly baseline?: ModelParameters;
}

/** A publication verdict with its code, its reason in words, both models' held-out metrics and the paired ranking test. */
export interface PublicationDecision {
  readonly publish: boolean;
  readonly verdict: PublicationVerdict;
  readonly reason: string;
  readonly candidate: ModelMetrics;
  readonly current: ModelMetrics;
  readonly ranking: PairedAuprc;
  /** The paired difference in grant utility per predicted exposure (candidate − current). */
  readonly utility: PairedDifference;
  /** The paired differences in log-loss and Brier score per exposure (candidate − current; lower is better). */
  readonly logLoss: PairedDifference;
  readonly brier: PairedDifference;
  /** The paired difference in AUPRC of the held-out first assessments re-ranked on the topology (without one: not run). */
  readonly assessment: PairedDifference;
  /** The same against the baseline (the frozen default), when given. */
  readonly baseline: PairedDifference;
}

/**
 * pairedBootstrap of a ratio of sums over incidents: per incident `n` decisions and `d` the summed difference
 * (candidate − current); the statistic is Σd / Σn over the drawn incidents.
 */
function pairedMeanDifference(perIncident: readonly { readonly n: number; readonly d: number }[], options: PublicationOptions, seed: number): PairedDifference {
  return pairedBootstrap(perIncident.length, (draw) => {
    let n = 0;
    let d = 0;
    for (const i of draw) {
      const x = perIncident[i];
      if (x === undefined) continue;
      n += x.n;
      d += x.d;
    }
    return n === 0 ? null : d / n;
  }, { replicates: options.bootstrapReplicates ?? 200, seed });
}

/** pairedMeanDifference of a per-exposure loss (candidate − current) over the same scored exposures. */
function pairedLoss(
  candidate: readonly ScoredExposure[], current: readonly ScoredExposure[], incidents: number, loss: (s: ScoredExposure) => number, options: PublicationOptions, seed: number,
): PairedDifference {
  const perIncident = Array.from({ length: incidents }, () => ({ n: 0, d: 0 }));
  candidate.forEach((s, i) => {
    const x = perIncident[s.incident];
    const k = current[i];
    if (x === undefined || k === undefined) return;
    x.n++;
    x.d += loss(s) - loss(k);
  });
  return pairedMeanDifference(perIncident, options, seed);
}

const LOSS_EPSILON = 1e-6;

function logLossOf(s: ScoredExposure): number {
  const q = Math.min(Math.max(s.p, LOSS_EPSILON), 1 - LOSS_EPSILON);
  return s.y ? -Math.log(q) : -Math.log(1 - q);
}

function brierOf(s: ScoredExposure): number {
  return (s.p - (s.y ? 1 : 0)) ** 2;
}

/** Worse beyond the tolerance on the point estimate, or found worse by the paired bootstrap (lower is better). */
function higher(d: PairedDifference, tolerance: number): boolean {
  return d.difference !== null && (d.difference > tolerance || (d.lower !== null && d.lower > 0));
}

/** pairedMeanDifference of the grant utility per predicted exposure of two thresholds on the same recorded predictions. */
function pairedGrantUtility(candidate: ModelParameters, current: ModelParameters, heldOut: readonly IncidentOutcome[], options: PublicationOptions): PairedDifference {
  const weights = resolveGrantUtility(options);
  const perIncident = heldOut.map((o) => {
    const samples = grantDecisionSamples([o]);
    return { n: samples.length, d: grantUtilityAt(samples, candidate.grantThreshold, weights) - grantUtilityAt(samples, current.grantThreshold, weights) };
  });
  return pairedMeanDifference(perIncident, options, candidate.version + 1);
}

function round(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}

/**
 * Everything the gate compares that does not depend on the two models' thresholds: the held-out exposures scored
 * under both, the paired calibration and ranking differences, and the re-ranked first assessments. A candidate that
 * differs from another only in its thresholds shares it (decidePublication's retry with the current thresholds).
 */
export interface HeldOutComparison {
  readonly scoredCandidate: readonly ScoredExposure[];
  readonly scoredCurrent: readonly ScoredExposure[];
  readonly enough: boolean;
  readonly ranking: PairedDifference;
  readonly logLoss: PairedDifference;
  readonly brier: PairedDifference;
  readonly assessment: PairedDifference;
  readonly baseline: PairedDifference;
}

const NO_DIFFERENCE: PairedDifference = { difference: null, lower: null, upper: null, replicates: 0 };

/** The threshold-independent half of publicationDecision (each model's first assessments are scored once). */
export function compareOnHeldOut(
  candidate: ModelParameters, current: ModelParameters, heldOut: readonly IncidentOutcome[], options: PublicationOptions = {}, context: PublicationContext = {},
): HeldOutComparison {
  const scoredCandidate = scoreHeldOut(candidate, heldOut);
  const scoredCurrent = scoreHeldOut(current, heldOut);
  const examples = scoredCandidate.length;
  const positives = scoredCandidate.reduce((n, s) => n + (s.y ? 1 : 0), 0);
  const enough = examples >= (options.minHeldOutExamples ?? 20) && positives >= (options.minHeldOutPositives ?? 10);
  if (!enough) {
    return { scoredCandidate, scoredCurrent, enough, ranking: NO_DIFFERENCE, logLoss: NO_DIFFERENCE, brier: NO_DIFFERENCE, assessment: NO_DIFFERENCE, baseline: NO_DIFFERENCE };
  }
  const replicates = options.bootstrapReplicates ?? 200;
  let assessment = NO_DIFFERENCE;
  let baseline = NO_DIFFERENCE;
  if (context.snapshot !== undefined) {
    const ranked = assessmentScores(context.snapshot, candidate, heldOut);
    const paired = pairAssessments(heldOut, ranked, assessmentScores(context.snapshot, current, heldOut));
    assessment = pairedAuprc(paired.candidate, paired.current, paired.incidents, { replicates, seed: candidate.version + 4 });
    if (context.baseline !== undefined) {
      const against = pairAssessments(heldOut, ranked, assessmentScores(context.snapshot, context.baseline, heldOut));
      baseline = pairedAuprc(against.candidate, against.current, against.incidents, { replicates, seed: candidate.version + 5 });
    }
  }
  return {
    scoredCandidate, scoredCurrent, enough, assessment, baseline,
    ranking: pairedAuprc(scoredCandidate, scoredCurrent, heldOut.length, { replicates, seed: candidate.version }),
    logLoss: pairedLoss(scoredCandidate, scoredCurrent, heldOut.length, logLossOf, options, candidate.version + 2),
    brier: pairedLoss(scoredCandidate, scoredCurrent, heldOut.length, brierOf, options, candidate.version + 3),
  };
}

/**
 * Compares a candidate with the current model on the same held-out outcomes. It is published only if it is a later
 * version of the same model, the held-out set has enough exposures AND enough positives, and it is worse on none of:
 * log-loss and Brier (calibration: not higher by more than `calibrationTolerance` of the current value, nor found higher
 * by the paired bootstrap), ranking
 * (AUPRC: not lower by more than `auprcTolerance`, and not found worse by the paired incident-level bootstrap), and
 * with a topology (`context.snapshot`), the held-out first assessments re-ranked under both models from their origin
 * (WORSE_RANKING, the same AUPRC rule: the deployed scorer's ranking, not one hop from known-affected parents), and
 * grant utility at its own threshold (not lower by more than `grantUtilityTolerance`, nor found lower by the paired
 * bootstrap: a threshold tuned on recent incidents always differs a little on others, and a strict comparison refused
 * every candidate in the evaluation). `comparison` may be given when it was already computed for these models' carriers.
 */
export function publicationDecision(
  candidate: ModelParameters,
  current: ModelParameters,
  heldOut: readonly IncidentOutcome[],
  options: PublicationOptions = {},
  context: PublicationContext = {},
  comparison: HeldOutComparison = compareOnHeldOut(candidate, current, heldOut, options, context),
): PublicationDecision {
  const { enough, ranking, logLoss, brier, assessment, baseline } = comparison;
  const c = metricsOf(candidate, heldOut, comparison.scoredCandidate, options);
  const k = metricsOf(current, heldOut, comparison.scoredCurrent, options);
  const minExamples = options.minHeldOutExamples ?? 20;
  const minPositives = options.minHeldOutPositives ?? 10;
  const tolerance = options.auprcTolerance ?? 0.01;
  const utility = enough ? pairedGrantUtility(candidate, current, heldOut, options) : NO_DIFFERENCE;
  const calibration = options.calibrationTolerance ?? 0.01;
  const verdict = (code: PublicationVerdict, reason: string): PublicationDecision => ({
    publish: code === 'PUBLISHED', verdict: code, reason, candidate: c, current: k, ranking, utility, logLoss, brier, assessment, baseline,
  });
  if (candidate.modelId !== current.modelId) return verdict('OTHER_MODEL', `candidate is model ${candidate.modelId}, current is ${current.modelId}`);
  if (candidate.version <= current.version) return verdict('NOT_NEWER', `candidate version ${candidate.version} is not after current ${current.version}`);
  if (c.examples < minExamples) return verdict('TOO_FEW_EXAMPLES', `only ${c.examples} held-out exposures (need ${minExamples})`);
  if (c.positives < minPositives) return verdict('TOO_FEW_POSITIVES', `only ${c.positives} held-out positives (need ${minPositives})`);
  if (higher(logLoss, calibration * k.logLoss)) {
    return verdict('WORSE_LOG_LOSS', `held-out log-loss worse: ${round(c.logLoss)} vs ${round(k.logLoss)} (paired bootstrap of the difference [${round(logLoss.lower)}, ${round(logLoss.upper)}])`);
  }
  if (higher(brier, calibration * k.brier)) {
    return verdict('WORSE_BRIER', `held-out Brier score worse: ${round(c.brier)} vs ${round(k.brier)} (paired bootstrap of the difference [${round(brier.lower)}, ${round(brier.upper)}])`);
  }
  const d = ranking.difference;
  if (d !== null && (d < -tolerance || (ranking.upper !== null && ranking.upper < 0))) {
    return verdict('WORSE_AUPRC', `held-out AUPRC worse: ${round(c.auprc)} vs ${round(k.auprc)} (difference ${round(d)}, ${ranking.replicates}-replicate paired bootstrap [${round(ranking.lower)}, ${round(ranking.upper)}])`);
  }
  const a = assessment.difference;
  if (a !== null && (a < -tolerance || (assessment.upper !== null && assessment.upper < 0))) {
    return verdict('WORSE_RANKING', `held-out first assessments re-ranked on the topology: AUPRC difference ${round(a)} (paired bootstrap [${round(assessment.lower)}, ${round(assessment.upper)}])`);
  }
  const b = baseline.difference;
  if (b !== null && (b < 0 || (baseline.upper !== null && baseline.upper < 0))) {
    return verdict('WORSE_THAN_BASELINE', `held-out first assessments rank worse than the starting model's: AUPRC difference ${round(b)} (paired bootstrap [${round(baseline.lower)}, ${round(baseline.upper)}])`);
  }
  const u = utility.difference;
  if (u !== null && (u < -(options.grantUtilityTolerance ?? 0.05) || (utility.upper !== null && utility.upper < 0))) {
    return verdict('WORSE_GRANT_UTILITY', `held-out grant utility worse: ${round(c.grantUtility)} vs ${round(k.grantUtility)} per decision (paired bootstrap [${round(utility.lower)}, ${round(utility.upper)}])`);
  }
  return verdict('PUBLISHED', `not worse on ${c.examples} held-out exposures, ${c.positives} positives (log-loss ${round(c.logLoss)} vs ${round(k.logLoss)}, AUPRC difference ${round(d)} [${round(ranking.lower)}, ${round(ranking.upper)}])`);
}

/** True only when the candidate may be published: it never scores worse than the current model on held-out outcomes. */
export function shouldPublish(
  candidate: ModelParameters,
  current: ModelParameters,
  heldOut: readonly IncidentOutcome[],
  options: PublicationOptions = {},
): boolean {
  return publicationDecision(candidate, current, heldOut, options).publish;
}
