import { ForesightError } from '../errors.js';
import type { ModelParameters } from '../model/model-parameters.js';
import { RESOURCE_KEYS, type Resources } from '../resources.js';
import type { IncidentOutcome } from './outcome.js';
import type { VulnerabilityEvidence } from './vulnerability-learning.js';

/** How a utility trades a useful grant against a wasted one (shared by learning and evaluation). */
export interface GrantUtilityOptions {
  /** Utility of a grant to a VM that then became anomalous (default 3). */
  readonly usefulGrantBenefit?: number;
  /** Cost of a grant to a VM that never became anomalous (default 1). */
  readonly wastedGrantCost?: number;
}

/** Knobs of learnFromOutcomes; every rule is stated in docs/learning-model.md. */
export interface LearningOptions extends GrantUtilityOptions {
  /** Event time (ms) of this learning step: becomes the new version's createdAt. */
  readonly at: number;
  /** Carrier weights are L2-regularised toward this model's (default: the input model: a sequential proximal update). */
  readonly prior?: ModelParameters;
  /** L2 precision toward the prior weights, per coefficient (default 2). */
  readonly l2?: number;
  /**
   * Partial pooling across anomaly types: precision, per coefficient, of the prior pulling each carrier refitted in a
   * batch toward the mean of the batch's carriers of the same pathway kind and direction (default 2; 0 = off).
   */
  readonly typePooling?: number;
  /** Newton (IRLS) iterations per carrier per batch (default 25). */
  readonly maxNewtonSteps?: number;
  /** EM iterations of the joint (noisy-or) fit when exposures have several edges (default 50). */
  readonly maxEmIterations?: number;
  /** Learned weights are clamped to ±this (default 12). */
  readonly maxAbsWeight?: number;
  /**
   * Sign constraint on the feature slopes (default `non-negative`: more bandwidth, calls, latency or errors on a pathway
   * never make it carry less; docs/learning-model.md, "Constraints"). `none` lets slopes take either sign.
   */
  readonly slopeConstraint?: SlopeConstraint;
  /** Pseudo-hops of the prior's delay when a batch's hop delays are pooled with it (default 10; 0 = the batch alone). */
  readonly delayPriorHops?: number;
  /**
   * The grant threshold never exceeds the probability at which the recent predictions would have caught this share of
   * their VMs that became anomalous (default 0.5), so it cannot drift to "grant nothing" (docs/learning-model.md).
   */
  readonly recallFloor?: number;
  /** The recall floor may take the threshold below thresholdBounds.min, never below this (default 0.01). */
  readonly thresholdFloor?: number;
  /** Weight of one observed hop delay in the exponentially weighted mean delay (default 0.05). */
  readonly delayLearningRate?: number;
  /** One batch moves a carrier's delayMs by at most this factor either way (default 2). */
  readonly maxDelayStepFactor?: number;
  /** Delays are kept within [minDelayMs, model.horizonMs] (default 1000). */
  readonly minDelayMs?: number;
  /** Per-observation decay of a VM's Beta evidence toward the prior (1 = never forget; default 0.98). */
  readonly vulnerabilityForgetting?: number;
  /** How an exposure counts toward a VM's vulnerability (default `odds-ratio`; see vulnerability-learning.ts). */
  readonly vulnerabilityEvidence?: VulnerabilityEvidence;
  /** Prior strength of the `odds-ratio` rule, in pseudo-observations at odds ratio 1 (default 1). */
  readonly vulnerabilityPriorStrength?: number;
  /** Outcomes the grant threshold is optimised over (default: this batch). */
  readonly recentOutcomes?: readonly IncidentOutcome[];
  /** Largest move of grantThreshold per learning step (default 0.05). */
  readonly thresholdStep?: number;
  /** grantThreshold stays within [min, max] (default [0.05, 0.9]). */
  readonly thresholdBounds?: { readonly min: number; readonly max: number };
  /** releaseThreshold = grantThreshold × this (default 0.5). */
  readonly hysteresisRatio?: number;
  /** Predicted exposures needed before the threshold moves at all (default 10). */
  readonly minThresholdEvidence?: number;
  /** Multiplicative growth of a type's grant size when grants failed (default 0.25 → ×1.25). */
  readonly grantGrowStep?: number;
  /** Multiplicative shrink of a type's grant size when every grant held (default 0.05 → ×0.95). */
  readonly grantShrinkStep?: number;
  /** Share of granted exposures that degraded anyway from which the grant grows (default 0.2). */
  readonly failureRateToGrow?: number;
  /** Degradation up to this many minutes under a grant still counts as held (default 1). */
  readonly toleratedDegradationMinutes?: number;
  /** Non-zero grant components stay within [min, max] per resource. */
  readonly grantBounds?: { readonly min: Resources; readonly max: Resources };
  /** New anomaly types get their own entry (cloned from generic) until the model holds this many types (default 64). */
  readonly maxTypes?: number;
}

/** Which signs the feature slopes may take. */
export type SlopeConstraint = 'non-negative' | 'none';

/** LearningOptions with every default filled in and validated. */
export interface ResolvedLearningOptions {
  readonly at: number;
  readonly prior: ModelParameters | undefined;
  readonly l2: number;
  readonly typePooling: number;
  readonly maxNewtonSteps: number;
  readonly maxEmIterations: number;
  readonly maxAbsWeight: number;
  readonly slopeConstraint: SlopeConstraint;
  readonly delayPriorHops: number;
  readonly recallFloor: number;
  readonly thresholdFloor: number;
  readonly delayLearningRate: number;
  readonly maxDelayStepFactor: number;
  readonly minDelayMs: number;
  readonly vulnerabilityForgetting: number;
  readonly vulnerabilityEvidence: VulnerabilityEvidence;
  readonly vulnerabilityPriorStrength: number;
  readonly recentOutcomes: readonly IncidentOutcome[] | undefined;
  readonly usefulGrantBenefit: number;
  readonly wastedGrantCost: number;
  readonly thresholdStep: number;
  readonly thresholdMin: number;
  readonly thresholdMax: number;
  readonly hysteresisRatio: number;
  readonly minThresholdEvidence: number;
  readonly grantGrowStep: number;
  readonly grantShrinkStep: number;
  readonly failureRateToGrow: number;
  readonly toleratedDegradationMinutes: number;
  readonly grantMin: Resources;
  readonly grantMax: Resources;
  readonly maxTypes: number;
}

const DEFAULT_GRANT_MIN: Resources = { cpuMillis: 50, memoryMiB: 64, networkMbps: 5 };
const DEFAULT_GRANT_MAX: Resources = { cpuMillis: 8000, memoryMiB: 16384, networkMbps: 2000 };

function check(ok: boolean, name: string, value: unknown, rule: string): void {
  if (!ok) throw new ForesightError('INVALID_ARGUMENT', `learning option ${name} must be ${rule}, got ${String(value)}`);
}

function inRange(value: number, name: string, lo: number, hi: number, loOpen = false, hiOpen = false): number {
  const ok = Number.isFinite(value) && (loOpen ? value > lo : value >= lo) && (hiOpen ? value < hi : value <= hi);
  check(ok, name, value, `in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`);
  return value;
}

function vulnerabilityEvidence(value: VulnerabilityEvidence | undefined): VulnerabilityEvidence {
  const v = value ?? 'odds-ratio';
  check(v === 'odds-ratio' || v === 'residual' || v === 'counts', 'vulnerabilityEvidence', v, "'odds-ratio', 'residual' or 'counts'");
  return v;
}

function slopeConstraint(value: SlopeConstraint | undefined): SlopeConstraint {
  const v = value ?? 'non-negative';
  check(v === 'non-negative' || v === 'none', 'slopeConstraint', v, "'non-negative' or 'none'");
  return v;
}

/** The utility weights with defaults, validated (both > 0). */
export function resolveGrantUtility(options: GrantUtilityOptions = {}): { readonly usefulGrantBenefit: number; readonly wastedGrantCost: number } {
  return {
    usefulGrantBenefit: inRange(options.usefulGrantBenefit ?? 3, 'usefulGrantBenefit', 0, Number.MAX_VALUE, true),
    wastedGrantCost: inRange(options.wastedGrantCost ?? 1, 'wastedGrantCost', 0, Number.MAX_VALUE, true),
  };
}

/** Fills in defaults and throws INVALID_ARGUMENT naming the first out-of-range option. */
export function resolveLearningOptions(options: LearningOptions): ResolvedLearningOptions {
  check(typeof options.at === 'number' && Number.isFinite(options.at), 'at', options.at, 'a finite event time');
  const thresholdMin = inRange(options.thresholdBounds?.min ?? 0.05, 'thresholdBounds.min', 0, 1, true, true);
  const thresholdMax = inRange(options.thresholdBounds?.max ?? 0.9, 'thresholdBounds.max', thresholdMin, 1, false, true);
  const grantMin = options.grantBounds?.min ?? DEFAULT_GRANT_MIN;
  const grantMax = options.grantBounds?.max ?? DEFAULT_GRANT_MAX;
  for (const key of RESOURCE_KEYS) {
    inRange(grantMin[key], `grantBounds.min.${key}`, 0, Number.MAX_VALUE);
    inRange(grantMax[key], `grantBounds.max.${key}`, grantMin[key], Number.MAX_VALUE);
  }
  return {
    at: options.at,
    prior: options.prior,
    l2: inRange(options.l2 ?? 2, 'l2', 0, 1e6, true),
    typePooling: inRange(options.typePooling ?? 2, 'typePooling', 0, 1e6),
    maxNewtonSteps: inRange(options.maxNewtonSteps ?? 25, 'maxNewtonSteps', 1, 1000),
    maxEmIterations: inRange(options.maxEmIterations ?? 50, 'maxEmIterations', 1, 10_000),
    maxAbsWeight: inRange(options.maxAbsWeight ?? 12, 'maxAbsWeight', 0, 1e3, true),
    slopeConstraint: slopeConstraint(options.slopeConstraint),
    delayPriorHops: inRange(options.delayPriorHops ?? 10, 'delayPriorHops', 0, 1e6),
    recallFloor: inRange(options.recallFloor ?? 0.5, 'recallFloor', 0, 1),
    thresholdFloor: inRange(options.thresholdFloor ?? 0.01, 'thresholdFloor', 0, thresholdMin),
    delayLearningRate: inRange(options.delayLearningRate ?? 0.05, 'delayLearningRate', 0, 1),
    maxDelayStepFactor: inRange(options.maxDelayStepFactor ?? 2, 'maxDelayStepFactor', 1, 1e3),
    minDelayMs: inRange(options.minDelayMs ?? 1000, 'minDelayMs', 0, Number.MAX_VALUE, true),
    vulnerabilityForgetting: inRange(options.vulnerabilityForgetting ?? 0.98, 'vulnerabilityForgetting', 0, 1, true),
    vulnerabilityEvidence: vulnerabilityEvidence(options.vulnerabilityEvidence),
    vulnerabilityPriorStrength: inRange(options.vulnerabilityPriorStrength ?? 1, 'vulnerabilityPriorStrength', 0, 1e6, true),
    recentOutcomes: options.recentOutcomes,
    ...resolveGrantUtility(options),
    thresholdStep: inRange(options.thresholdStep ?? 0.05, 'thresholdStep', 0, 1),
    thresholdMin,
    thresholdMax,
    hysteresisRatio: inRange(options.hysteresisRatio ?? 0.5, 'hysteresisRatio', 0, 1, true, true),
    minThresholdEvidence: inRange(options.minThresholdEvidence ?? 10, 'minThresholdEvidence', 1, Number.MAX_SAFE_INTEGER),
    grantGrowStep: inRange(options.grantGrowStep ?? 0.25, 'grantGrowStep', 0, 10),
    grantShrinkStep: inRange(options.grantShrinkStep ?? 0.05, 'grantShrinkStep', 0, 1, false, true),
    failureRateToGrow: inRange(options.failureRateToGrow ?? 0.2, 'failureRateToGrow', 0, 1, true),
    toleratedDegradationMinutes: inRange(options.toleratedDegradationMinutes ?? 1, 'toleratedDegradationMinutes', 0, Number.MAX_VALUE),
    grantMin,
    grantMax,
    maxTypes: inRange(options.maxTypes ?? 64, 'maxTypes', 1, 10_000),
  };
}
