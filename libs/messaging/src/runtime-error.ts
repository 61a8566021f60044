import { ContractError } from '@foresight/contracts';

/**
 * Why the runtime or a handler failed. The code decides what happens to the message:
 * - HANDLER_RETRIABLE: retried in place with backoff, then dead-lettered ('retries exhausted').
 * - HANDLER_FATAL: dead-lettered at once.
 * - DEPENDENCY_UNAVAILABLE, BROKER_UNAVAILABLE, REGISTRY_UNAVAILABLE: infrastructure is down; the message is not
 *   the problem, so it is never dead-lettered: the partition pauses and the message is redelivered later.
 * - BROKER_REFUSED: the broker refused a record for good (too large, invalid, not authorized): retrying cannot help;
 *   a handler whose publish is refused has its message dead-lettered, a refused dead letter is written reduced.
 * - CONFIG_INVALID, SCHEMA_REJECTED: start-up failures (exit with the message).
 * - BUS_CLOSED: publish or start after close().
 */
export type RuntimeErrorCode =
  | 'HANDLER_RETRIABLE'
  | 'HANDLER_FATAL'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'BROKER_UNAVAILABLE'
  | 'REGISTRY_UNAVAILABLE'
  | 'BROKER_REFUSED'
  | 'CONFIG_INVALID'
  | 'SCHEMA_REJECTED'
  | 'BUS_CLOSED';

const RETRIABLE: ReadonlySet<RuntimeErrorCode> = new Set([
  'HANDLER_RETRIABLE', 'DEPENDENCY_UNAVAILABLE', 'BROKER_UNAVAILABLE', 'REGISTRY_UNAVAILABLE',
]);

/** A messaging failure with a stable code, a cause and a retry decision. */
export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  readonly retriable: boolean;

  constructor(code: RuntimeErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RuntimeError';
    this.code = code;
    this.retriable = RETRIABLE.has(code);
  }
}

/** What the runtime does with a message whose handling failed. */
export type FailureDisposition = 'retry' | 'dead-letter' | 'redeliver';

/** A failure, classified: its disposition, a code for the DLQ header and a one-line reason. */
export interface ClassifiedFailure {
  readonly disposition: FailureDisposition;
  readonly code: string;
  readonly reason: string;
}

/**
 * True for another library's error that says its dependency is down: `retriable: true` and a string `code` ending in
 * `_UNAVAILABLE`, the runtime's own naming (the stores' STORE_UNAVAILABLE is one). Matched by shape, so such a library
 * need not import the runtime, and a handler need not wrap its calls.
 */
export function isDependencyOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, retriable } = error as { code?: unknown; retriable?: unknown };
  return retriable === true && typeof code === 'string' && code.endsWith('_UNAVAILABLE');
}

/**
 * Classifies anything a handler (or decoding) threw. A dependency's outage (isDependencyOutage) is redelivered, as
 * DEPENDENCY_UNAVAILABLE is: the message is not the problem.
 * NOTE: an error that says nothing about itself (no code, no `retriable` flag) is retried, boundedly: transient
 * failures are the common unknown, and after the last attempt it is dead-lettered anyway, so nothing is lost.
 */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof ContractError) return { disposition: 'dead-letter', code: error.code, reason };
  if (error instanceof RuntimeError) {
    switch (error.code) {
      case 'HANDLER_RETRIABLE':
        return { disposition: 'retry', code: error.code, reason };
      case 'DEPENDENCY_UNAVAILABLE':
      case 'BROKER_UNAVAILABLE':
      case 'REGISTRY_UNAVAILABLE':
      case 'BUS_CLOSED':
        return { disposition: 'redeliver', code: error.code, reason };
      default:
        return { disposition: 'dead-letter', code: error.code, reason };
    }
  }
  if (isDependencyOutage(error)) return { disposition: 'redeliver', code: 'DEPENDENCY_UNAVAILABLE', reason };
  const flag = typeof error === 'object' && error !== null ? (error as { retriable?: unknown }).retriable : undefined;
  if (flag === false) return { disposition: 'dead-letter', code: 'HANDLER_FATAL', reason };
  return { disposition: 'retry', code: 'HANDLER_RETRIABLE', reason };
}
