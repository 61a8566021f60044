import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { ActiveModel } from '../active-model.js';

/** Consumes `model`: a newer published model replaces the active one (per instance: a group of its own). */
export function modelConsumer(model: ActiveModel, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'model',
    ...(groupId === undefined ? {} : { groupId }),
    handle: async (event) => {
      await model.offer(event);
    },
  });
}
