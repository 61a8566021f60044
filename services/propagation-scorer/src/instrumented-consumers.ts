import type { TopicName } from '@foresight/contracts';
import { consumerOf, type AnyConsumerDeclaration, type ConsumerDeclaration } from '@foresight/messaging';
import type { ServiceInstruments } from '@foresight/service-kit';

/**
 * Wraps each consumer's handler to count the message and record its latency (foresight.messages.processed,
 * foresight.handler.duration) by topic and outcome; errors are rethrown untouched for the runtime to classify.
 */
export function instrumentConsumers(consumers: readonly AnyConsumerDeclaration[], instruments: ServiceInstruments): AnyConsumerDeclaration[] {
  return consumers.map((consumer) => {
    const declaration = consumer as ConsumerDeclaration<TopicName>;
    return consumerOf<TopicName>({
      ...declaration,
      handle: async (message, context) => {
        const started = performance.now();
        let outcome = 'ok';
        try {
          await declaration.handle(message, context);
        } catch (error) {
          outcome = 'error';
          throw error;
        } finally {
          instruments.recordHandled({ topic: declaration.topic, outcome }, performance.now() - started);
        }
      },
    });
  });
}
