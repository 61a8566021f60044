import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import type { MessageBus } from './message-bus.js';

/** Options of closeOnSignals. */
export interface ShutdownOptions {
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
  readonly logger?: Logger;
  /** Called after close with 0 (clean) or 1; default sets process.exitCode and lets the event loop drain. */
  readonly onClosed?: (exitCode: number) => void;
}

/** Closes the bus gracefully on SIGTERM/SIGINT (finish in-flight messages, commit, disconnect); returns the undo. */
export function closeOnSignals(bus: Pick<MessageBus, 'close'>, options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const logger = options.logger ?? silentLogger;
  const onClosed = options.onClosed ?? ((exitCode: number) => {
    process.exitCode = exitCode;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'closing the message bus');
    bus.close().then(
      () => onClosed(0),
      (error: unknown) => {
        logger.error({ error: String(error) }, 'message bus did not close cleanly');
        onClosed(1);
      },
    );
  };
  for (const signal of signals) process.once(signal, onSignal);
  return () => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
}
