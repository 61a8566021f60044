import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyIngest } from '../topology-ingest.js';
import { INGEST_RUN_LENGTH } from './inventory.js';

/** Consumes `hosts`: host capacities into the fleet topology. */
export function hostsConsumer(ingest: TopologyIngest, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'hosts',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event, context) => ingest.applyHost(event, context.publish),
    // A partition's waiting host events are applied in order and written through once per run (as inventory).
    runScope: 'partition',
    maxRunLength: INGEST_RUN_LENGTH,
    handleRun: (events, contexts) => ingest.applyHostRun(events, contexts[contexts.length - 1].publish),
  });
}
