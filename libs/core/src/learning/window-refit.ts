import type { AnomalyTypeParameters, ModelParameters } from '../model/model-parameters.js';
import { learnFromOutcomes } from './learn-from-outcomes.js';
import type { IncidentOutcome } from './outcome.js';

/** How the learner and the evaluation learn between publications (docs/learning-model.md, "Windowed refit"). */
export const WINDOWED_LEARNING = Object.freeze({
  /** Recent training incidents the carriers are refitted on. */
  window: 400,
  /** L2 precision of the refit toward the starting model: weak, so a few hundred exposures can move the slopes. */
  refitL2: 0.1,
  /** Recent incidents whose recorded predictions the grant threshold is tuned on. */
  thresholdWindow: 50,
});

/** Options of refitOnWindow. */
export interface WindowRefitOptions {
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
 * The carriers of `stepped` refitted on a window of recent outcomes toward `prior` (core's remedy for the short memory
 * of sequential proximal updates): every carrier with evidence in the window is refitted jointly on all of it, with a
 * weak L2 toward the starting model. Everything else (version, vulnerability, thresholds, grant sizes, carriers without
 * evidence) is `stepped`'s: those are learnt incrementally from each batch once, never again from the window.
 */
export function refitOnWindow(stepped: ModelParameters, window: readonly IncidentOutcome[], options: WindowRefitOptions): ModelParameters {
  if (window.length === 0) return stepped;
  const refit = learnFromOutcomes(stepped, window, {
    at: options.at, prior: options.prior, l2: options.l2 ?? WINDOWED_LEARNING.refitL2, ...(options.typePooling === undefined ? {} : { typePooling: options.typePooling }),
  });
  const types: Record<string, AnomalyTypeParameters> = {};
  for (const [name, params] of Object.entries(refit.types)) types[name] = { ...params, grantSize: stepped.types[name]?.grantSize ?? params.grantSize };
  return { ...stepped, types };
}
