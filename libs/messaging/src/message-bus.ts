import type { Context } from '@opentelemetry/api';
import type { TopicMessages, TopicName } from '@foresight/contracts';

/** Options of one publish call. */
export interface PublishOptions {
  /** Extra headers on every message (string values; the runtime adds `traceparent`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The OpenTelemetry context whose span is propagated; defaults to the active context. */
  readonly traceContext?: Context;
}

/** Publishes messages of one topic; each is validated, Avro-encoded and keyed by its codec's key field. */
export type Publish = <N extends TopicName>(topic: N, messages: readonly TopicMessages[N][], options?: PublishOptions) => Promise<void>;

/** What a handler knows about the message it handles besides the message itself. */
export interface MessageContext {
  readonly topic: TopicName;
  /** The full topic name on the broker (with the prefix). */
  readonly fullTopic: string;
  readonly groupId: string;
  readonly key: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: string;
  /**
   * The record's Kafka timestamp (ms; the producer's clock at publish, or the broker's on LogAppendTime topics).
   * Transport metadata for measuring delivery, never event time: the domain takes time from the event itself.
   */
  readonly timestamp: number;
  /** The message's eventId: its idempotency key. */
  readonly eventId: string;
  /** 1 on first delivery to the handler, then 2, 3… while retriable errors are retried in place. */
  readonly attempt: number;
  /** The OpenTelemetry context of the message (its remote parent span, if it carried `traceparent`). */
  readonly traceContext: Context;
  /** Publishes follow-up messages in this message's trace. */
  readonly publish: Publish;
}

/** A consumer, declared: a topic and a handler. The runtime owns everything else. */
export interface ConsumerDeclaration<N extends TopicName = TopicName> {
  readonly topic: N;
  /** Defaults to the bus's `groupId`. */
  readonly groupId?: string;
  /**
   * Records of different keys of one partition handled at once, at most this many (default 1: one at a time).
   * Records of one key are still handled one at a time, in order; offsets are committed only below the oldest record
   * not done. Use it when the handler waits on I/O and does not rely on order across keys.
   */
  readonly keyConcurrency?: number;
  /** Throw to fail: see RuntimeError for what each failure does. Never swallow an error here. */
  handle(message: TopicMessages[N], context: MessageContext): Promise<void>;
  /**
   * Optional: handles a run of records of ONE key at once, in their order (decoded, duplicates already skipped). The
   * Kafka runtime uses it when several records of a key are waiting in a fetched batch (a backlog), so per-key I/O is
   * paid once per run instead of once per record. It must leave the state that handling the records one by one would,
   * except that intermediate outputs may be coalesced (e.g. only the newest version of something is published).
   * Retriable failures retry the run; a fatal one makes the runtime fall back to `handle`, one record at a time, so
   * only the bad record is dead-lettered. Runs of one key need keyConcurrency > 1. The in-memory bus always uses
   * `handle`.
   */
  handleRun?(messages: readonly TopicMessages[N][], contexts: readonly MessageContext[]): Promise<void>;
  /** Longest run handed to handleRun (default 64). */
  readonly maxRunLength?: number;
  /**
   * What a run spans (default `key`: records of one key). `partition`: consecutive records of a partition's fetched
   * batch, of any keys, in offset order; a partition's runs are then handled one after another (each key keeps its
   * order, and handleRun must keep it within the run). For handlers whose I/O is shared across keys (one read of a
   * shared ledger, one publish for many keys). Everything else is as for runs of one key.
   */
  readonly runScope?: 'key' | 'partition';
  /**
   * The handler is idempotent by itself: handling a message again leaves the same state and repeats no effect (e.g. it
   * keeps the earliest of something). The runtime then neither checks nor marks eventIds in the idempotency store for
   * this consumer: two store calls fewer per message. Repeats of an eventId within a run are still skipped.
   */
  readonly idempotentByItself?: boolean;
}

/** Any topic's consumer declaration. */
export type AnyConsumerDeclaration = { [N in TopicName]: ConsumerDeclaration<N> }[TopicName];

/** Declares a consumer with its message type inferred from the topic. */
export function consumerOf<N extends TopicName>(declaration: ConsumerDeclaration<N>): AnyConsumerDeclaration {
  return declaration as unknown as AnyConsumerDeclaration;
}

/** Liveness, readiness and what they are based on. */
export interface BusHealth {
  /** False once the bus failed beyond recovery (restart the process). */
  readonly live: boolean;
  /** True when started and not closing, with every consumer running. */
  readonly ready: boolean;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Which keys of a consumed topic this bus's consumers currently own: the keys of the partitions assigned to it in its
 * group. Owners change at rebalances; `generation` changes with them, so an owner can load the state of keys it gained.
 * Before the group is joined, during a rebalance, after a crash or a close, while the broker has not confirmed the
 * member for a session timeout (it may have been expelled during a stalled event loop), or for a topic this bus does
 * not consume, it owns no key.
 */
export interface KeyOwnership {
  owns(key: string): boolean;
  readonly generation: number;
  /** Whether this member owns any key now (joined, confirmed, not rebalancing, with partitions of the topic). */
  readonly active: boolean;
}

/** The one messaging port: Kafka in production, in memory in the embedded mode; same semantics. */
export interface MessageBus {
  /** The current ownership of `topic`'s keys by this bus's consumers of it (see KeyOwnership). */
  keyOwnership(topic: TopicName): KeyOwnership;
  readonly publish: Publish;
  /** Starts the declared consumers; resolves once they are subscribed. */
  startConsumers(declarations: readonly AnyConsumerDeclaration[]): Promise<void>;
  /** Graceful: stops fetching, finishes the in-flight message of each partition, commits, disconnects. */
  close(): Promise<void>;
  health(): BusHealth;
}
