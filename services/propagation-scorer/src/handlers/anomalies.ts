import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { IncidentTracker } from '../incident-tracker.js';

/** Consumes `anomalies` (shared group: instances split the systems' partitions): evidence → incidents → risk. */
export function anomaliesConsumer(tracker: IncidentTracker, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'anomalies',
    ...(groupId === undefined ? {} : { groupId }),
    // Each key's state is its own (documents per key), so records of different keys may be handled at once.
    keyConcurrency: 32,
    handle: (event, context) => tracker.onAnomaly(event, context.publish),
    // Under a backlog, a system's waiting reports are handled as one run: read, re-score in memory, publish, store once.
    handleRun: (events, contexts) => tracker.onAnomalies(events, contexts[contexts.length - 1].publish),
  });
}
