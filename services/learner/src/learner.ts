import { defaultModel, type ModelParameters, type PublicationDecision } from '@foresight/core';
import type { Logger, MessageBus } from '@foresight/messaging';
import type { ServiceShell } from '@foresight/service-kit';
import type { GraphStore, HasDocuments, HasIdempotency } from '@foresight/stores';
import { AnomalyOnsets } from './anomaly-onsets.js';
import { GrantRecords } from './grant-records.js';
import { allocationOutcomesConsumer } from './handlers/allocation-outcomes.js';
import { allocationsConsumer } from './handlers/allocations.js';
import { anomaliesConsumer } from './handlers/anomalies.js';
import { riskConsumer } from './handlers/risk.js';
import { IncidentLabeller } from './incident-labeller.js';
import { IncidentPredictionBook } from './incident-predictions.js';
import { NO_LEARNER_METRICS, type LearnerMetrics } from './learner-metrics.js';
import { DEFAULT_LEARNER_SETTINGS, type LearnerSettings } from './learner-settings.js';
import { ModelTrainer } from './model-trainer.js';
import { PathwayFeatureCatalog } from './pathway-features.js';

/** What the learner is built from. */
export interface LearnerDeps {
  readonly bus: MessageBus;
  /** Documents and labelling claims (one RedisStateStore or InMemoryStateStore in practice). */
  readonly stateStore: HasDocuments & HasIdempotency;
  /** Where infecting edges get their observed features; without it no carrier evidence is produced. */
  readonly graphStore?: GraphStore;
  readonly logger: Logger;
  readonly settings?: Partial<LearnerSettings>;
  /** The model before any version is published (default: the core's default model). */
  readonly model?: ModelParameters;
  /** Consumer group of its consumers (default: the bus's). */
  readonly groupId?: string;
  readonly metrics?: LearnerMetrics;
}

/** The learner, as every service looks (docs/services.md). */
export interface Learner extends ServiceShell {
  /** Finds the incidents not labelled yet; the training state is read from the store at every step. */
  start(): Promise<void>;
  /** Labels the incidents whose horizon passed by event time `now`, then tries a training step (under the claim). */
  tick(now: number): Promise<void>;
  /** The current model version as the learner sees it. */
  currentModel(): Promise<ModelParameters>;
  /** The last training decision this instance took, if any. */
  lastDecision(): PublicationDecision | undefined;
}

/**
 * Builds the learner: consumes anomalies, risk, allocations and allocation-outcomes; publishes an evaluation per
 * incident and new model versions that score no worse on held-out incidents. Shared facts (onsets, grants, judged
 * outcomes, the training state) live in stateStore.documents, so instances may split partitions.
 */
export function createLearner(deps: LearnerDeps): Learner {
  const settings: LearnerSettings = { ...DEFAULT_LEARNER_SETTINGS, ...deps.settings };
  const metrics = deps.metrics ?? NO_LEARNER_METRICS;
  const store = deps.stateStore;
  const onsets = new AnomalyOnsets(store, settings.onsetRetentionMs);
  const predictions = new IncidentPredictionBook(store, settings.predictionThreshold);
  const grants = new GrantRecords(store);
  const features = new PathwayFeatureCatalog(deps.graphStore);
  const labeller = new IncidentLabeller({
    store, predictions, onsets, grants, features, ...(deps.graphStore === undefined ? {} : { graphStore: deps.graphStore }),
    labellingClaimTtlMs: settings.labellingClaimTtlMs,
    logger: deps.logger, metrics,
  });
  const trainer = new ModelTrainer(store, settings, deps.model ?? defaultModel(settings.modelId), deps.logger, metrics, (now) => features.snapshotAt(now));
  const publish = deps.bus.publish.bind(deps.bus);
  let state: 'new' | 'started' | 'stopped' = 'new';
  let decision: PublicationDecision | undefined;
  return {
    consumers: [
      anomaliesConsumer(onsets, deps.groupId),
      riskConsumer(predictions, labeller, deps.groupId),
      allocationsConsumer(grants, deps.groupId),
      allocationOutcomesConsumer(grants, deps.groupId),
    ],
    async start() {
      await labeller.followPending();
      state = 'started';
    },
    async tick(now) {
      const model = await trainer.currentModel();
      await labeller.labelDue(now, model, publish);
      decision = (await trainer.step(now, publish)) ?? decision;
    },
    stop() {
      state = 'stopped';
      return Promise.resolve();
    },
    ready: () => state === 'started',
    currentModel: () => trainer.currentModel(),
    lastDecision: () => decision,
  };
}
