import type { ModelParameters } from '@foresight/core';
import type { Logger, Publish } from '@foresight/messaging';
import type { GraphStore, HasDocuments, HasIdempotency } from '@foresight/stores';
import type { AnomalyOnsets } from './anomaly-onsets.js';
import type { GrantRecords } from './grant-records.js';
import { incidentRecordOf } from './incident-history.js';
import type { IncidentPredictionBook, IncidentPredictions } from './incident-predictions.js';
import { LEARNER_DOCUMENTS, writeDocument } from './learner-documents.js';
import type { LearnerMetrics } from './learner-metrics.js';
import type { PathwayFeatureCatalog } from './pathway-features.js';
import { labelIncident } from './prediction-labelling.js';

/** What the labeller reads and writes. */
export interface IncidentLabellerDeps {
  readonly store: HasDocuments & HasIdempotency;
  readonly predictions: IncidentPredictionBook;
  readonly onsets: AnomalyOnsets;
  readonly grants: GrantRecords;
  readonly features: PathwayFeatureCatalog;
  /** Where labelled incidents are recorded as history (the scorer's vulnerability counts); none: not recorded. */
  readonly graphStore?: GraphStore;
  readonly labellingClaimTtlMs: number;
  readonly logger: Logger;
  readonly metrics: LearnerMetrics;
}

/**
 * Labels the incidents this instance follows (those whose risk messages it consumed, plus any unlabelled ones found
 * at start) once their horizon has passed: publishes the evaluation and leaves the judged outcome for the trainer.
 * A claim per incident makes sure one instance labels it, even when two found it at start.
 */
export class IncidentLabeller {
  /** Followed incidents by their first onset. */
  private readonly followed = new Map<string, number>();

  constructor(private readonly deps: IncidentLabellerDeps) {}

  /** Follows an incident (its onset may move earlier with a later version). */
  follow(incident: IncidentPredictions): void {
    this.followed.set(incident.incidentId, incident.onsetAt);
  }

  /** Follows every incident not labelled yet (start-up). */
  async followPending(): Promise<void> {
    for (const incident of await this.deps.predictions.all()) this.follow(incident);
  }

  /** Labels every followed incident whose horizon (of `model`, whose carriers find exposing edges) ended by `now`; the number labelled. */
  async labelDue(now: number, model: ModelParameters, publish: Publish): Promise<number> {
    const horizonMs = model.horizonMs;
    const due = [...this.followed].filter(([, onsetAt]) => onsetAt + horizonMs <= now).map(([id]) => id).sort();
    if (due.length === 0) return 0;
    const { featuresOf, exposures } = await this.deps.features.at(now);
    const exposing = exposures === undefined ? undefined : { index: exposures, model };
    let labelled = 0;
    for (const incidentId of due) {
      const claim = `learner:label:${incidentId}`;
      if (!(await this.deps.store.idempotency.claim(claim, this.deps.labellingClaimTtlMs))) continue;
      try {
        const incident = await this.deps.predictions.get(incidentId);
        if (incident === undefined || incident.onsetAt + horizonMs > now) {
          if (incident === undefined) this.followed.delete(incidentId);
          else this.follow(incident);
          await this.deps.store.idempotency.release(claim);
          continue;
        }
        const vmIds = Object.keys(incident.predictions);
        const grantAppliedAt = await this.deps.grants.appliedAtMany(incidentId, vmIds);
        const onsets = await this.deps.onsets.of(incident.systemId);
        const { outcome, evaluation } = labelIncident(incident, {
          onsets, horizonMs, grantAppliedAt, featuresOf, ...(exposing === undefined ? {} : { exposing }),
        });
        await writeDocument(this.deps.store, LEARNER_DOCUMENTS.outcome, incidentId, outcome);
        // NOTE: recording replaces the incident's picture, so a relabel after a crash writes the same record again.
        const history = this.deps.graphStore;
        if (history !== undefined) await history.recordIncident(incidentRecordOf(incident, outcome));
        await publish('evaluations', [{ eventId: `evaluation:${incidentId}`, eventTime: now, ...evaluation }]);
        await this.deps.grants.forgetMany(incidentId, vmIds);
        await this.deps.predictions.markLabelled(incidentId, now);
        this.followed.delete(incidentId);
        this.deps.metrics.incidentLabelled(evaluation.truePositives, evaluation.predicted);
        this.deps.logger.info({ incidentId, predicted: evaluation.predicted, affected: evaluation.affected, truePositives: evaluation.truePositives }, 'incident labelled');
        labelled++;
      } catch (error) {
        await this.deps.store.idempotency.release(claim);
        throw error;
      }
    }
    return labelled;
  }
}
