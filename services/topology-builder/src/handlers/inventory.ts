import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyIngest } from '../topology-ingest.js';

/** Records of a partition handed to one handleRun at most: one store write and one publish for each run. */
export const INGEST_RUN_LENGTH = 512;

/** Consumes `inventory`: VM upserts and removals into the fleet topology. */
export function inventoryConsumer(ingest: TopologyIngest, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'inventory',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event, context) => ingest.applyInventory(event, context.publish),
    // Under a backlog (a fleet's initial inventory), a partition's waiting events (any VMs) are applied in order and
    // written through once: one graph-store write and one publish per run, done before the run is acknowledged.
    runScope: 'partition',
    maxRunLength: INGEST_RUN_LENGTH,
    handleRun: (events, contexts) => ingest.applyInventoryRun(events, contexts[contexts.length - 1].publish),
  });
}
