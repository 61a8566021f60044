/** Stable error codes of the core. Callers branch on `code`, never on the message. */
export type CoreErrorCode =
  | 'INVALID_FEATURE'
  | 'INVALID_RESOURCES'
  | 'INVALID_VM'
  | 'INVALID_PARAMETERS'
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_VM'
  | 'EMPTY_SOURCES'
  | 'SNAPSHOT_MISMATCH';

/** An error with a stable code, an optional cause and a retry decision (core errors are input errors: never retriable). */
export class ForesightError extends Error {
  readonly code: CoreErrorCode;
  readonly retriable: boolean;

  constructor(code: CoreErrorCode, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ForesightError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** True when `value` is a ForesightError with the given code. */
export function isForesightError(value: unknown, code?: CoreErrorCode): value is ForesightError {
  return value instanceof ForesightError && (code === undefined || value.code === code);
}
