import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { ActiveModel } from '../active-model.js';

/**
 * Consumes `model`: a newer published model replaces the active one (per instance: a group of its own). Idempotent by
 * itself: a version not newer than the active one is ignored, so a replay (a new group starts at the earliest offset)
 * changes nothing and needs no idempotency-store entries.
 */
export function modelConsumer(model: ActiveModel, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'model',
    ...(groupId === undefined ? {} : { groupId }),
    idempotentByItself: true,
    handle: async (event) => {
      await model.offer(event);
    },
  });
}
