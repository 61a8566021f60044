import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { AnomalyOnsets } from '../anomaly-onsets.js';
import { withStore } from '../store-failure.js';

/** Consumes `anomalies`: VM (COMPONENT) anomaly onsets and resolutions, the ground truth of labelling. */
export function anomaliesConsumer(onsets: AnomalyOnsets, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'anomalies',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event) => withStore('anomalies', () => onsets.record(event)),
  });
}
