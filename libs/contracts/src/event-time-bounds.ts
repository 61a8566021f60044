import { ContractError } from './contract-error.js';
import type { TopicMessages, TopicName } from './generated/contracts.js';

/**
 * The top-level fields of each topic that carry an event time (epoch ms) a consumer may take as its clock. Times that
 * are meant to lie ahead (allocations' leaseExpiresAt) and times inside arrays (risk sources' onsetAt, pathways'
 * lastSeenAt, derived from bounded events by the producing service) are not listed.
 */
export const EVENT_TIME_FIELDS: { readonly [N in TopicName]: readonly (keyof TopicMessages[N] & string)[] } = {
  inventory: ['eventTime'],
  hosts: ['eventTime'],
  flows: ['eventTime', 'windowStart', 'windowEnd'],
  anomalies: ['eventTime', 'detectedAt'],
  'topology-changes': ['eventTime'],
  risk: ['eventTime', 'generatedAt'],
  allocations: ['eventTime'],
  'allocation-outcomes': ['eventTime', 'appliedAt'],
  model: ['eventTime'],
  evaluations: ['eventTime'],
};

/** The window around a consumer's clock that event times must lie in; 0 turns a side off. */
export interface EventTimeBounds {
  /** Refuse event times more than this far ahead of the consumer's clock (ms; 0: no bound). */
  readonly maxFutureMs: number;
  /** Refuse event times more than this far behind the consumer's clock (ms; 0: no bound). */
  readonly maxAgeMs: number;
}

/** Why `message` of `topic` has an event time outside `bounds` around `now`, naming the field, its value and the bound; or undefined. */
export function eventTimeViolation<N extends TopicName>(topic: N, message: TopicMessages[N], now: number, bounds: EventTimeBounds): string | undefined {
  if (bounds.maxFutureMs <= 0 && bounds.maxAgeMs <= 0) return undefined;
  const fields = EVENT_TIME_FIELDS[topic] as readonly string[] | undefined;
  for (const field of fields ?? []) {
    const value = (message as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'number') continue;
    if (bounds.maxFutureMs > 0 && value - now > bounds.maxFutureMs) {
      return `${topic}: $.${field} ${value} (${isoOf(value)}) is ${value - now} ms ahead of the consumer's clock ${now} (${isoOf(now)}); at most ${bounds.maxFutureMs} ms ahead is accepted`;
    }
    if (bounds.maxAgeMs > 0 && now - value > bounds.maxAgeMs) {
      return `${topic}: $.${field} ${value} (${isoOf(value)}) is ${now - value} ms behind the consumer's clock ${now} (${isoOf(now)}); at most ${bounds.maxAgeMs} ms old is accepted`;
    }
  }
  return undefined;
}

/** Throws EVENT_TIME_OUT_OF_BOUNDS (poison: dead-lettered with its reason) when an event time lies outside the window. */
export function assertEventTimeBounds<N extends TopicName>(topic: N, message: TopicMessages[N], now: number, bounds: EventTimeBounds): void {
  const violation = eventTimeViolation(topic, message, now, bounds);
  if (violation !== undefined) throw new ContractError('EVENT_TIME_OUT_OF_BOUNDS', violation);
}

function isoOf(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? 'not a date' : date.toISOString();
}
