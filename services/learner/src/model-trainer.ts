import {
  createLearnerState, decidePublication, learnerStepDue, learnerWindow, parseModel, recordOutcome, serialiseModel, stepCandidate, trimLearnerState,
  type IncidentOutcome, type LearnerState, type ModelMetrics, type ModelParameters, type PublicationDecision, type TopologySnapshot,
} from '@foresight/core';
import type { ModelVersion } from '@foresight/contracts';
import type { Logger, Publish } from '@foresight/messaging';
import { isStoreError, MAX_DOCUMENT_LENGTH, type HasDocuments, type HasIdempotency } from '@foresight/stores';
import { LEARNER_DOCUMENTS, readDocument } from './learner-documents.js';
import type { LearnerMetrics } from './learner-metrics.js';
import type { LearnerSettings } from './learner-settings.js';
import { refitOffThread } from './window-refitter.js';

/** The learner's durable training state (one document, written only under the training claim). */
export interface TrainingDocument {
  readonly learner: LearnerState;
  /** Ids of judged incidents already taken in (bounded), so a re-listed outcome is not learned twice. */
  readonly ingested: readonly string[];
  /** `learner.recorded` at the last training attempt: a refused candidate is retried only after new evidence. */
  readonly lastAttemptRecorded: number;
}

const TRAINING_ID = 'state';
const CLAIM = 'learner:training';
const MAX_INGESTED_IDS = 5_000;
/** The training document is kept under this share of the store's document cap (room for the ids and the rest). */
const DOCUMENT_BUDGET_SHARE = 0.9;
/** Share of each list removed per trimming round when the document does not fit. */
const TRIM_SHARE = 0.1;

function metricsOf(prefix: string, m: ModelMetrics): Record<string, number> {
  return {
    [`${prefix}LogLoss`]: m.logLoss, [`${prefix}Brier`]: m.brier, [`${prefix}GrantUtility`]: m.grantUtility,
    ...(m.auprc === null ? {} : { [`${prefix}Auprc`]: m.auprc }),
  };
}

/**
 * Turns judged incidents into model versions. Only one instance trains at a time (a claim with a TTL): it takes
 * the judged outcomes into its LearnerState (training buffer, refit window, held-out ring), learns a candidate once
 * enough new incidents arrived (the new ones once, then the carriers refitted on the window toward the initial model),
 * and publishes it only if it scores no worse than the current model on the held-out incidents.
 */
export class ModelTrainer {
  /** Whether this instance has taken one full step (read the training document) since it started. */
  private steppedOnce = false;

  constructor(
    private readonly store: HasDocuments & HasIdempotency, private readonly settings: LearnerSettings, private readonly initialModel: ModelParameters,
    private readonly logger: Logger, private readonly metrics: LearnerMetrics,
    /** The topology the gate re-ranks held-out first assessments on (none: that check is not run). */
    private readonly topology: (now: number) => Promise<TopologySnapshot | undefined> = () => Promise.resolve(undefined),
  ) {}

  /** The current (last published) model version, or the initial model. */
  async currentModel(): Promise<ModelParameters> {
    const json = await this.store.documents.get(LEARNER_DOCUMENTS.model, this.settings.modelId);
    return json === undefined ? this.initialModel : parseModel(JSON.parse(json));
  }

  /** The persisted training state, or an empty one. */
  async trainingState(): Promise<TrainingDocument> {
    return (await readDocument<TrainingDocument>(this.store, LEARNER_DOCUMENTS.training, TRAINING_ID))
      ?? { learner: createLearnerState(), ingested: [], lastAttemptRecorded: 0 };
  }

  /** One training step at event time `now`; undefined when another instance holds the claim or nothing was tried. */
  async step(now: number, publish: Publish): Promise<PublicationDecision | undefined> {
    if (!(await this.store.idempotency.claim(CLAIM, this.settings.trainingClaimTtlMs))) return undefined;
    try {
      return await this.stepClaimed(now, publish);
    } finally {
      await this.store.idempotency.release(CLAIM);
    }
  }

  private async stepClaimed(now: number, publish: Publish): Promise<PublicationDecision | undefined> {
    // NOTE: the training document holds hundreds of outcomes (megabytes of JSON); without new judged incidents
    // nothing in it can change the decision this instance already took, so it is not read again every tick.
    const listed = await this.store.documents.list(LEARNER_DOCUMENTS.outcome);
    if (listed.length === 0 && this.steppedOnce) return undefined;
    this.steppedOnce = true;
    let doc = await this.ingest(await this.trainingState(), listed);
    const { learner } = doc;
    if (!learnerStepDue(learner, doc.lastAttemptRecorded, this.settings)) return undefined;
    const current = await this.currentModel();
    // core's learner step, as the evaluation runs it: the new incidents once, then the carriers refitted on the window
    // toward the initial model (here on a worker thread), then the publication gate on the held-out incidents.
    const { stepped, refit } = stepCandidate(current, learner, this.initialModel, now, this.settings);
    const started = performance.now();
    const candidate = refit === undefined ? stepped : await refitOffThread({ stepped, window: refit.window, options: refit.options });
    this.logger.info({ windowIncidents: learnerWindow(learner).length, refitMs: refit === undefined ? null : Math.round(performance.now() - started) }, 'candidate model learnt');
    const snapshot = await this.topology(now);
    const { decision, model: published, state: after } = decidePublication(candidate, current, learner, this.settings, snapshot === undefined ? {} : { snapshot, baseline: this.initialModel });
    this.metrics.modelDecision(decision.verdict);
    if (decision.publish) {
      const message: ModelVersion = {
        eventId: `model:${published.modelId}:${published.version}`, eventTime: now, modelId: published.modelId, version: published.version,
        parentVersion: published.parentVersion, parametersJson: serialiseModel(published),
        metrics: {
          ...metricsOf('heldOut', decision.candidate), ...metricsOf('current', decision.current),
          heldOutExamples: decision.candidate.examples, heldOutPositives: decision.candidate.positives, trainingIncidents: learner.training.length,
          ...(decision.ranking.difference === null ? {} : { heldOutAuprcDifference: decision.ranking.difference }),
          ...(decision.ranking.lower === null ? {} : { heldOutAuprcDifferenceLower: decision.ranking.lower }),
          ...(decision.ranking.upper === null ? {} : { heldOutAuprcDifferenceUpper: decision.ranking.upper }),
        },
      };
      // NOTE: publish first: a crash before the documents are written retrains and republishes the same version id
      // (consumers keep the first), rather than recording a version nobody received.
      await publish('model', [message]);
      await this.store.documents.put(LEARNER_DOCUMENTS.model, published.modelId, message.parametersJson);
      doc = { ...doc, learner: after };
      this.logger.info({ version: published.version, reason: decision.reason, heldOut: decision.candidate }, 'published a new model version');
    } else {
      this.logger.info({ candidateVersion: candidate.version, verdict: decision.verdict, reason: decision.reason }, 'candidate model refused; keeping the current version');
    }
    await this.persist({ ...doc, lastAttemptRecorded: learner.recorded });
    return decision;
  }

  /**
   * Writes the training document, bounded: while it is over its budget, or the store refuses it as too large, the
   * oldest tenth of each list is trimmed (counted in the metrics and logged) and it is tried again. A refusal never
   * escapes the step: after the last round the document is left unwritten and the state carries on in memory (an
   * unavailable store still throws, for the tick to retry).
   */
  private async persist(doc: TrainingDocument): Promise<TrainingDocument> {
    const budget = Math.floor((this.settings.trainingDocumentMaxLength ?? MAX_DOCUMENT_LENGTH) * DOCUMENT_BUDGET_SHARE);
    let current = doc;
    for (let round = 0; round < 30; round++) {
      const json = JSON.stringify(current);
      if (json.length <= budget) {
        try {
          await this.store.documents.put(LEARNER_DOCUMENTS.training, TRAINING_ID, json);
          return current;
        } catch (error) {
          if (!isStoreError(error, 'INVALID_INPUT')) throw error;
          this.metrics.storeRefused('training document');
          this.logger.warn({ length: json.length, err: String(error) }, 'store refused the training document; trimming it');
        }
      }
      const trimmed = trimLearnerState(current.learner, TRIM_SHARE);
      this.metrics.trainingStateTrimmed(trimmed.removed);
      this.logger.warn({ length: json.length, budget, removed: trimmed.removed }, 'training document over its budget: oldest outcomes trimmed');
      current = { ...current, learner: trimmed.state };
    }
    this.logger.error({ budget }, 'training document still does not fit after trimming; not persisted this step');
    return current;
  }

  // Takes the listed judged outcomes into the learner state, then removes them from the shared list.
  private async ingest(doc: TrainingDocument, listed: readonly { readonly id: string; readonly json: string }[]): Promise<TrainingDocument> {
    if (listed.length === 0) return doc;
    let learner = doc.learner;
    const ingested = [...doc.ingested];
    for (const { id, json } of listed) {
      if (ingested.includes(id)) continue;
      try {
        learner = recordOutcome(learner, JSON.parse(json) as IncidentOutcome, this.settings.state);
      } catch (error) {
        // NOTE: a malformed outcome would wedge every later step; it is dropped loudly instead.
        this.logger.error({ incidentId: id, err: String(error) }, 'judged outcome is malformed; dropped from training');
      }
      ingested.push(id);
    }
    const next = await this.persist({ ...doc, learner, ingested: ingested.slice(-MAX_INGESTED_IDS) });
    for (const { id } of listed) await this.store.documents.delete(LEARNER_DOCUMENTS.outcome, id);
    return next;
  }
}
