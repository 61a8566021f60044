import type { TopicName } from '@foresight/contracts';
import { consumerOf, type AnyConsumerDeclaration, type ConsumerDeclaration } from './message-bus.js';

/** Where handled messages are recorded (service-kit's ServiceInstruments fits). */
export interface HandlerRecorder {
  recordHandled(attributes: { readonly topic: string; readonly outcome: string }, durationMs: number): void;
}

/**
 * Wraps each consumer's handler to record the message and its latency by topic and outcome ('ok' | 'error');
 * errors are rethrown untouched for the runtime to classify.
 */
export function instrumentConsumers(consumers: readonly AnyConsumerDeclaration[], recorder: HandlerRecorder): AnyConsumerDeclaration[] {
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
          recorder.recordHandled({ topic: declaration.topic, outcome }, performance.now() - started);
        }
      },
    });
  });
}
