/** Why an OTLP payload was refused: OTLP_MALFORMED (not a valid request in its encoding) is poison, never retried. */
export type OtlpErrorCode = 'OTLP_MALFORMED' | 'OTLP_UNSUPPORTED_ENCODING';

/** A payload that is not an OTLP export request of the expected encoding. */
export class OtlpError extends Error {
  readonly code: OtlpErrorCode;
  readonly retriable = false;

  constructor(code: OtlpErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OtlpError';
    this.code = code;
  }
}
