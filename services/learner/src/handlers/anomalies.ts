import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { AnomalyOnsets } from '../anomaly-onsets.js';

/** Consumes `anomalies`: VM (COMPONENT) anomaly onsets and resolutions, the ground truth of labelling. */
export function anomaliesConsumer(onsets: AnomalyOnsets, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'anomalies',
    ...(groupId === undefined ? {} : { groupId }),
    // Each key's state is its own (documents per key), so records of different keys may be handled at once.
    keyConcurrency: 32,
    handle: (event) => onsets.record(event),
    // Under a backlog, a system's waiting events are folded into its document at once: one read, one write.
    handleRun: (events) => onsets.recordMany(events),
  });
}
