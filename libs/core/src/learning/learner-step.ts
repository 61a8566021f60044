import type { ModelParameters } from '../model/model-parameters.js';
import { learnerWindow, takeTrainingBatch, type LearnerState, type LearnerStateOptions } from './learner-state.js';
import { learnFromOutcomes } from './learn-from-outcomes.js';
import type { LearningOptions } from './learning-options.js';
import { compareOnHeldOut, publicationDecision, type PublicationContext, type PublicationDecision, type PublicationOptions } from './publication.js';
import { refitOnWindow, WINDOWED_LEARNING, type WindowRefitOptions } from './window-refit.js';

/**
 * How the learner steps, shared by the learner service and the evaluation, so a figure measured in one is a figure of
 * the other (docs/learning-model.md, "One learner step").
 */
export interface LearnerStepSettings {
  /** New judged incidents needed before a step is tried (again). */
  readonly minIncidentsPerStep: number;
  /** The carriers are refitted on the window once it holds this many incidents (the step alone before). */
  readonly minRefitIncidents: number;
  /** Core's partial pooling of carrier updates across types (0 = off). */
  readonly typePooling: number;
  /** The publication gate (its utility weights are also the threshold's). */
  readonly publication: PublicationOptions;
  /** Capacities of the training buffer, the refit window and the held-out ring. */
  readonly state: LearnerStateOptions;
  /** Learning rules' knobs beyond the defaults (docs/learning-model.md): the step's and the refit's. */
  readonly learning?: LearnerStepLearning;
}

/** The learning options a learner step may set (the rest come from the step itself). */
export type LearnerStepLearning = Partial<Pick<LearningOptions,
  'l2' | 'slopeConstraint' | 'delayPriorHops' | 'recallFloor' | 'vulnerabilityPriorStrength' | 'vulnerabilityForgetting'>> & {
  /** L2 precision of the window refit toward the starting model (default WINDOWED_LEARNING.refitL2). */
  readonly refitL2?: number;
};

/** The deployed defaults: a step per 10 new incidents, 500 training / 400 window / 200 held-out incidents, one in five held out. */
export const DEFAULT_LEARNER_STEP: LearnerStepSettings = Object.freeze({
  minIncidentsPerStep: 10,
  minRefitIncidents: WINDOWED_LEARNING.minRefitIncidents,
  typePooling: 2,
  publication: Object.freeze({}),
  state: Object.freeze({ trainingCapacity: 500, heldOutCapacity: 200, heldOutEvery: 5, windowCapacity: WINDOWED_LEARNING.window }),
});

/** Whether a step is due: training outcomes are waiting and enough incidents arrived since the last attempt. */
export function learnerStepDue(state: LearnerState, lastAttemptRecorded: number, settings: LearnerStepSettings): boolean {
  return state.training.length > 0 && state.recorded - lastAttemptRecorded >= settings.minIncidentsPerStep;
}

/** The first half of a step: the new incidents learned once, and the window refit to run next (absent: none is due). */
export interface SteppedCandidate {
  readonly stepped: ModelParameters;
  readonly refit?: { readonly window: LearnerState['training']; readonly options: WindowRefitOptions };
}

/**
 * The new incidents learned once (vulnerability, grant sizes, a proximal carrier step; the threshold on the last
 * incidents' predictions), and, once the window holds `minRefitIncidents`, the refit of the carriers on the window
 * toward `initial` that makes the candidate (refitOnWindow; the service runs it off its event loop).
 */
export function stepCandidate(current: ModelParameters, state: LearnerState, initial: ModelParameters, at: number, settings: LearnerStepSettings): SteppedCandidate {
  const window = learnerWindow(state);
  const recent = window.slice(-WINDOWED_LEARNING.thresholdWindow);
  const { usefulGrantBenefit, wastedGrantCost } = settings.publication;
  const { refitL2, ...learning } = settings.learning ?? {};
  const stepped = learnFromOutcomes(current, state.training, {
    ...learning, at, typePooling: settings.typePooling, ...(recent.length === 0 ? {} : { recentOutcomes: recent }),
    ...(usefulGrantBenefit === undefined ? {} : { usefulGrantBenefit }), ...(wastedGrantCost === undefined ? {} : { wastedGrantCost }),
  });
  // NOTE: below minRefitIncidents a refit on a handful of incidents toward the initial model would throw away what
  // published versions learnt: the step alone.
  if (window.length < settings.minRefitIncidents) return { stepped };
  // NOTE: the step's l2 is the proximal step's; the refit has its own (refitL2).
  const { l2: _stepL2, ...shared } = learning;
  return { stepped, refit: { window, options: { ...shared, at, prior: initial, typePooling: settings.typePooling, ...(refitL2 === undefined ? {} : { l2: refitL2 }) } } };
}

/**
 * The second half of a step: the gate's decision, the model that is current after it, and the state after it (the
 * training batch taken when published). A candidate refused only for its grant threshold is judged again with the
 * current thresholds, so better carriers are not thrown away with a threshold move the held-out incidents do not bear
 * out (the decision's reason says so).
 */
export function decidePublication(
  candidate: ModelParameters, current: ModelParameters, state: LearnerState, settings: LearnerStepSettings, context: PublicationContext = {},
): { readonly decision: PublicationDecision; readonly model: ModelParameters; readonly state: LearnerState } {
  // NOTE: only grant utility depends on the thresholds: the retry reuses everything else.
  const comparison = compareOnHeldOut(candidate, current, state.heldOut, settings.publication, context);
  let decision = publicationDecision(candidate, current, state.heldOut, settings.publication, context, comparison);
  let published = candidate;
  if (decision.verdict === 'WORSE_GRANT_UTILITY') {
    const kept = { ...candidate, grantThreshold: current.grantThreshold, releaseThreshold: current.releaseThreshold };
    const again = publicationDecision(kept, current, state.heldOut, settings.publication, context, comparison);
    if (again.publish) {
      decision = { ...again, reason: `${again.reason}; grant threshold kept at ${current.grantThreshold} (the candidate's ${candidate.grantThreshold.toFixed(4)}: ${decision.reason})` };
      published = kept;
    }
  }
  return { decision, model: decision.publish ? published : current, state: decision.publish ? takeTrainingBatch(state).state : state };
}

/** A whole step on this thread: what the evaluation runs, and what the service runs with the refit off-thread. */
export function learnerStep(
  current: ModelParameters, state: LearnerState, initial: ModelParameters, at: number, settings: LearnerStepSettings, context: PublicationContext = {},
): { readonly decision: PublicationDecision; readonly candidate: ModelParameters; readonly model: ModelParameters; readonly state: LearnerState } {
  const { stepped, refit } = stepCandidate(current, state, initial, at, settings);
  const candidate = refit === undefined ? stepped : refitOnWindow(stepped, refit.window, refit.options);
  return { ...decidePublication(candidate, current, state, settings, context), candidate };
}
