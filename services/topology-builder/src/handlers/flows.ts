import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyIngest } from '../topology-ingest.js';

/** Consumes `flows`: flow windows into the fleet topology. */
export function flowsConsumer(ingest: TopologyIngest, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'flows',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event, context) => ingest.applyFlow(event, context.publish),
  });
}
