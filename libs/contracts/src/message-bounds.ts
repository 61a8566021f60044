import { ContractError } from './contract-error.js';

/** Limits on any message's content beyond its Avro types. */
export const MESSAGE_BOUNDS = {
  maxStringLength: 1024,
  maxArrayLength: 10_000,
  maxMapEntries: 256,
} as const;

const UNIT_FIELDS = new Set(['probability', 'severity', 'criticality', 'errorRate', 'precision', 'recall', 'brier']);
const NON_NEGATIVE_SUFFIXES = ['Mbps', 'Millis', 'MiB', 'Ms', 'PerSec'];

/**
 * Checks what Avro cannot: numbers are finite, fields named like a probability lie in [0, 1], quantities
 * (…Mbps, …Millis, …MiB, …Ms, …PerSec) are ≥ 0, and strings, arrays and maps are bounded.
 * Throws INVALID_MESSAGE naming the field's path. (`parametersJson` may exceed the string bound.)
 */
export function assertMessageBounds(value: unknown): void {
  // NOTE: hot path (every message, both ways): walk without building paths; build the path only on failure.
  const problem = firstViolation(value, '');
  if (problem !== undefined) throw new ContractError('INVALID_MESSAGE', describeViolation(problem));
}

/** Where a message breaks a bound (keys and indices from the root) and how. */
export interface Violation {
  readonly trail: readonly (string | number)[];
  readonly detail: string;
}

function firstViolation(value: unknown, field: string): Violation | undefined {
  if (typeof value === 'number') {
    const detail = numberViolation(value, field);
    return detail === undefined ? undefined : { trail: [], detail };
  }
  if (typeof value === 'string') {
    return value.length > MESSAGE_BOUNDS.maxStringLength && field !== 'parametersJson'
      ? { trail: [], detail: `is ${value.length} characters long (at most ${MESSAGE_BOUNDS.maxStringLength})` }
      : undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > MESSAGE_BOUNDS.maxArrayLength) return { trail: [], detail: `has ${value.length} items (at most ${MESSAGE_BOUNDS.maxArrayLength})` };
    for (let i = 0; i < value.length; i++) {
      const inner = firstViolation(value[i], field);
      if (inner !== undefined) return { trail: [i, ...inner.trail], detail: inner.detail };
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    let count = 0;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (++count > MESSAGE_BOUNDS.maxMapEntries) return { trail: [], detail: `has more than ${MESSAGE_BOUNDS.maxMapEntries} entries` };
      const inner = firstViolation((value as Record<string, unknown>)[key], key);
      if (inner !== undefined) return { trail: [key, ...inner.trail], detail: inner.detail };
    }
  }
  return undefined;
}

/** Why a number in `field` is out of bounds, or undefined. */
export function numberViolation(value: number, field: string): string | undefined {
  if (!Number.isFinite(value)) return `must be a finite number, got ${value}`;
  if (UNIT_FIELDS.has(field) && (value < 0 || value > 1)) return `must be in [0, 1], got ${value}`;
  if (value < 0 && NON_NEGATIVE_SUFFIXES.some((s) => field.endsWith(s))) return `must be ≥ 0, got ${value}`;
  return undefined;
}

/** The message of a violation: its path from `$` and the detail. */
export function describeViolation(violation: Violation): string {
  const path = violation.trail.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${part}`), '$');
  return `${path} ${violation.detail}`;
}
