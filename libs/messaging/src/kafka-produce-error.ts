import { RuntimeError } from './runtime-error.js';

/** kafkajs's wrapper around the last error once its own retries ran out: the cause was retriable, an outage. */
const RETRIES_EXHAUSTED = 'KafkaJSNumberOfRetriesExceeded';

/**
 * The runtime's error for a failed produce request: BROKER_REFUSED when the broker refused the records for good (a
 * kafkajs protocol error that is not retriable: MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_RECORD,
 * TOPIC_AUTHORIZATION_FAILED, …), BROKER_UNAVAILABLE otherwise (connection lost, timeouts, no leader, retries
 * exhausted: the broker may answer later).
 */
export function produceError(cause: unknown, what: string): RuntimeError {
  const message = `${what}: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new RuntimeError(isPermanentRefusal(cause) ? 'BROKER_REFUSED' : 'BROKER_UNAVAILABLE', message, { cause });
}

/** A non-retriable kafkajs protocol error, also wrapped (KafkaJSNonRetriableError's cause); never once retries ran out. */
function isPermanentRefusal(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { name, retriable, type, cause } = error as { name?: unknown; retriable?: unknown; type?: unknown; cause?: unknown };
  if (name === RETRIES_EXHAUSTED) return false;
  if (name === 'KafkaJSProtocolError') return retriable === false && typeof type === 'string';
  return retriable === false && cause !== error && isPermanentRefusal(cause, depth + 1);
}
