import type { PublicationVerdict } from '@foresight/core';

/** The learner's own instruments (per-message count, latency and lag come from the runtime's instrumentation). */
export interface LearnerMetrics {
  incidentLabelled(positives: number, predicted: number): void;
  /** One training step's verdict: PUBLISHED, or the gate's reason for refusing. */
  modelDecision(verdict: PublicationVerdict): void;
  /** Outcomes trimmed from the training state to keep its document within the store's cap. */
  trainingStateTrimmed(outcomes: number): void;
  /** A write the store refused (too large, invalid), by what was written. */
  storeRefused(what: string): void;
}

/** Metrics that go nowhere (tests, or when telemetry is off). */
export const NO_LEARNER_METRICS: LearnerMetrics = {
  incidentLabelled: () => undefined,
  modelDecision: () => undefined,
  trainingStateTrimmed: () => undefined,
  storeRefused: () => undefined,
};
