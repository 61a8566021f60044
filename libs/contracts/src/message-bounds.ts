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
export function assertMessageBounds(value: unknown, path = '$'): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ContractError('INVALID_MESSAGE', `${path} must be a finite number, got ${value}`);
    const field = path.slice(path.lastIndexOf('.') + 1);
    if (UNIT_FIELDS.has(field) && (value < 0 || value > 1)) throw new ContractError('INVALID_MESSAGE', `${path} must be in [0, 1], got ${value}`);
    if (value < 0 && NON_NEGATIVE_SUFFIXES.some((s) => field.endsWith(s))) throw new ContractError('INVALID_MESSAGE', `${path} must be ≥ 0, got ${value}`);
    return;
  }
  if (typeof value === 'string') {
    if (value.length > MESSAGE_BOUNDS.maxStringLength && !path.endsWith('.parametersJson')) {
      throw new ContractError('INVALID_MESSAGE', `${path} is ${value.length} characters long (at most ${MESSAGE_BOUNDS.maxStringLength})`);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > MESSAGE_BOUNDS.maxArrayLength) throw new ContractError('INVALID_MESSAGE', `${path} has ${value.length} items (at most ${MESSAGE_BOUNDS.maxArrayLength})`);
    value.forEach((item, i) => assertMessageBounds(item, `${path}[${i}]`));
    return;
  }
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const entries = Object.entries(value);
    if (entries.length > MESSAGE_BOUNDS.maxMapEntries) throw new ContractError('INVALID_MESSAGE', `${path} has ${entries.length} entries (at most ${MESSAGE_BOUNDS.maxMapEntries})`);
    for (const [k, v] of entries) assertMessageBounds(v, `${path}.${k}`);
  }
}
