import type { TopicName } from '@foresight/contracts';
import { consumerOf, type AnyConsumerDeclaration, type ConsumerDeclaration } from './message-bus.js';

/** Where handled messages are recorded (service-kit's ServiceInstruments fits). */
export interface HandlerRecorder {
  /** Records `count` messages (default 1) handled in `durationMs` each (a run's messages were in the handler together). */
  recordHandled(attributes: { readonly topic: string; readonly outcome: string }, durationMs: number, count?: number): void;
}

/**
 * Wraps each consumer's handlers to record every message and its latency by topic and outcome ('ok' | 'error'); a
 * message handled in a run (handleRun) is recorded with the run's duration: it was in the handler that long. Errors
 * are rethrown untouched for the runtime to classify.
 */
export function instrumentConsumers(consumers: readonly AnyConsumerDeclaration[], recorder: HandlerRecorder): AnyConsumerDeclaration[] {
  return consumers.map((consumer) => {
    const declaration = consumer as ConsumerDeclaration<TopicName>;
    // One attribute set per outcome, built once: the metrics SDK is handed the same objects every time.
    const ok = { topic: declaration.topic, outcome: 'ok' };
    const failed = { topic: declaration.topic, outcome: 'error' };
    const timed = async (count: number, work: () => Promise<void>): Promise<void> => {
      const started = performance.now();
      let attributes = ok;
      try {
        await work();
      } catch (error) {
        attributes = failed;
        throw error;
      } finally {
        recorder.recordHandled(attributes, performance.now() - started, count);
      }
    };
    const handleRun = declaration.handleRun?.bind(declaration);
    return consumerOf<TopicName>({
      ...declaration,
      handle: (message, context) => timed(1, () => declaration.handle(message, context)),
      ...(handleRun === undefined ? {} : { handleRun: (messages, contexts) => timed(messages.length, () => handleRun(messages, contexts)) }),
    });
  });
}
