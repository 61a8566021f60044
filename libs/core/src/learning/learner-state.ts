import { ForesightError } from '../errors.js';
import { assertIncidentOutcome, type IncidentOutcome } from './outcome.js';

/**
 * What the learner remembers between steps, as plain immutable data: outcomes not yet learned from, the window of
 * recent training outcomes the carriers are refitted on, and a bounded ring of held-out incidents the candidate and
 * current models are compared on. Memory is bounded by the capacities.
 */
export interface LearnerState {
  /** Outcomes waiting to be learned from, oldest first. */
  readonly training: readonly IncidentOutcome[];
  /**
   * The most recent training outcomes, learned from or not, oldest first (refitOnWindow). Absent in states written
   * before it existed: read it with learnerWindow().
   */
  readonly window?: readonly IncidentOutcome[];
  /** Held-out incidents, oldest first; never learned from while they are here. */
  readonly heldOut: readonly IncidentOutcome[];
  /** Outcomes accepted so far. */
  readonly recorded: number;
  /** Training outcomes discarded because the training buffer was full. */
  readonly dropped: number;
}

/** Capacities and the held-out split. */
export interface LearnerStateOptions {
  /** Held-out ring size in incidents (default 200). */
  readonly heldOutCapacity?: number;
  /** Training buffer size in incidents (default 1000); the oldest are dropped beyond it. */
  readonly trainingCapacity?: number;
  /** One incident in this many goes to the held-out ring (default 5). */
  readonly heldOutEvery?: number;
  /** Recent training outcomes kept for the windowed refit (default 400, as in the evaluation). */
  readonly windowCapacity?: number;
}

/** An empty learner state. */
export function createLearnerState(): LearnerState {
  return { training: [], window: [], heldOut: [], recorded: 0, dropped: 0 };
}

/** The state's refit window (empty for a state written before windows existed). */
export function learnerWindow(state: LearnerState): readonly IncidentOutcome[] {
  return state.window ?? [];
}

/** FNV-1a of the incident id: the split is stable across restarts and replicas. */
function incidentHash(incidentId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < incidentId.length; i++) {
    h ^= incidentId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ForesightError('INVALID_ARGUMENT', `learner option ${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

/** Whether an incident belongs to the held-out set (deterministic in its id). */
export function isHeldOutIncident(incidentId: string, heldOutEvery = 5): boolean {
  return incidentHash(incidentId) % positiveInteger(heldOutEvery, 'heldOutEvery') === 0;
}

/**
 * Records one judged incident. Redelivered incidents (same id already buffered) are ignored. A held-out incident
 * pushed out of the full ring joins the training buffer, so no evidence is wasted (but not the window).
 */
export function recordOutcome(state: LearnerState, outcome: IncidentOutcome, options: LearnerStateOptions = {}): LearnerState {
  assertIncidentOutcome(outcome);
  const heldOutCapacity = positiveInteger(options.heldOutCapacity ?? 200, 'heldOutCapacity');
  const trainingCapacity = positiveInteger(options.trainingCapacity ?? 1000, 'trainingCapacity');
  const windowCapacity = positiveInteger(options.windowCapacity ?? 400, 'windowCapacity');
  const id = outcome.incidentId;
  const window = learnerWindow(state);
  const known = (o: IncidentOutcome): boolean => o.incidentId === id;
  if (state.training.some(known) || state.heldOut.some(known) || window.some(known)) return state;

  let heldOut = state.heldOut;
  let training = state.training;
  let windowed = window;
  if (isHeldOutIncident(id, options.heldOutEvery ?? 5)) {
    heldOut = [...heldOut, outcome];
    if (heldOut.length > heldOutCapacity) {
      // Pushed out of the ring: into training (no evidence is wasted), not the window (old news, and its recorded
      // predictions came from an old model, which the threshold window must not see).
      training = [...training, ...heldOut.slice(0, heldOut.length - heldOutCapacity)];
      heldOut = heldOut.slice(heldOut.length - heldOutCapacity);
    }
  } else {
    training = [...training, outcome];
    windowed = [...window, outcome];
  }
  const overflow = Math.max(0, training.length - trainingCapacity);
  return {
    training: overflow > 0 ? training.slice(overflow) : training,
    window: windowed.length > windowCapacity ? windowed.slice(windowed.length - windowCapacity) : windowed,
    heldOut,
    recorded: state.recorded + 1,
    dropped: state.dropped + overflow,
  };
}

/** Takes the buffered training outcomes for one learning step, leaving the window and the held-out ring in place. */
export function takeTrainingBatch(state: LearnerState): { readonly batch: readonly IncidentOutcome[]; readonly state: LearnerState } {
  return { batch: state.training, state: { ...state, training: [] } };
}

/** What trimLearnerState removed. */
export interface LearnerStateTrim {
  readonly state: LearnerState;
  /** Outcomes removed from the training buffer, the window and the held-out ring. */
  readonly removed: number;
}

/**
 * The state with the oldest `share` (0, 1] of each of its lists removed (at least one outcome of each non-empty list):
 * the step a learner takes when its state no longer fits its store. The window and the training buffer lose their
 * oldest first; the held-out ring keeps its newest. Trimmed training outcomes count as dropped.
 */
export function trimLearnerState(state: LearnerState, share: number): LearnerStateTrim {
  if (!(share > 0 && share <= 1)) throw new ForesightError('INVALID_ARGUMENT', `trim share must be in (0, 1], got ${share}`);
  const cut = <T>(list: readonly T[]): readonly T[] => list.slice(list.length === 0 ? 0 : Math.max(1, Math.ceil(list.length * share)));
  const window = learnerWindow(state);
  const training = cut(state.training);
  const trimmedWindow = cut(window);
  const heldOut = cut(state.heldOut);
  const removed = state.training.length - training.length + (window.length - trimmedWindow.length) + (state.heldOut.length - heldOut.length);
  return { state: { ...state, training, window: trimmedWindow, heldOut, dropped: state.dropped + state.training.length - training.length }, removed };
}
