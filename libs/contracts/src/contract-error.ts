/**
 * Why a message was refused. NOT_AVRO, INVALID_MESSAGE and EVENT_TIME_OUT_OF_BOUNDS (a valid message whose event time
 * lies outside the consumer's window: event-time-bounds.ts) are poison (dead-letter, never retried).
 */
export type ContractErrorCode = 'NOT_AVRO' | 'INVALID_MESSAGE' | 'EVENT_TIME_OUT_OF_BOUNDS' | 'UNKNOWN_SCHEMA' | 'UNKNOWN_TOPIC';

/** A message that does not fit its topic's contract. */
export class ContractError extends Error {
  readonly code: ContractErrorCode;
  readonly retriable = false;

  constructor(code: ContractErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ContractError';
    this.code = code;
  }
}
