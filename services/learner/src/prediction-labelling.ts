import {
  labelIncident as labelWithCoreRule, type ExposureIndex, type IncidentOutcome, type LabellingInput, type ModelParameters, type ObservedOnset,
  type PathwayFeaturesLookup,
} from '@foresight/core';
import type { IncidentEvaluation } from '@foresight/contracts';
import type { SystemOnsets } from './anomaly-onsets.js';
import type { IncidentPredictions } from './incident-predictions.js';

/** Observed features of the pathway (source → target, kind), or undefined when the topology does not know it. */
export type PathwayFeaturesOf = PathwayFeaturesLookup;

/** What labelling one incident needs besides its predictions. */
export interface LabellingEvidence {
  readonly onsets: SystemOnsets | undefined;
  readonly horizonMs: number;
  /** When the grant of each VM was in place (absent: no grant, or never carried out). */
  readonly grantAppliedAt: ReadonlyMap<string, number>;
  readonly featuresOf: PathwayFeaturesOf;
  /** Where every exposing edge is found, under the model's carriers (absent: records carry only the likeliest edge). */
  readonly exposing?: { readonly index: ExposureIndex; readonly model: ModelParameters };
}

/** An incident, judged: the outcome the model learns from and the evaluation published for people. */
export interface LabelledIncident {
  readonly outcome: IncidentOutcome;
  readonly evaluation: Omit<IncidentEvaluation, 'eventId' | 'eventTime'>;
}

/** The core labelling input of an incident the learner followed: its folded assessments and the system's onsets. */
export function labellingInput(incident: IncidentPredictions, evidence: LabellingEvidence): LabellingInput {
  return {
    incident: {
      incidentId: incident.incidentId, anomalyType: incident.anomalyType, onsetAt: incident.onsetAt, modelVersion: incident.modelVersion,
      sources: new Map(Object.entries(incident.sources)),
    },
    predictions: Object.values(incident.predictions),
    horizonMs: evidence.horizonMs,
    onsets: new Map<string, readonly ObservedOnset[]>(Object.entries(evidence.onsets?.vms ?? {})),
    grantAppliedAt: evidence.grantAppliedAt,
    featuresOf: evidence.featuresOf,
    ...(evidence.exposing === undefined ? {} : { exposing: evidence.exposing }),
  };
}

/** Labels an incident whose horizon has passed, by core's labelIncident (the rule the evaluation measures). */
export function labelIncident(incident: IncidentPredictions, evidence: LabellingEvidence): LabelledIncident {
  const { outcome, summary } = labelWithCoreRule(labellingInput(incident, evidence));
  return { outcome, evaluation: { ...summary, leadTimesMs: [...summary.leadTimesMs] } };
}
