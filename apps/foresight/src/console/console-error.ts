/** The stable codes of the console API's errors. */
export type ConsoleErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'METHOD_NOT_ALLOWED' | 'TOO_MANY_STREAMS' | 'STORE_UNAVAILABLE' | 'INTERNAL';

const STATUS: Readonly<Record<ConsoleErrorCode, number>> = {
  INVALID_INPUT: 400, UNAUTHORIZED: 401, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, TOO_MANY_STREAMS: 503, STORE_UNAVAILABLE: 503, INTERNAL: 500,
};

/** An error the console API answers with: `{ error: { code, message } }` and the code's HTTP status. */
export class ConsoleError extends Error {
  readonly status: number;

  constructor(readonly code: ConsoleErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'ConsoleError';
    this.status = STATUS[code];
  }
}
