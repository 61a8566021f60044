import { ConsoleError } from './console-error.js';

/** The longest id the console accepts (incidents, VMs, hosts, models). */
export const MAX_ID_LENGTH = 200;
/** The most a page of any list API holds. */
export const MAX_PAGE_SIZE = 200;
/** The deepest page of any list API (bounded offsets keep every request cheap). */
export const MAX_PAGE = 10_000;

/** A page of a list: 1-based page number and its size. */
export interface PageRequest {
  readonly page: number;
  readonly size: number;
}

/** A page of results with what is needed to ask for the next. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly size: number;
  readonly total: number;
}

// Printable ASCII without spaces, quotes, angle brackets or backslashes: every id the services produce fits.
const ID = /^[A-Za-z0-9._:@#/+=~-]+$/;

/** Validates an id taken from a path or a query; throws INVALID_INPUT naming it. */
export function parseId(what: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new ConsoleError('INVALID_INPUT', `${what} is required`);
  if (raw.length > MAX_ID_LENGTH) throw new ConsoleError('INVALID_INPUT', `${what} is longer than ${MAX_ID_LENGTH} characters`);
  if (!ID.test(raw)) throw new ConsoleError('INVALID_INPUT', `${what} has characters outside A-Z a-z 0-9 . _ : @ # / + = ~ -`);
  return raw;
}

/** A whole number in [min, max] from a query value, `fallback` when absent; throws INVALID_INPUT naming it. */
export function parseBoundedInt(what: string, raw: string | null | undefined, fallback: number, min: number, max: number): number {
  if (raw === null || raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new ConsoleError('INVALID_INPUT', `${what} must be a whole number from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConsoleError('INVALID_INPUT', `${what} must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

/** `page` and `size` (or `<prefix>Page`, `<prefix>Size`) of a query, bounded. */
export function parsePage(query: URLSearchParams, defaultSize: number, prefix = ''): PageRequest {
  const key = (name: string): string => (prefix === '' ? name : `${prefix}${name[0].toUpperCase()}${name.slice(1)}`);
  return {
    page: parseBoundedInt(key('page'), query.get(key('page')), 1, 1, MAX_PAGE),
    size: parseBoundedInt(key('size'), query.get(key('size')), defaultSize, 1, MAX_PAGE_SIZE),
  };
}

/** The requested page of `items`. */
export function pageOf<T>(items: readonly T[], request: PageRequest): Page<T> {
  const start = (request.page - 1) * request.size;
  return { items: items.slice(start, start + request.size), page: request.page, size: request.size, total: items.length };
}
