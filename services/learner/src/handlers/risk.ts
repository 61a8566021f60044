import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { IncidentLabeller } from '../incident-labeller.js';
import type { IncidentPredictionBook } from '../incident-predictions.js';

/** Consumes `risk`: remembers what each incident's assessments predicted; this instance will label the incident. */
export function riskConsumer(predictions: IncidentPredictionBook, labeller: IncidentLabeller, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'risk',
    ...(groupId === undefined ? {} : { groupId }),
    // Each key's state is its own (documents per key), so records of different keys may be handled at once.
    keyConcurrency: 32,
    // Folding keeps each incident's newest version and ignores any version not newer than the last one folded, and a
    // labelled incident's assessments: handling an assessment again changes nothing, so the runtime skips the
    // idempotency store (two calls per assessment).
    idempotentByItself: true,
    handle: async (assessment) => {
      const incident = await predictions.record(assessment);
      if (incident !== undefined) labeller.follow(incident);
    },
    // Under a backlog, a partition's waiting assessments (any incidents) are folded at once: one read, writes together.
    runScope: 'partition',
    handleRun: async (assessments) => {
      for (const incident of await predictions.recordMany(assessments)) if (incident !== undefined) labeller.follow(incident);
    },
  });
}
