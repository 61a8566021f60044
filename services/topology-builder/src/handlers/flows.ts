import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyIngest } from '../topology-ingest.js';
import { INGEST_RUN_LENGTH } from './inventory.js';

/** Consumes `flows`: flow windows into the fleet topology. */
export function flowsConsumer(ingest: TopologyIngest, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'flows',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event, context) => ingest.applyFlow(event, context.publish),
    // A partition's waiting flow windows are folded in order; the flush, when due, comes once after the run.
    runScope: 'partition',
    maxRunLength: INGEST_RUN_LENGTH,
    handleRun: (events, contexts) => ingest.applyFlowRun(events, contexts[contexts.length - 1].publish),
  });
}
