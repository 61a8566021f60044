/** Stable error codes of the stores. Callers branch on `code`, never on the message. */
export type StoreErrorCode = 'STORE_UNAVAILABLE' | 'INVALID_INPUT' | 'STORE_FAILURE';

/**
 * An error with a stable code, an optional cause and a retry decision (STORE_UNAVAILABLE is retriable, the rest are not).
 * The messaging runtime recognises STORE_UNAVAILABLE by its shape (isDependencyOutage) and redelivers the message; the
 * others are dead-lettered with their message as the reason. Handlers let store errors through unwrapped.
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly retriable: boolean;

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.retriable = code === 'STORE_UNAVAILABLE';
  }
}

/** True when `value` is a StoreError with the given code. */
export function isStoreError(value: unknown, code?: StoreErrorCode): value is StoreError {
  return value instanceof StoreError && (code === undefined || value.code === code);
}
