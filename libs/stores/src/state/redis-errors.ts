import { StoreError } from '../store-error.js';

// Server replies that mean "not now" rather than "never".
const TRANSIENT_REPLIES = ['LOADING', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'MASTERDOWN', 'READONLY', 'NOREPLICAS'];
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Maps an ioredis error to a StoreError: connectivity and transient server states are STORE_UNAVAILABLE (retriable). */
export function toStoreError(error: unknown, where: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const name = error instanceof Error ? error.name : '';
  const transient = CONNECTION_CODES.has(code)
    || name === 'MaxRetriesPerRequestError'
    || message.startsWith('Connection is closed')
    || message.includes('Stream isn\'t writeable')
    || TRANSIENT_REPLIES.some((reply) => message.startsWith(reply));
  return new StoreError(transient ? 'STORE_UNAVAILABLE' : 'STORE_FAILURE', `${where}: ${message}`, { cause: error });
}
