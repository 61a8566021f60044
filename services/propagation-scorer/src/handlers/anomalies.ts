import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { IncidentTracker } from '../incident-tracker.js';

/** Consumes `anomalies` (shared group: instances split the systems' partitions): evidence → incidents → risk. */
export function anomaliesConsumer(tracker: IncidentTracker, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'anomalies',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event, context) => tracker.onAnomaly(event, context.publish),
  });
}
