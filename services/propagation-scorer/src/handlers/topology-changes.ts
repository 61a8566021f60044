import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { TopologyView } from '../topology-view.js';

/**
 * Consumes `topology-changes` into the scorer's graph (no compile here: the next scoring recompiles when due).
 * Every instance needs every change, so this consumer has a group of its own per instance.
 */
export function topologyChangesConsumer(view: TopologyView, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'topology-changes',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (change) => {
      view.apply(change);
      return Promise.resolve();
    },
  });
}
