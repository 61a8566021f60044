import { DEFAULT_TOPIC_PREFIX, topicNames } from '@foresight/contracts';
import type { DeadLetterListener } from './dead-letter.js';
import type { IdempotencyStore } from './idempotency-store.js';
import { silentLogger, type Logger } from './logger.js';
import type { AnyConsumerDeclaration } from './message-bus.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { RuntimeError } from './runtime-error.js';

/** What both buses are configured with. */
export interface BusOptions {
  /** Prepended to every topic name (default `foresight.`); tests use a unique one each. */
  readonly topicPrefix?: string;
  /** The consumer group of declarations that name none. */
  readonly groupId?: string;
  readonly retry?: Partial<RetryPolicy>;
  /** When given, a message whose eventId this group already applied is skipped. */
  readonly idempotency?: { readonly store: IdempotencyStore; readonly ttlMs?: number };
  readonly logger?: Logger;
  /** Called after each dead letter is written (service-kit's recordDeadLetter fits). */
  readonly onDeadLetter?: DeadLetterListener;
}

/** BusOptions with the defaults filled in. */
export interface ResolvedBusOptions {
  readonly topicPrefix: string;
  readonly groupId: string | undefined;
  readonly retry: RetryPolicy;
  readonly idempotency: { readonly store: IdempotencyStore; readonly ttlMs: number } | undefined;
  readonly logger: Logger;
  readonly onDeadLetter: DeadLetterListener;
}

/** How long an applied eventId is remembered by default: a week, longer than any redelivery. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 7 * 24 * 3600 * 1000;

/** Fills in defaults; CONFIG_INVALID naming the bad setting. */
export function resolveBusOptions(options: BusOptions): ResolvedBusOptions {
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  requireInteger('retry.maxAttempts', retry.maxAttempts, 1);
  requireNumber('retry.initialBackoffMs', retry.initialBackoffMs, 0);
  requireNumber('retry.maxBackoffMs', retry.maxBackoffMs, retry.initialBackoffMs);
  requireNumber('retry.multiplier', retry.multiplier, 1);
  const topicPrefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  if (!/^[A-Za-z0-9._-]*$/.test(topicPrefix)) throw new RuntimeError('CONFIG_INVALID', `topicPrefix '${topicPrefix}' may only contain letters, digits, '.', '_' and '-'`);
  const ttlMs = options.idempotency?.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  if (options.idempotency) requireInteger('idempotency.ttlMs', ttlMs, 1);
  return {
    topicPrefix,
    groupId: options.groupId,
    retry,
    idempotency: options.idempotency ? { store: options.idempotency.store, ttlMs } : undefined,
    logger: options.logger ?? silentLogger,
    onDeadLetter: options.onDeadLetter ?? (() => undefined),
  };
}

/** A declaration with its consumer group settled. */
export interface GroupedDeclaration {
  readonly declaration: AnyConsumerDeclaration;
  readonly groupId: string;
}

/** Settles each declaration's group; CONFIG_INVALID on an unknown topic, a missing group or a duplicate. */
export function groupDeclarations(declarations: readonly AnyConsumerDeclaration[], defaultGroupId: string | undefined): GroupedDeclaration[] {
  const seen = new Set<string>();
  return declarations.map((declaration) => {
    if (!topicNames.includes(declaration.topic)) throw new RuntimeError('CONFIG_INVALID', `consumer of unknown topic '${String(declaration.topic)}'`);
    const groupId = declaration.groupId ?? defaultGroupId;
    if (groupId === undefined || groupId === '') throw new RuntimeError('CONFIG_INVALID', `consumer of '${declaration.topic}' has no groupId and the bus has no default groupId`);
    const key = `${groupId}\u0000${declaration.topic}`;
    if (seen.has(key)) throw new RuntimeError('CONFIG_INVALID', `two consumers of '${declaration.topic}' in group '${groupId}'`);
    seen.add(key);
    return { declaration, groupId };
  });
}

function requireNumber(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new RuntimeError('CONFIG_INVALID', `${name} must be a number ≥ ${min}, got ${String(value)}`);
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RuntimeError('CONFIG_INVALID', `${name} must be an integer ≥ ${min}, got ${String(value)}`);
}
