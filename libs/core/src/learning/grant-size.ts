import type { AnomalyTypeParameters } from '../model/model-parameters.js';
import { RESOURCE_KEYS, type Resources } from '../resources.js';
import type { ResolvedLearningOptions } from './learning-options.js';
import type { IncidentOutcome } from './outcome.js';
import { resolveLearningType } from './transmission-evidence.js';

/** How the grants of one anomaly type fared in a batch. */
export interface GrantSizeEvidence {
  /** Exposures with a grant in place and a known degradation. */
  readonly granted: number;
  /** Of those, how many degraded beyond the tolerance anyway. */
  readonly failed: number;
}

/** The multiplicative step for a type's grant size: grow when grants failed often enough, shrink when none failed. */
export function grantSizeFactor(evidence: GrantSizeEvidence, options: ResolvedLearningOptions): number {
  if (evidence.granted === 0) return 1;
  if (evidence.failed === 0) return 1 - options.grantShrinkStep;
  return evidence.failed / evidence.granted >= options.failureRateToGrow ? 1 + options.grantGrowStep : 1;
}

/** Scales the non-zero components of a grant, each kept within [min, max]; zero components stay zero. */
export function scaleGrant(size: Resources, factor: number, min: Resources, max: Resources): Resources {
  const out = { ...size };
  for (const key of RESOURCE_KEYS) {
    if (size[key] === 0) continue;
    out[key] = Math.min(Math.max(size[key] * factor, min[key]), max[key]);
  }
  return out;
}

/**
 * Per-type grant sizes after a batch. Evidence is every exposure with a grant in place and a known degradation (0 when
 * it never became anomalous): it failed when degradedMinutes > toleratedDegradationMinutes. Types without such evidence keep their size.
 */
export function learnGrantSizes(
  types: Record<string, AnomalyTypeParameters>,
  outcomes: readonly IncidentOutcome[],
  options: ResolvedLearningOptions,
): Record<string, AnomalyTypeParameters> {
  const next: Record<string, AnomalyTypeParameters> = { ...types };
  const evidence = new Map<string, { granted: number; failed: number }>();
  for (const o of outcomes) {
    for (const e of o.exposures) {
      // A VM that never became anomalous did not degrade; an anomalous one with unknown degradation is no evidence.
      const degraded = e.degradedMinutes ?? (e.becameAnomalous ? undefined : 0);
      if (!e.grantInPlace || degraded === undefined) continue;
      const type = resolveLearningType(next, e.anomalyType, options.maxTypes);
      const ev = evidence.get(type) ?? { granted: 0, failed: 0 };
      ev.granted++;
      if (degraded > options.toleratedDegradationMinutes) ev.failed++;
      evidence.set(type, ev);
    }
  }
  for (const [type, ev] of evidence) {
    const params = next[type];
    const factor = grantSizeFactor(ev, options);
    if (params === undefined || factor === 1) continue;
    next[type] = { ...params, grantSize: scaleGrant(params.grantSize, factor, options.grantMin, options.grantMax) };
  }
  return next;
}
