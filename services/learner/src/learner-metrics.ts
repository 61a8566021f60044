/** The learner's own instruments (per-message count, latency and lag come from the runtime's instrumentation). */
export interface LearnerMetrics {
  incidentLabelled(positives: number, predicted: number): void;
  modelDecision(published: boolean): void;
}

/** Metrics that go nowhere (tests, or when telemetry is off). */
export const NO_LEARNER_METRICS: LearnerMetrics = {
  incidentLabelled: () => undefined,
  modelDecision: () => undefined,
};
