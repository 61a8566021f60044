import { WINDOWED_LEARNING, type LearnerStateOptions, type PublicationOptions } from '@foresight/core';

/** What the learner is configured with (read from the environment by config.ts, or given by the embedded mode). */
export interface LearnerSettings {
  /** The model it learns and publishes. */
  readonly modelId: string;
  /** New judged incidents needed before a training step is tried (again). */
  readonly minIncidentsPerStep: number;
  /** A listed VM counts as predicted at risk (precision, recall, lead time) from this probability on. */
  readonly predictionThreshold: number;
  /** Anomaly onsets older than this (event time, behind the newest one of their system) are forgotten. */
  readonly onsetRetentionMs: number;
  /** TTL of the training claim (wall clock); a crashed trainer's claim lapses after it. */
  readonly trainingClaimTtlMs: number;
  /** TTL of one incident's labelling claim (wall clock). */
  readonly labellingClaimTtlMs: number;
  /** Precision of the partial pooling of carrier updates across anomaly types (core `typePooling`; 0 = off). */
  readonly typePooling: number;
  /** The carriers are refitted on the window once it holds this many incidents (a step alone before). */
  readonly minRefitIncidents: number;
  readonly state: LearnerStateOptions;
  readonly publication: PublicationOptions;
}

/** Defaults: a step per 10 new incidents, every listed VM is a prediction, 6 h of onsets, 500 training / 400 window / 200 held-out incidents. */
export const DEFAULT_LEARNER_SETTINGS: LearnerSettings = Object.freeze({
  modelId: 'foresight',
  minIncidentsPerStep: 10,
  predictionThreshold: 0,
  onsetRetentionMs: 6 * 3_600_000,
  trainingClaimTtlMs: 60_000,
  labellingClaimTtlMs: 600_000,
  typePooling: 2,
  minRefitIncidents: WINDOWED_LEARNING.minRefitIncidents,
  state: { trainingCapacity: 500, heldOutCapacity: 200, heldOutEvery: 5, windowCapacity: WINDOWED_LEARNING.window },
  publication: {},
});
