import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyView } from '../topology-view.js';

/**
 * Consumes `topology-changes` into the scorer's graph (no compile here: the next scoring recompiles when due).
 * Every instance needs every change, so this consumer has a group of its own per instance (a new one per process by
 * default, replaying the retained changes over the loaded graph: config.ts defaultInstanceId).
 * Idempotent by itself: the view is in memory, rebuilt at every start, and a change applied again (in partition order)
 * leaves the same graph; so no eventId is written to the idempotency store for a group that lives one process.
 */
export function topologyChangesConsumer(view: TopologyView, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'topology-changes',
    ...(groupId === undefined ? {} : { groupId }),
    idempotentByItself: true,
    handle: (change) => {
      view.apply(change);
      return Promise.resolve();
    },
  });
}
