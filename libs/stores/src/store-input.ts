import { RESOURCE_KEYS, type Resources } from '@foresight/core';
import { StoreError } from './store-error.js';

/** Longest id a store accepts (VM, host, incident, command and idempotency ids alike). */
export const MAX_STORE_ID_LENGTH = 512;

/** Throws INVALID_INPUT unless `value` is a non-empty string of at most MAX_STORE_ID_LENGTH characters. */
export function assertStoreId(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_STORE_ID_LENGTH) {
    throw new StoreError('INVALID_INPUT', `${what} must be a non-empty string of at most ${MAX_STORE_ID_LENGTH} characters, got ${JSON.stringify(value)}`);
  }
}

/** Largest document the state store keeps (UTF-16 code units of its JSON). */
export const MAX_DOCUMENT_LENGTH = 4 * 1024 * 1024;

/** Throws INVALID_INPUT unless `json` is a string of valid JSON no longer than MAX_DOCUMENT_LENGTH. */
export function assertDocumentJson(json: unknown, what: string): asserts json is string {
  if (typeof json !== 'string' || json.length > MAX_DOCUMENT_LENGTH) {
    throw new StoreError('INVALID_INPUT', `${what} must be a JSON string of at most ${MAX_DOCUMENT_LENGTH} characters`);
  }
  try {
    JSON.parse(json);
  } catch (cause) {
    throw new StoreError('INVALID_INPUT', `${what} is not valid JSON: ${(cause as Error).message}`);
  }
}

/**
 * A value as a document's JSON, serialised here: JSON.stringify's output is valid JSON by construction, so unlike a
 * caller's string (assertDocumentJson) it is not parsed again; only its presence and length are checked. Throws
 * INVALID_INPUT for a value JSON cannot hold (undefined, a function, a symbol: no output; a BigInt or a cycle: throws).
 */
export function serialiseDocument(value: unknown, what: string): string {
  // NOTE: typed string, but undefined at run time for undefined, a function or a symbol.
  let json: unknown;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new StoreError('INVALID_INPUT', `${what} cannot be serialised as JSON: ${(cause as Error).message}`);
  }
  if (typeof json !== 'string' || json.length > MAX_DOCUMENT_LENGTH) {
    throw new StoreError('INVALID_INPUT', `${what} must serialise to a JSON string of at most ${MAX_DOCUMENT_LENGTH} characters`);
  }
  return json;
}

/** Throws INVALID_INPUT unless `value` is a finite number ≥ 0 (event times, versions, TTLs, probabilities). */
export function assertNonNegative(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new StoreError('INVALID_INPUT', `${what} must be a finite number ≥ 0, got ${String(value)}`);
  }
}

/** Throws INVALID_INPUT unless every component of `value` is a finite number ≥ 0. */
export function assertStoreResources(value: Resources, what: string): void {
  if (typeof value !== 'object' || value === null) throw new StoreError('INVALID_INPUT', `${what} must be Resources, got ${String(value)}`);
  for (const key of RESOURCE_KEYS) assertNonNegative(value[key], `${what}.${key}`);
}

/** Throws INVALID_INPUT unless `value` is a whole number ≥ 1 (batch sizes, limits). */
export function assertPositiveInteger(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new StoreError('INVALID_INPUT', `${what} must be a whole number ≥ 1, got ${String(value)}`);
  }
}

/** Re-throws a core validation error (INVALID_VM, INVALID_FEATURE…) as INVALID_INPUT, keeping it as the cause. */
export function asInvalidInput(check: () => void): void {
  try {
    check();
  } catch (cause) {
    throw new StoreError('INVALID_INPUT', cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export function assertNonNegativeInteger(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new StoreError('INVALID_INPUT', `${what} must be a non-negative integer, got ${String(value)}`);
}
