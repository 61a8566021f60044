/** Why a Nezha data set could not be imported: a stable code, the file or line at fault, and the cause. */
export type NezhaDataErrorCode = 'NEZHA_DATA_MISSING' | 'NEZHA_DATA_INVALID';

/** A Nezha import failure. Never retriable: the data on disk is what it is. */
export class NezhaDataError extends Error {
  readonly code: NezhaDataErrorCode;
  readonly retriable = false;

  constructor(code: NezhaDataErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NezhaDataError';
    this.code = code;
  }
}
