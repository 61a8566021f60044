import { consumerOf, type AnyConsumerDeclaration, type Logger } from '@foresight/messaging';
import type { CurrentModel } from '../current-model.js';

/** Consumes `model`: a newer version of the configured model sets thresholds and grant sizes from now on. */
export function modelConsumer(model: CurrentModel, logger: Logger, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'model',
    ...(groupId === undefined ? {} : { groupId }),
    handle: async (message) => {
      if (await model.offer(message)) logger.info({ modelId: message.modelId, version: message.version }, 'planning with a new model version');
    },
  });
}
