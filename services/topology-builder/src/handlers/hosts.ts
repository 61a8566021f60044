import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyIngest } from '../topology-ingest.js';

/** Consumes `hosts`: host capacities into the fleet topology. */
export function hostsConsumer(ingest: TopologyIngest, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'hosts',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event, context) => ingest.applyHost(event, context.publish),
  });
}
