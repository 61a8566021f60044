import { RuntimeError } from '@foresight/messaging';
import { isStoreError } from './store-error.js';

/**
 * Runs a store call from a message handler or a tick. An unreachable store becomes DEPENDENCY_UNAVAILABLE, so the
 * messaging runtime pauses the partition and redelivers the message instead of dead-lettering it; any other store
 * error keeps its own (non-retriable) decision. `what` names the call in the error.
 */
export async function withStore<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isStoreError(error, 'STORE_UNAVAILABLE')) throw new RuntimeError('DEPENDENCY_UNAVAILABLE', `${what}: ${error.message}`, { cause: error });
    throw error;
  }
}
