import { PartitionAssigners, type Consumer, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage, type OffsetsByTopicPartition } from 'kafkajs';
import { coPartitionedAssigner } from './co-partitioned-assigner.js';
import type { Logger } from './logger.js';
import { PartitionProgress, type StalledPartition } from './partition-progress.js';
import type { ConsumedRecord, RecordDelivery } from './record-delivery.js';
import { backoffDelayMs, type RetryPolicy } from './retry-policy.js';
import { RuntimeError } from './runtime-error.js';

/** How one consumer group consumes. */
export interface ConsumerGroupSettings {
  readonly fromBeginning: boolean;
  readonly partitionsConsumedConcurrently: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxBytesPerPartition: number;
  readonly maxWaitTimeMs: number;
  /** Resolved offsets are committed once this many are waiting … */
  readonly commitEveryMessages: number;
  /** … or this many milliseconds since the last commit, checked after each batch … */
  readonly commitEveryMs: number;
  /**
   * … or at the latest this long after a batch left offsets uncommitted, even if no batch follows (an idle partition's
   * last records). 0: after every batch.
   */
  readonly commitDelayMs: number;
  readonly partitionAssignment: 'round-robin' | 'co-partitioned';
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  /** Told how far behind the partition end the group is, when a batch arrives and as its records are done. */
  readonly onLag?: ConsumerLagListener;
  /** The clock that ages the last sign of membership (default Date.now; tests pass their own). */
  readonly now?: () => number;
  /** Told when kafkajs stopped the group for good before it ever joined (a refusal at start-up): BROKER_REFUSED with the broker's answer. */
  readonly onFailure?: (error: RuntimeError) => void;
  /** Whether the brokers answer at all (a metadata round trip); tells a refused group from an outage. */
  readonly brokersAnswer?: () => Promise<boolean>;
  /** Backoff of the group's own restart after kafkajs gave up on it (default 1 s doubling to 30 s; tests pass less). */
  readonly restartBackoffMs?: { readonly first: number; readonly max: number };
}

/**
 * Kafka answers FindCoordinator for a group the principal may not use with GROUP_AUTHORIZATION_FAILED, which kafkajs
 * swallows into "Failed to find group coordinator" (KafkaJSGroupCoordinatorNotFound) and gives up on. So does a broker
 * that is restarting or still loading its coordinators: the group is taken as refused only when the brokers answer
 * and it finds no coordinator this many times in a row before it ever joined.
 */
export const COORDINATOR_MISSES_BEFORE_REFUSAL = 3;

/** How long after a crash kafkajs gave up on the group restarts it: first, and at most (doubling in between). */
const RESTART_BACKOFF_MS = { first: 1_000, max: 30_000 };

function isCoordinatorMiss(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e.name === 'KafkaJSGroupCoordinatorNotFound' || /failed to find group coordinator/i.test(e.message)) return true;
  }
  return false;
}

/** How many records of a partition a group has not done yet: the partition end (high watermark) minus its position. */
export interface ConsumerLag {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly behind: number;
  /** The next offset to do on the partition (its position). */
  readonly position: number;
}

export type ConsumerLagListener = (lag: ConsumerLag) => void;

/** Where a consumer group stands, for health(). */
export interface ConsumerGroupStatus {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly joined: boolean;
  readonly crashed: boolean;
  readonly pausedPartitions: readonly string[];
}

const HEARTBEAT_WHILE_WAITING_MS = 1000;

/**
 * One kafkajs consumer serving the declarations of one consumer group. Offsets are resolved one by one, only after
 * a record's delivery ended (applied, duplicate or dead-lettered), and committed every commitEveryMessages records,
 * commitEveryMs, and within commitDelayMs of the batch that resolved them (not after every batch unless 0: at a low
 * rate a batch holds a record or two, and a commit per batch doubled the broker's requests), at a rebalance and at a
 * stop; a record that must be redelivered pauses its partition, which
 * is rewound to it and resumed after a backoff. A crash redelivers what was handled and not yet committed (at least
 * once; the idempotency store skips what was applied).
 */
export class KafkaConsumerGroup {
  private readonly consumer: Consumer;
  private readonly now: () => number;
  private readonly failures = new Map<string, number>();
  /** Which partitions have records waiting and no progress (stalled). */
  private readonly progress: PartitionProgress;
  private readonly resumeTimers = new Map<string, NodeJS.Timeout>();
  private joined = false;
  /** Partitions assigned at the last join, by full topic name (none before a join, after a crash or a stop). */
  private assigned: ReadonlyMap<string, ReadonlySet<number>> = new Map();
  private assignmentGeneration = 0;
  /** When the broker last confirmed this member (a join or a heartbeat). */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private crashed = false;
  private stopping = false;
  private everJoined = false;
  /** Crashes in a row, before the first join, that found no coordinator while the brokers answered. */
  private coordinatorMisses = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly restartBackoff: { readonly first: number; readonly max: number };
  private restartBackoffMs: number;
  /** The offsets resolved and not committed yet, as kafkajs holds them for the current run (undefined before a batch). */
  private uncommittedOffsets: (() => OffsetsByTopicPartition) | undefined;
  /** Commits what waits commitEveryMs after a batch left offsets uncommitted. */
  private commitTimer: NodeJS.Timeout | undefined;

  constructor(kafka: Kafka, readonly groupId: string, private readonly deliveries: ReadonlyMap<string, RecordDelivery>, private readonly settings: ConsumerGroupSettings) {
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      partitionAssigners: [settings.partitionAssignment === 'co-partitioned' ? coPartitionedAssigner : PartitionAssigners.roundRobin],
    });
    const now = settings.now ?? Date.now;
    this.now = now;
    this.restartBackoff = settings.restartBackoffMs ?? RESTART_BACKOFF_MS;
    this.restartBackoffMs = this.restartBackoff.first;
    this.progress = new PartitionProgress(groupId, now);
    this.consumer.on(this.consumer.events.HEARTBEAT, () => {
      this.confirmedAt = now();
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.everJoined = true;
      this.crashed = false;
      this.restartBackoffMs = this.restartBackoff.first;
      this.confirmedAt = now();
      this.assign(new Map(Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => [topic, new Set(partitions)])));
    });
    // NOTE: from the start of a rebalance until the next join this member may lose partitions: it owns no key meanwhile,
    // so two members never both act as the owner of a key (see KeyOwnership).
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.assign(new Map());
      // What was handled is committed before the partitions move (as kafkajs's auto-commit did); best effort.
      void this.commitWaiting();
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.joined = false;
      this.assign(new Map());
      // NOTE: kafkajs restarts the consumer itself when the crash was retriable; only a final crash is fatal.
      settings.logger.error({ groupId, error: String(event.payload.error), restart: event.payload.restart }, 'consumer crashed');
      if (!event.payload.restart) this.crashed = true;
      // kafkajs gives up for good on errors it deems final, some of which a broker restart causes (see isCoordinatorMiss):
      // the group restarts itself, unless it was refused at start-up (no group ACL), which stops the service.
      if (!event.payload.restart && !this.stopping) void this.afterFinalCrash(event.payload.error);
    });
  }

  /** After kafkajs stopped the group for good: a refusal at start-up goes to onFailure; anything else restarts the group. */
  private async afterFinalCrash(cause: Error): Promise<void> {
    if (!this.everJoined && isCoordinatorMiss(cause) && (await (this.settings.brokersAnswer?.() ?? Promise.resolve(false)))) {
      this.coordinatorMisses += 1;
      if (this.coordinatorMisses >= COORDINATOR_MISSES_BEFORE_REFUSAL) {
        const answer = `the brokers answer but named no coordinator for the group ${this.coordinatorMisses} times in a row, which is how Kafka answers a principal not authorized to access the group (${cause.message})`;
        this.settings.onFailure?.(new RuntimeError('BROKER_REFUSED', `consumer group '${this.groupId}' stopped for good: ${answer}`, { cause }));
        return;
      }
    } else {
      this.coordinatorMisses = 0;
    }
    this.restartLater();
  }

  /** Runs the stopped kafkajs consumer again after a backoff (its subscriptions are kept); a failed restart backs off more. */
  private restartLater(): void {
    if (this.stopping || this.restartTimer !== undefined) return;
    const delayMs = this.restartBackoffMs;
    this.restartBackoffMs = Math.min(this.restartBackoff.max, delayMs * 2);
    this.settings.logger.warn({ groupId: this.groupId, delayMs }, 'restarting the consumer group kafkajs stopped');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.consumer.connect().then(() => this.run()).catch((error: unknown) => {
        this.settings.logger.error({ groupId: this.groupId, error: String(error) }, 'consumer group restart failed');
        this.restartLater();
      });
    }, delayMs);
  }

  private assign(assigned: ReadonlyMap<string, ReadonlySet<number>>): void {
    this.assigned = assigned;
    this.progress.retain(assigned);
    this.assignmentGeneration++;
  }

  /**
   * The partitions of `fullTopic` this member holds now, and a number that changes whenever they may have. None once
   * the broker has not confirmed the member (join or heartbeat) for a session timeout: it may have been expelled
   * without a rebalance event (a stalled event loop), and owns nothing until it is confirmed again.
   */
  assignment(fullTopic: string): { readonly partitions: ReadonlySet<number>; readonly generation: number } {
    const confirmed = this.now() - this.confirmedAt <= this.settings.sessionTimeoutMs;
    return { partitions: confirmed ? (this.assigned.get(fullTopic) ?? new Set()) : new Set(), generation: this.assignmentGeneration };
  }

  /** Whether this group consumes `fullTopic`. */
  consumes(fullTopic: string): boolean {
    return this.deliveries.has(fullTopic);
  }

  /** Connects, subscribes and starts consuming (resolves before the group is joined; see status().joined). */
  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.deliveries.keys()], fromBeginning: this.settings.fromBeginning });
    await this.run();
  }

  private run(): Promise<void> {
    return this.consumer.run({
      // NOTE: with commitDelayMs 0 kafkajs commits after every batch (and at a rebalance) itself; otherwise commits are
      // this class's (afterBatch, commitWaiting).
      autoCommit: this.settings.commitDelayMs === 0,
      autoCommitThreshold: this.settings.commitEveryMessages,
      autoCommitInterval: this.settings.commitEveryMs,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
  }

  /** Finishes each partition's in-flight record, commits what was resolved, leaves the group, disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    // What idle partitions handled; a batch in flight commits its own when it ends (afterBatch, stopping).
    await this.commitWaiting();
    for (const timer of this.resumeTimers.values()) clearTimeout(timer);
    this.resumeTimers.clear();
    await this.consumer.disconnect();
    this.joined = false;
    this.assign(new Map());
  }

  /** The partitions this member holds with records waiting and no progress for at least `stallAfterMs`. */
  stalled(stallAfterMs: number): StalledPartition[] {
    return this.progress.stalled(stallAfterMs);
  }

  status(): ConsumerGroupStatus {
    return {
      groupId: this.groupId, topics: [...this.deliveries.keys()], joined: this.joined, crashed: this.crashed,
      pausedPartitions: [...this.resumeTimers.keys()],
    };
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const delivery = this.deliveries.get(batch.topic);
    if (delivery === undefined) return;
    const lane = `${batch.topic}/${batch.partition}`;
    const wait = (ms: number) => waitWithHeartbeats(ms, () => payload.heartbeat());
    if (delivery.keyConcurrency > 1 || delivery.maxRunLength > 1) {
      await this.consumeBatchByKey(payload, delivery, wait);
      return;
    }
    let sinceCheck = 0;
    let checkedAt = Date.now();
    let done: string | undefined;
    this.reportLag(batch, batch.firstOffset());
    try {
      for (const message of batch.messages) {
        if (!payload.isRunning() || payload.isStale() || this.stopping) break;
        const outcome = await delivery.deliver(toRecord(batch.topic, batch.partition, message), wait);
        if (outcome.kind === 'redeliver') {
          this.pauseAndRewind(batch.topic, batch.partition, message.offset, outcome.reason);
          break;
        }
        this.failures.delete(lane);
        done = message.offset;
        // NOTE: offsets are resolved (kafkajs does Long arithmetic each time) and commits/heartbeats checked every 50
        // records or 500 ms, and always before leaving the batch; nothing is committed between those points anyway.
        if (++sinceCheck >= 50 || Date.now() - checkedAt >= 500) {
          sinceCheck = 0;
          checkedAt = Date.now();
          this.resolve(payload, done);
          await payload.commitOffsetsIfNecessary();
          await payload.heartbeat();
        }
      }
    } finally {
      if (done !== undefined) this.resolve(payload, done);
    }
    await this.afterBatch(payload);
  }

  /**
   * After a batch (commitDelayMs > 0): commits when commitEveryMessages records or commitEveryMs wait (kafkajs's
   * thresholds), everything at a stop, and otherwise makes sure what waits is committed within commitDelayMs even if no
   * batch follows.
   */
  private async afterBatch(payload: EachBatchPayload): Promise<void> {
    // kafkajs's auto-commit does it all after the batch returns.
    if (this.settings.commitDelayMs === 0) return;
    this.uncommittedOffsets = () => payload.uncommittedOffsets();
    if (this.stopping) {
      const waiting = flatOffsets(payload.uncommittedOffsets());
      if (waiting.length > 0) await payload.commitOffsetsIfNecessary({ topics: payload.uncommittedOffsets().topics });
      return;
    }
    await payload.commitOffsetsIfNecessary();
    if (this.commitTimer === undefined && flatOffsets(payload.uncommittedOffsets()).length > 0) {
      this.commitTimer = setTimeout(() => {
        this.commitTimer = undefined;
        void this.commitWaiting();
      }, this.settings.commitDelayMs);
      this.commitTimer.unref();
    }
  }

  /** Commits every offset resolved and not yet committed (best effort: what fails is committed later or redelivered). */
  private async commitWaiting(): Promise<void> {
    const waiting = this.uncommittedOffsets === undefined ? [] : flatOffsets(this.uncommittedOffsets());
    if (waiting.length === 0) return;
    try {
      await this.consumer.commitOffsets(waiting);
    } catch (error) {
      this.settings.logger.warn({ groupId: this.groupId, error: String(error) }, 'could not commit offsets: they are committed later, or the records redelivered');
    }
  }

  /** Resolves the batch up to `offset` (done) and reports the lag behind it. */
  private resolve(payload: EachBatchPayload, offset: string): void {
    payload.resolveOffset(offset);
    this.reportLag(payload.batch, offset, 1);
  }

  /**
   * Reports the records from `offset` (+ `past`) to the batch's high watermark as the group's lag on the partition,
   * to the listener and to the stall detection.
   */
  private reportLag(batch: EachBatchPayload['batch'], offset: string | null, past = 0): void {
    if (offset === null) return;
    const position = Number(offset) + past;
    const behind = Number(batch.highWatermark) - position;
    if (!Number.isFinite(behind)) return;
    const lag = { groupId: this.groupId, topic: batch.topic, partition: batch.partition, behind: Math.max(0, behind), position };
    this.progress.observe(lag);
    this.settings.onLag?.(lag);
  }

  /**
   * A batch with records of different keys in flight at once (at most `keyConcurrency`): a record starts once the
   * previous record of its key is done, so each key keeps its order. A consumer with handleRun gets the records of a
   * key in the batch as runs (runsByKey), each run after the previous run of its key; with runScope `partition`,
   * runs of consecutive records of any keys, one after another. Offsets are resolved up to the oldest record not
   * done. A record to redeliver stops the batch: nothing new starts, the records in flight finish, and the partition
   * is rewound to the oldest record not done (records after it that were done are delivered again: at least once,
   * and the idempotency store skips them).
   */
  private async consumeBatchByKey(payload: EachBatchPayload, delivery: RecordDelivery, wait: (ms: number) => Promise<void>): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages;
    const done = new Array<boolean>(messages.length).fill(false);
    const tails = new Map<string, Promise<boolean>>();
    const inFlight = new Set<Promise<unknown>>();
    let resolvedUpTo = 0;
    let redeliver: { reason: string } | undefined;
    let checkedAt = Date.now();
    let sinceCheck = 0;
    const advance = (): void => {
      while (resolvedUpTo < messages.length && done[resolvedUpTo]) resolvedUpTo++;
    };
    this.reportLag(batch, batch.firstOffset());
    const stopped = (): boolean => redeliver !== undefined || !payload.isRunning() || payload.isStale() || this.stopping;
    // A partition-wide run is ordered like a key of its own: every record falls under one key.
    const keyOf = delivery.runScope === 'partition'
      ? (): string => ''
      : (i: number): string => (messages[i].key === null ? '' : messages[i].key.toString('latin1'));
    try {
      for (const unit of runsByKey(messages.length, keyOf, delivery.maxRunLength)) {
        if (stopped()) break;
        while (inFlight.size >= delivery.keyConcurrency) await Promise.race(inFlight);
        if (stopped()) break;
        const key = keyOf(unit[0]);
        const previous = tails.get(key);
        const run = (async (): Promise<boolean> => {
          // NOTE: a key's record waits for the previous one of the key, and does not run when that one was not done.
          if (previous !== undefined && !(await previous)) return false;
          if (redeliver !== undefined || this.stopping) return false;
          // A unit (one record, or a run of one key) reports which of its records are done even when it must be redelivered.
          const result = await delivery.deliverRun(unit.map((i) => toRecord(batch.topic, batch.partition, messages[i])), wait);
          unit.forEach((i, k) => { if (result.done[k]) done[i] = true; });
          if (result.outcome.kind === 'redeliver') {
            redeliver ??= { reason: result.outcome.reason };
            return false;
          }
          return true;
        })();
        tails.set(key, run);
        const tracked: Promise<unknown> = run.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        if (++sinceCheck >= 50 || Date.now() - checkedAt >= 500) {
          sinceCheck = 0;
          checkedAt = Date.now();
          advance();
          if (resolvedUpTo > 0) this.resolve(payload, messages[resolvedUpTo - 1].offset);
          await payload.commitOffsetsIfNecessary();
          await payload.heartbeat();
        }
      }
      await Promise.all(inFlight);
    } finally {
      await Promise.allSettled(inFlight);
      advance();
      if (resolvedUpTo > 0) this.resolve(payload, messages[resolvedUpTo - 1].offset);
    }
    if (redeliver !== undefined && resolvedUpTo < messages.length) {
      this.pauseAndRewind(batch.topic, batch.partition, messages[resolvedUpTo].offset, redeliver.reason);
    } else if (redeliver === undefined && resolvedUpTo === messages.length) {
      this.failures.delete(`${batch.topic}/${batch.partition}`);
    }
    await this.afterBatch(payload);
  }

  private pauseAndRewind(topic: string, partition: number, offset: string, reason: string): void {
    const lane = `${topic}/${partition}`;
    const failures = (this.failures.get(lane) ?? 0) + 1;
    this.failures.set(lane, failures);
    const delayMs = backoffDelayMs(this.settings.retry, failures);
    this.settings.logger.warn({ groupId: this.groupId, topic, partition, offset, failures, delayMs, reason }, 'partition paused; the message will be redelivered');
    this.consumer.pause([{ topic, partitions: [partition] }]);
    this.consumer.seek({ topic, partition, offset });
    const timer = setTimeout(() => {
      this.resumeTimers.delete(lane);
      if (!this.stopping) this.consumer.resume([{ topic, partitions: [partition] }]);
    }, delayMs);
    timer.unref();
    this.resumeTimers.set(lane, timer);
  }
}

/**
 * The batch's records (0..count-1) as units of work: runs of up to maxRunLength records of one key, in order, each
 * unit listed at its first record (maxRunLength 1: one unit per record, in batch order).
 */
export function runsByKey(count: number, keyOf: (index: number) => string, maxRunLength: number): number[][] {
  const units: number[][] = [];
  const open = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const key = keyOf(i);
    const current = open.get(key);
    if (current !== undefined && current.length < maxRunLength) {
      current.push(i);
      continue;
    }
    const unit = [i];
    units.push(unit);
    open.set(key, unit);
  }
  return units;
}

/** kafkajs's uncommitted offsets as the list consumer.commitOffsets takes. */
function flatOffsets(offsets: OffsetsByTopicPartition): { topic: string; partition: number; offset: string }[] {
  return offsets.topics.flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => ({ topic, partition: Number(partition), offset })));
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    fullTopic: topic, partition, offset: message.offset, timestamp: Number(message.timestamp),
    key: message.key === null ? undefined : message.key.toString('utf8'),
    value: message.value,
    headers: stringHeaders(message.headers),
  };
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

function stringHeaders(headers: IHeaders | undefined): Readonly<Record<string, string>> {
  if (headers === undefined) return NO_HEADERS;
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = typeof first === 'string' ? first : first.toString('utf8');
  }
  return result;
}

async function waitWithHeartbeats(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, HEARTBEAT_WHILE_WAITING_MS)));
    // A failed heartbeat (a rebalance) is kafkajs's to handle; the retry goes on, at worst the record is redelivered.
    await heartbeat().catch(() => undefined);
  }
}
