import { DEFAULT_LEARNER_STEP, DEFAULT_PREDICTION_THRESHOLD, type LearnerStepSettings } from '@foresight/core';

/** What the learner is configured with (read from the environment by config.ts, or given by the embedded mode). */
export interface LearnerSettings extends LearnerStepSettings {
  /** The model it learns and publishes. */
  readonly modelId: string;
  /** Largest training document written, in characters (default: the store's cap; the trainer keeps 10% below it). */
  readonly trainingDocumentMaxLength?: number;
  /** A listed VM counts as predicted at risk (precision, recall, lead time) from this probability on. */
  readonly predictionThreshold: number;
  /** Anomaly onsets older than this (event time, behind the newest one of their system) are forgotten. */
  readonly onsetRetentionMs: number;
  /** TTL of the training claim (wall clock); a crashed trainer's claim lapses after it. */
  readonly trainingClaimTtlMs: number;
  /** TTL of one incident's labelling claim (wall clock). */
  readonly labellingClaimTtlMs: number;
}

/** Defaults: core's learner step (DEFAULT_LEARNER_STEP), every listed VM is a prediction, 6 h of onsets. */
export const DEFAULT_LEARNER_SETTINGS: LearnerSettings = Object.freeze({
  ...DEFAULT_LEARNER_STEP,
  modelId: 'foresight',
  predictionThreshold: DEFAULT_PREDICTION_THRESHOLD,
  onsetRetentionMs: 6 * 3_600_000,
  trainingClaimTtlMs: 60_000,
  labellingClaimTtlMs: 600_000,
});
