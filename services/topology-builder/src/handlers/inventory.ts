import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyIngest } from '../topology-ingest.js';

/** Consumes `inventory`: VM upserts and removals into the fleet topology. */
export function inventoryConsumer(ingest: TopologyIngest, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'inventory',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event, context) => ingest.applyInventory(event, context.publish),
  });
}
