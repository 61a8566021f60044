import { assertEventTimeBounds, type EventTimeBounds, type TopicName } from '@foresight/contracts';
import { consumerOf, type AnyConsumerDeclaration, type ConsumerDeclaration } from '@foresight/messaging';

/**
 * Wraps each consumer so that a message whose event time lies outside `bounds` around `now()` (the consumer's clock:
 * the wall clock in a live service) fails with EVENT_TIME_OUT_OF_BOUNDS before its handler sees it: the runtime
 * dead-letters it with the reason (field, value, bound) and goes on with the next record. A run (handleRun) holding
 * such a message fails as a whole, so the runtime hands its records over one by one and dead-letters only that one.
 */
export function boundEventTimes(consumers: readonly AnyConsumerDeclaration[], bounds: EventTimeBounds, now: () => number = Date.now): AnyConsumerDeclaration[] {
  if (bounds.maxFutureMs <= 0 && bounds.maxAgeMs <= 0) return [...consumers];
  return consumers.map((consumer) => {
    const declaration = consumer as ConsumerDeclaration<TopicName>;
    const { topic } = declaration;
    const handleRun = declaration.handleRun?.bind(declaration);
    return consumerOf<TopicName>({
      ...declaration,
      handle: async (message, context) => {
        assertEventTimeBounds(topic, message, now(), bounds);
        await declaration.handle(message, context);
      },
      ...(handleRun === undefined ? {} : {
        handleRun: async (messages, contexts) => {
          const at = now();
          for (const message of messages) assertEventTimeBounds(topic, message, at, bounds);
          await handleRun(messages, contexts);
        },
      }),
    });
  });
}
