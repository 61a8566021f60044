import { SpanKind, SpanStatusCode, context as otelContext, trace, type Context } from '@opentelemetry/api';
import { ContractError, decodeFrame, deadLetterTopicFor, type TopicMessages, type TopicName } from '@foresight/contracts';
import { deadLetterHeaders, type DeadLetter, type DeadLetterListener, type DeadLetterWriter } from './dead-letter.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { Logger } from './logger.js';
import type { AnyConsumerDeclaration, ConsumerDeclaration, MessageContext, Publish, PublishOptions } from './message-bus.js';
import { reducedDeadLetters } from './reduced-dead-letter.js';
import { backoffDelayMs, type RetryPolicy } from './retry-policy.js';
import { classifyFailure, type ClassifiedFailure } from './runtime-error.js';
import type { PayloadDecoder, SchemaCatalog } from './schema-catalog.js';
import { contextFromHeaders } from './trace-context.js';

/** A message as fetched from a partition, before decoding. */
export interface ConsumedRecord {
  readonly fullTopic: string;
  readonly partition: number;
  readonly offset: string;
  /** The record's timestamp (ms). */
  readonly timestamp: number;
  readonly key: string | undefined;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** What became of a record: every outcome but `redeliver` lets the offset be committed. */
export type DeliveryOutcome =
  | { readonly kind: 'applied' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'dead-lettered'; readonly code: string; readonly reason: string }
  | { readonly kind: 'redeliver'; readonly code: string; readonly reason: string };

/** Everything a RecordDelivery needs from its bus. */
export interface DeliverySettings {
  readonly topicPrefix: string;
  readonly catalog: SchemaCatalog;
  readonly writeDeadLetter: DeadLetterWriter;
  readonly onDeadLetter: DeadLetterListener;
  readonly publish: Publish;
  readonly retry: RetryPolicy;
  readonly idempotency: { readonly store: IdempotencyStore; readonly ttlMs: number } | undefined;
  readonly logger: Logger;
  readonly isClosing: () => boolean;
  readonly now: () => number;
}

const tracer = trace.getTracer('@foresight/messaging');

/**
 * Takes one record of one declared consumer from bytes to an applied, dead-lettered or to-be-redelivered message:
 * decode (poison → DLQ), skip when already applied, run the handler with in-place retries, mark it applied.
 */
export class RecordDelivery {
  private readonly topic: TopicName;
  private readonly deadLetterTopic: string;
  /** Decoders by schema id, kept here too so the hot path does not even await the catalog's cached promise. */
  private readonly decoders = new Map<number, PayloadDecoder<TopicName>>();

  /** Records of different keys of one partition this consumer may handle at once (1: one at a time). */
  readonly keyConcurrency: number;
  /** Longest run handed to handleRun at once; 1 when the consumer has no handleRun. */
  readonly maxRunLength: number;
  /** Whether a run is one key's records or consecutive records of any keys (ConsumerDeclaration.runScope). */
  readonly runScope: 'key' | 'partition';

  constructor(private readonly declaration: AnyConsumerDeclaration, readonly groupId: string, private readonly settings: DeliverySettings) {
    this.topic = declaration.topic;
    const concurrency = declaration.keyConcurrency ?? 1;
    this.keyConcurrency = Number.isInteger(concurrency) && concurrency >= 1 ? concurrency : 1;
    const runLength = declaration.maxRunLength ?? 64;
    this.runScope = declaration.runScope === 'partition' ? 'partition' : 'key';
    const runs = declaration.handleRun !== undefined && (this.keyConcurrency > 1 || this.runScope === 'partition');
    this.maxRunLength = !runs ? 1 : Number.isInteger(runLength) && runLength >= 1 ? runLength : 64;
    this.deadLetterTopic = deadLetterTopicFor(settings.topicPrefix, declaration.topic);
  }

  /** Delivers one record; `wait` sleeps between retries (Kafka heartbeats meanwhile, the in-memory bus may not wait). */
  async deliver(record: ConsumedRecord, wait: (ms: number) => Promise<void>): Promise<DeliveryOutcome> {
    const decoded = await this.decode(record);
    if ('failure' in decoded) return this.fail(record, decoded.failure, 0);
    const item: RunItem = { message: decoded.message, record, eventId: eventIdOf(decoded.message, record), index: 0 };
    const before = await this.appliedBefore([item]);
    if ('outcome' in before) return before.outcome;
    if (before.applied[0]) return { kind: 'duplicate' };
    const handled = await this.handleWithRetries([item], wait);
    if (handled.kind === 'redeliver') return handled.outcome;
    if (handled.kind === 'failed') return this.fail(record, handled.failure, handled.attempts);
    await this.markApplied([item]);
    return { kind: 'applied' };
  }

  /**
   * Delivers a run of records (of one key, or of a partition: runScope), in order, through the declaration's handleRun (see ConsumerDeclaration):
   * poison records are dead-lettered on their own, duplicates skipped (those already applied, and repeats of an
   * eventId within the run), the rest handled at once and marked applied. A fatal failure of the run falls back to
   * one record at a time, so only the bad record is dead-lettered. `done` says, per record, whether its delivery
   * ended (applied, duplicate or dead-lettered), also when the run as a whole must be redelivered, so that what was
   * done is not done again (the caller resolves offsets below the oldest record not done).
   */
  async deliverRun(records: readonly ConsumedRecord[], wait: (ms: number) => Promise<void>): Promise<{ readonly outcome: DeliveryOutcome; readonly done: boolean[] }> {
    const done = records.map(() => false);
    const oneByOne = async (indexes: readonly number[]): Promise<{ outcome: DeliveryOutcome; done: boolean[] }> => {
      for (const i of indexes) {
        const outcome = await this.deliver(records[i], wait);
        if (outcome.kind === 'redeliver') return { outcome, done };
        done[i] = true;
      }
      return { outcome: { kind: 'applied' }, done };
    };
    if (records.length === 1 || this.declaration.handleRun === undefined) return oneByOne(records.map((_, i) => i));
    const decoded: RunItem[] = [];
    for (const [i, record] of records.entries()) {
      const result = await this.decode(record);
      if ('failure' in result) {
        const outcome = await this.fail(record, result.failure, 0);
        if (outcome.kind === 'redeliver') return { outcome, done };
        done[i] = true;
        continue;
      }
      decoded.push({ message: result.message, record, eventId: eventIdOf(result.message, record), index: i });
    }
    const before = await this.appliedBefore(decoded);
    if ('outcome' in before) return { outcome: before.outcome, done };
    // Applied before, or a repeat of an eventId within the run (a duplicate of the first, as it would be one by one).
    const firsts = new Set<string>();
    const fresh: RunItem[] = [];
    decoded.forEach((item, k) => {
      if (before.applied[k] || firsts.has(item.eventId)) done[item.index] = true;
      else {
        firsts.add(item.eventId);
        fresh.push(item);
      }
    });
    if (fresh.length === 0) return { outcome: { kind: decoded.length === 0 ? 'applied' : 'duplicate' }, done };
    const handled = await this.handleWithRetries(fresh, wait);
    if (handled.kind === 'redeliver') return { outcome: handled.outcome, done };
    if (handled.kind === 'failed') {
      // Fatal, or retries exhausted: one record at a time, so that only the bad record is dead-lettered.
      this.settings.logger.warn({ topic: fresh[0].record.fullTopic, records: fresh.length, code: handled.failure.code }, 'run failed: handling its records one by one');
      return oneByOne(fresh.map((item) => item.index));
    }
    await this.markApplied(fresh);
    for (const item of fresh) done[item.index] = true;
    return { outcome: { kind: 'applied' }, done };
  }

  /** Which items' events were applied before (the idempotency store), or the redelivery to ask for when it cannot tell. */
  private async appliedBefore(items: readonly RunItem[]): Promise<{ readonly applied: readonly boolean[] } | { readonly outcome: DeliveryOutcome }> {
    const idempotency = this.storeOfApplied();
    if (idempotency === undefined || items.length === 0) return { applied: items.map(() => false) };
    try {
      const { store } = idempotency;
      const keys = items.map((item) => `${this.groupId}:${item.eventId}`);
      // One round trip per run when the store can answer for several keys at once.
      const applied = keys.length > 1 && store.hasMany !== undefined ? await store.hasMany(keys) : await Promise.all(keys.map((key) => store.has(key)));
      return { applied };
    } catch (error) {
      return { outcome: { kind: 'redeliver', code: 'DEPENDENCY_UNAVAILABLE', reason: `idempotency store: ${(error as Error).message}` } };
    }
  }

  /**
   * Runs the handler on the items with in-place retries: handled; to redeliver (an outage, or closing while
   * retrying); or failed for good (fatal, or retries exhausted) after `attempts`.
   */
  private async handleWithRetries(items: readonly RunItem[], wait: (ms: number) => Promise<void>): Promise<
    { readonly kind: 'handled' } | { readonly kind: 'redeliver'; readonly outcome: DeliveryOutcome } | { readonly kind: 'failed'; readonly failure: ClassifiedFailure; readonly attempts: number }
  > {
    const parent = contextFromHeaders(items[items.length - 1].record.headers);
    for (let attempt = 1; ; attempt++) {
      const failure = await this.runHandler(items, attempt, parent);
      if (failure === undefined) return { kind: 'handled' };
      if (failure.disposition === 'redeliver') return { kind: 'redeliver', outcome: { kind: 'redeliver', code: failure.code, reason: failure.reason } };
      if (failure.disposition !== 'retry') return { kind: 'failed', failure, attempts: attempt };
      if (attempt >= this.settings.retry.maxAttempts) {
        return { kind: 'failed', failure: { ...failure, reason: `retries exhausted after ${attempt} attempts: ${failure.reason}` }, attempts: attempt };
      }
      if (this.settings.isClosing()) return { kind: 'redeliver', outcome: { kind: 'redeliver', code: failure.code, reason: `closing while retrying: ${failure.reason}` } };
      await wait(backoffDelayMs(this.settings.retry, attempt));
    }
  }

  /** The idempotency store, unless there is none or the consumer's handler is idempotent by itself. */
  private storeOfApplied(): DeliverySettings['idempotency'] {
    return this.declaration.idempotentByItself === true ? undefined : this.settings.idempotency;
  }

  private async markApplied(items: readonly RunItem[]): Promise<void> {
    const idempotency = this.storeOfApplied();
    if (idempotency === undefined) return;
    // NOTE: a crash between the handler's success and this mark re-applies the message on redelivery; effects
    // that must happen exactly once are keyed by their own idempotency key (docs/messaging.md).
    const { store, ttlMs } = idempotency;
    if (items.length > 1 && store.claimMany !== undefined) {
      await store.claimMany(items.map((item) => `${this.groupId}:${item.eventId}`), ttlMs).catch((error: unknown) => {
        this.settings.logger.warn({ eventIds: items.map((item) => item.eventId), groupId: this.groupId, error: String(error) }, 'could not mark events applied');
      });
      return;
    }
    await Promise.all(items.map((item) => store.claim(`${this.groupId}:${item.eventId}`, ttlMs).catch((error: unknown) => {
      this.settings.logger.warn({ eventId: item.eventId, groupId: this.groupId, error: String(error) }, 'could not mark event applied');
    })));
  }

  private async decode(record: ConsumedRecord): Promise<{ readonly message: unknown } | { readonly failure: ClassifiedFailure }> {
    try {
      if (record.value === null) throw new ContractError('NOT_AVRO', `${this.topic}: null value (tombstone) on a data topic`);
      const { schemaId, payload } = decodeFrame(record.value);
      let decode = this.decoders.get(schemaId);
      if (decode === undefined) {
        decode = await this.settings.catalog.decoderFor(this.topic, schemaId);
        this.decoders.set(schemaId, decode);
      }
      return { message: decode(payload) };
    } catch (error) {
      return { failure: classifyFailure(error) };
    }
  }

  /** Runs the handler on one record (handle) or a run of them (handleRun), in one span. */
  private async runHandler(items: readonly RunItem[], attempt: number, parent: Context): Promise<ClassifiedFailure | undefined> {
    const last = items[items.length - 1];
    const { record } = last;
    // A run's span is a child of its newest record's trace and links the others' (a span per run, not per record).
    const links = items.length === 1 ? undefined : items.slice(0, -1).flatMap((item) => {
      const linked = trace.getSpanContext(contextFromHeaders(item.record.headers));
      return linked === undefined ? [] : [{ context: linked }];
    });
    const span = tracer.startSpan(`${record.fullTopic} process`, { kind: SpanKind.CONSUMER, ...(links === undefined ? {} : { links }) }, parent);
    // Attributes only when an SDK records the span: the no-op default should cost nothing per message.
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'messaging.destination.name': record.fullTopic,
        'messaging.consumer.group.name': this.groupId, 'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': record.offset, 'messaging.message.id': last.eventId, 'messaging.retry.attempt': attempt,
        ...(items.length === 1 ? {} : { 'messaging.batch.message_count': items.length }),
      });
    }
    const traceContext = trace.setSpan(parent, span);
    const contextOf = (item: RunItem): MessageContext => ({
      topic: this.topic, fullTopic: item.record.fullTopic, groupId: this.groupId, key: item.record.key, headers: item.record.headers,
      partition: item.record.partition, offset: item.record.offset, timestamp: item.record.timestamp, eventId: item.eventId, attempt, traceContext,
      publish: (topic, messages, options?: PublishOptions) => this.settings.publish(topic, messages, { ...options, traceContext: options?.traceContext ?? traceContext }),
    });
    const declaration = this.declaration as ConsumerDeclaration<TopicName>;
    try {
      await otelContext.with(traceContext, () => (items.length === 1
        ? declaration.handle(last.message as TopicMessages[TopicName], contextOf(last))
        : declaration.handleRun!(items.map((item) => item.message as TopicMessages[TopicName]), items.map(contextOf))));
      return undefined;
    } catch (error) {
      const failure = classifyFailure(error);
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.reason });
      this.settings.logger.warn({ topic: record.fullTopic, partition: record.partition, offset: record.offset, eventId: last.eventId, records: items.length, attempt, code: failure.code, reason: failure.reason }, 'handler failed');
      return failure;
    } finally {
      span.end();
    }
  }

  private async fail(record: ConsumedRecord, failure: ClassifiedFailure, attempts: number): Promise<DeliveryOutcome> {
    if (failure.disposition === 'redeliver') return { kind: 'redeliver', code: failure.code, reason: failure.reason };
    const headers = deadLetterHeaders(record.headers, {
      code: failure.code, reason: failure.reason, fullTopic: record.fullTopic, partition: record.partition, offset: record.offset,
      groupId: this.groupId, attempts, failedAt: this.settings.now(),
    });
    const written = await this.writeDeadLetter(record, { topic: this.deadLetterTopic, key: record.key, value: record.value, headers });
    if (written.kind === 'redeliver') return written;
    this.settings.logger.warn({
      topic: record.fullTopic, partition: record.partition, offset: record.offset, code: failure.code, reason: failure.reason,
      ...(written.kind === 'reduced' ? { reduced: written.refusal, payloadKept: written.payloadKept, originalSize: record.value?.length ?? 0 } : {}),
    }, written.kind === 'reduced' ? 'message dead-lettered in a reduced form: the broker refused its full copy' : 'message dead-lettered');
    this.settings.onDeadLetter({ topic: this.topic, groupId: this.groupId, code: failure.code });
    return { kind: 'dead-lettered', code: failure.code, reason: failure.reason };
  }

  /**
   * Writes the dead letter; when the broker refuses it for good (a non-retriable error: too large once the dead-letter
   * headers are added, …), writes its reduced forms instead (reducedDeadLetters), so a record the broker accepted never
   * blocks its partition. A retriable failure (an outage) asks for redelivery, as does a refusal of even the smallest
   * form (the dead-letter topic itself is unusable: not the record's fault, and nothing would keep its coordinates).
   */
  private async writeDeadLetter(record: ConsumedRecord, letter: DeadLetter): Promise<
    { readonly kind: 'full' } | { readonly kind: 'reduced'; readonly refusal: string; readonly payloadKept: number } | Extract<DeliveryOutcome, { kind: 'redeliver' }>
  > {
    const outage = (error: unknown): Extract<DeliveryOutcome, { kind: 'redeliver' }> => ({ kind: 'redeliver', code: 'BROKER_UNAVAILABLE', reason: `dead-letter write failed: ${(error as Error).message}` });
    try {
      await this.settings.writeDeadLetter(letter);
      return { kind: 'full' };
    } catch (error) {
      if (!isRefusal(error)) return outage(error);
      const refusal = (error as Error).message;
      let last: unknown = error;
      for (const reduced of reducedDeadLetters(letter, record, refusal)) {
        try {
          await this.settings.writeDeadLetter(reduced);
          return { kind: 'reduced', refusal, payloadKept: reduced.value?.length ?? 0 };
        } catch (again) {
          if (!isRefusal(again)) return outage(again);
          last = again;
        }
      }
      return { kind: 'redeliver', code: 'BROKER_REFUSED', reason: `dead-letter topic refuses even a reduced dead letter: ${(last as Error).message}` };
    }
  }
}

/** A decoded record of a run. */
interface RunItem {
  readonly message: unknown;
  readonly record: ConsumedRecord;
  readonly eventId: string;
  /** Its position in the run. */
  readonly index: number;
}

/** A write the broker refused for good: the writer's error says it is not retriable (RuntimeError BROKER_REFUSED). */
function isRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === false;
}

function eventIdOf(message: unknown, record: ConsumedRecord): string {
  const eventId = (message as { eventId?: unknown }).eventId;
  return typeof eventId === 'string' && eventId !== '' ? eventId : `${record.fullTopic}/${record.partition}/${record.offset}`;
}
