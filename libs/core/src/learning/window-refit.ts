import { GENERIC_ANOMALY_TYPE } from '../model/anomaly-type.js';
import type { AnomalyTypeParameters, ModelParameters } from '../model/model-parameters.js';
import { learnFromOutcomes } from './learn-from-outcomes.js';
import type { LearningOptions } from './learning-options.js';
import type { IncidentOutcome } from './outcome.js';

/** How the learner and the evaluation learn between publications (docs/learning-model.md, "Windowed refit"). */
export const WINDOWED_LEARNING = Object.freeze({
  /** Recent training incidents the carriers are refitted on. */
  window: 400,
  /** L2 precision of the refit toward the starting model: weak, so a few hundred exposures can move the slopes. */
  refitL2: 0.1,
  /** Recent incidents whose recorded predictions the grant threshold is tuned on. */
  thresholdWindow: 50,
  /** The learner service refits once its window holds this many incidents (a step alone before). */
  minRefitIncidents: 50,
});

/** Options of refitOnWindow. */
export interface WindowRefitOptions extends Partial<Pick<LearningOptions, 'slopeConstraint' | 'delayPriorHops' | 'recallFloor' | 'vulnerabilityPriorStrength' | 'vulnerabilityForgetting'>> {
  /** Event time of the step (the new version's createdAt comes from the stepped model). */
  readonly at: number;
  /** The model learning started from (the anchor of every refit, so evidence is not counted twice). */
  readonly prior: ModelParameters;
  /** Default WINDOWED_LEARNING.refitL2. */
  readonly l2?: number;
  /** Core's partial pooling of carrier updates across types (default 2). */
  readonly typePooling?: number;
}

/**
 * The starting model with an entry for every type `stepped` learned since (cloned from its generic entry, as learning
 * clones new types), so that no refit is anchored to the previous refit.
 */
function anchoredPrior(prior: ModelParameters, stepped: ModelParameters): ModelParameters {
  const generic = prior.types[GENERIC_ANOMALY_TYPE];
  const missing = Object.keys(stepped.types).filter((name) => !Object.hasOwn(prior.types, name));
  if (missing.length === 0 || generic === undefined) return prior;
  return { ...prior, types: { ...prior.types, ...Object.fromEntries(missing.map((name) => [name, generic])) } };
}

/**
 * The carriers of `stepped` refitted on a window of recent outcomes toward `prior` (core's remedy for the short memory
 * of sequential proximal updates): every carrier with evidence in the window is refitted jointly on all of it, with a
 * weak L2 toward the starting model (types it lacks: toward its generic entry). Everything else (version, vulnerability,
 * thresholds, grant sizes, carriers without evidence) is `stepped`'s: those are learnt incrementally from each batch
 * once. Delays are re-estimated from the window's hops (robust median); the refit's fixed offsets are `stepped`'s
 * vulnerability. Carriers forget incidents older than the window.
 */
export function refitOnWindow(stepped: ModelParameters, window: readonly IncidentOutcome[], options: WindowRefitOptions): ModelParameters {
  if (window.length === 0) return stepped;
  const { at, prior, l2, typePooling: _pooling, ...rest } = options;
  const refit = learnFromOutcomes(stepped, window, {
    ...rest, at, prior: anchoredPrior(prior, stepped), l2: l2 ?? WINDOWED_LEARNING.refitL2,
    ...(options.typePooling === undefined ? {} : { typePooling: options.typePooling }),
  });
  const types: Record<string, AnomalyTypeParameters> = {};
  for (const [name, params] of Object.entries(refit.types)) types[name] = { ...params, grantSize: stepped.types[name]?.grantSize ?? params.grantSize };
  return { ...stepped, types };
}
