import { randomUUID } from 'node:crypto';
import { deadLetterTopicFor, topicFor, type TopicMessages, type TopicName } from '@foresight/contracts';
import { groupDeclarations, resolveBusOptions, type BusOptions, type ResolvedBusOptions } from './bus-options.js';
import { InMemoryBroker, partitionOfKey, type StoredRecord } from './in-memory-broker.js';
import type { AnyConsumerDeclaration, BusHealth, KeyOwnership, MessageBus, PublishOptions } from './message-bus.js';
import { encodeOutgoing } from './outgoing-record.js';
import { RecordDelivery } from './record-delivery.js';
import { backoffDelayMs } from './retry-policy.js';
import { RuntimeError } from './runtime-error.js';
import { LocalSchemaCatalog } from './schema-catalog.js';

/** Options of the embedded-mode bus. */
export interface InMemoryBusOptions extends BusOptions {
  /** The broker to attach to; several buses may share one (default: a private broker). */
  readonly broker?: InMemoryBroker;
  /** Records per partition handled before a commit (default 100). */
  readonly maxBatchSize?: number;
  /** Deliver on the next microtask after publish (default true); false: only drain() delivers. */
  readonly autoDeliver?: boolean;
  /** How retries wait; default: not at all (virtual time, so simulations run faster than real time). */
  readonly waitBetweenRetries?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

interface PartitionLane {
  readonly partition: number;
  running: Promise<void> | undefined;
  position: number;
  generation: number;
  backingOff: boolean;
  failures: number;
  timer: NodeJS.Timeout | undefined;
}

interface Subscription {
  readonly groupId: string;
  readonly fullTopic: string;
  readonly delivery: RecordDelivery;
  readonly lanes: PartitionLane[];
}

type BusState = 'running' | 'closing' | 'closed' | 'crashed';

/**
 * The embedded mode's MessageBus: same port, same Avro encoding and validation, same delivery semantics as Kafka
 * (per-key order, group offsets committed after success, retries, DLQ, idempotency), delivered without timers.
 */
export class InMemoryBus implements MessageBus {
  readonly broker: InMemoryBroker;
  private readonly options: ResolvedBusOptions;
  private readonly catalog = new LocalSchemaCatalog();
  private readonly memberId = randomUUID();
  private readonly subscriptions: Subscription[] = [];
  private readonly maxBatchSize: number;
  private readonly autoDeliver: boolean;
  private readonly waitBetweenRetries: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly detach: () => void;
  private state: BusState = 'running';
  private wakeScheduled = false;

  constructor(options: InMemoryBusOptions = {}) {
    this.options = resolveBusOptions(options);
    this.broker = options.broker ?? new InMemoryBroker();
    this.maxBatchSize = options.maxBatchSize ?? 100;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1) throw new RuntimeError('CONFIG_INVALID', `maxBatchSize must be a positive integer, got ${this.maxBatchSize}`);
    this.autoDeliver = options.autoDeliver ?? true;
    this.waitBetweenRetries = options.waitBetweenRetries ?? (() => Promise.resolve());
    this.now = options.now ?? Date.now;
    this.detach = this.broker.attach(() => this.scheduleWake());
  }

  /** Validates, encodes and appends the messages; rejects the whole call with ContractError if one is invalid. */
  async publish<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][], options?: PublishOptions): Promise<void> {
    if (this.state === 'closed' || this.state === 'crashed') throw new RuntimeError('BUS_CLOSED', `publish to '${topic}' after close`);
    const records = encodeOutgoing(topic, messages, await this.catalog.schemaIdOf(topic), options);
    const fullTopic = topicFor(this.options.topicPrefix, topic);
    // Like one produce request: all the records or none.
    for (const record of records) {
      const refusal = this.broker.refusalOf(record);
      if (refusal !== undefined) throw new RuntimeError('BROKER_REFUSED', `publishing ${messages.length} message(s) to '${topic}' failed: ${refusal}`);
    }
    for (const record of records) this.broker.append(fullTopic, record);
    this.broker.notify();
  }

  startConsumers(declarations: readonly AnyConsumerDeclaration[]): Promise<void> {
    if (this.state !== 'running') return Promise.reject(new RuntimeError('BUS_CLOSED', 'startConsumers after close'));
    const grouped = groupDeclarations(declarations, this.options.groupId);
    for (const { declaration, groupId } of grouped) {
      const fullTopic = topicFor(this.options.topicPrefix, declaration.topic);
      if (this.subscriptions.some((s) => s.groupId === groupId && s.fullTopic === fullTopic)) {
        return Promise.reject(new RuntimeError('CONFIG_INVALID', `'${declaration.topic}' is already consumed by group '${groupId}' on this bus`));
      }
      const delivery = new RecordDelivery(declaration, groupId, {
        topicPrefix: this.options.topicPrefix, catalog: this.catalog, retry: this.options.retry, idempotency: this.options.idempotency,
        logger: this.options.logger, now: this.now, onDeadLetter: this.options.onDeadLetter,
        // A refusal (BROKER_REFUSED: over maxRecordBytes) thrown by append rejects the promise.
        writeDeadLetter: (letter) => new Promise<void>((resolve) => {
          this.broker.append(letter.topic, letter);
          resolve();
        }),
        publish: (topic, messages, options) => this.publish(topic, messages, options),
        isClosing: () => this.state !== 'running',
      });
      const lanes = Array.from({ length: this.broker.partitionCount }, (_, partition): PartitionLane => (
        { partition, running: undefined, position: 0, generation: -1, backingOff: false, failures: 0, timer: undefined }));
      this.subscriptions.push({ groupId, fullTopic, delivery, lanes });
      this.broker.join(groupId, fullTopic, this.memberId);
    }
    this.broker.notify();
    return Promise.resolve();
  }

  /** Delivers everything deliverable now and resolves when idle (lanes backing off after an outage are retried once). */
  async drain(): Promise<void> {
    for (const subscription of this.subscriptions) {
      for (const lane of subscription.lanes) this.endBackoff(lane);
    }
    for (;;) {
      this.wake();
      const running = this.subscriptions.flatMap((s) => s.lanes.map((l) => l.running)).filter((r) => r !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  keyOwnership(topic: TopicName): KeyOwnership {
    // Resolved at each call: the view may be taken before the consumers start.
    const fullTopic = topicFor(this.options.topicPrefix, topic);
    const subscription = (): Subscription | undefined => this.subscriptions.find((s) => s.fullTopic === fullTopic);
    const broker = this.broker;
    const memberId = this.memberId;
    return {
      owns: (key) => {
        const s = subscription();
        return s !== undefined && broker.ownerOf(s.groupId, fullTopic, partitionOfKey(key, broker.partitionCount)) === memberId;
      },
      get generation() {
        const s = subscription();
        return s === undefined ? 0 : broker.generationOf(s.groupId, fullTopic);
      },
      get active() {
        const s = subscription();
        return s !== undefined && Array.from({ length: broker.partitionCount }, (_, p) => p).some((p) => broker.ownerOf(s.groupId, fullTopic, p) === memberId);
      },
    };
  }

  /** Graceful: each partition finishes its in-flight message and commits, then the consumers leave their groups. */
  async close(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'closing';
    await Promise.all(this.subscriptions.flatMap((s) => s.lanes.map((l) => l.running ?? Promise.resolve())));
    this.leaveGroups();
    this.state = 'closed';
  }

  /** Test hook: dies like a SIGKILLed process: leaves at once, commits nothing more (in-flight work is abandoned). */
  crash(): void {
    if (this.state === 'crashed' || this.state === 'closed') return;
    this.state = 'crashed';
    this.leaveGroups();
  }

  /** Test hook: appends raw bytes to a topic, bypassing encoding (to deliver poison like a foreign producer). */
  injectRaw(topic: TopicName, value: Buffer | null, options: { readonly key?: string; readonly headers?: Readonly<Record<string, string>> } = {}): void {
    this.broker.append(topicFor(this.options.topicPrefix, topic), { key: options.key, value, headers: options.headers ?? {} });
    this.broker.notify();
  }

  /** The dead letters of a topic. */
  deadLetters(topic: TopicName): readonly StoredRecord[] {
    return this.broker.records(deadLetterTopicFor(this.options.topicPrefix, topic));
  }

  health(): BusHealth {
    const backingOff = this.subscriptions.flatMap((s) => s.lanes.filter((l) => l.backingOff).map((l) => `${s.fullTopic}/${l.partition}`));
    return {
      live: this.state !== 'crashed',
      ready: this.state === 'running',
      details: {
        mode: 'in-memory', state: this.state, backingOff,
        consumers: this.subscriptions.map((s) => ({ groupId: s.groupId, topic: s.fullTopic })),
      },
    };
  }

  private leaveGroups(): void {
    this.detach();
    for (const subscription of this.subscriptions) {
      for (const lane of subscription.lanes) this.endBackoff(lane);
      this.broker.leave(subscription.groupId, subscription.fullTopic, this.memberId);
    }
    this.broker.notify();
  }

  private scheduleWake(): void {
    if (!this.autoDeliver || this.wakeScheduled) return;
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      this.wake();
    });
  }

  /** Starts every idle lane that owns its partition and has records past its position. */
  private wake(): void {
    if (this.state !== 'running') return;
    for (const subscription of this.subscriptions) {
      for (const lane of subscription.lanes) {
        if (lane.running !== undefined || lane.backingOff || !this.owns(subscription, lane)) continue;
        this.syncPosition(subscription, lane);
        if (lane.position >= this.broker.endOffset(subscription.fullTopic, lane.partition)) continue;
        lane.running = this.runLane(subscription, lane).finally(() => {
          lane.running = undefined;
          this.scheduleWake();
        });
      }
    }
  }

  private async runLane(subscription: Subscription, lane: PartitionLane): Promise<void> {
    const { groupId, fullTopic } = subscription;
    const records = this.broker.read(fullTopic, lane.partition, lane.position, this.maxBatchSize);
    let next = lane.position;
    for (const record of records) {
      if (this.state !== 'running' || !this.owns(subscription, lane)) break;
      const outcome = await subscription.delivery.deliver({
        fullTopic, partition: record.partition, offset: String(record.offset), timestamp: record.timestamp, key: record.key, value: record.value, headers: record.headers,
      }, this.waitBetweenRetries).catch((error: unknown) => ({ kind: 'redeliver' as const, code: 'HANDLER_FATAL', reason: String(error) }));
      if (this.isCrashed()) return;
      if (outcome.kind === 'redeliver') {
        this.startBackoff(lane);
        break;
      }
      lane.failures = 0;
      next = record.offset + 1;
    }
    if (this.isCrashed()) return;
    this.broker.commit(groupId, fullTopic, lane.partition, next);
    lane.position = next;
  }

  private isCrashed(): boolean {
    return this.state === 'crashed';
  }

  private owns(subscription: Subscription, lane: PartitionLane): boolean {
    return this.broker.ownerOf(subscription.groupId, subscription.fullTopic, lane.partition) === this.memberId;
  }

  private syncPosition(subscription: Subscription, lane: PartitionLane): void {
    const generation = this.broker.generationOf(subscription.groupId, subscription.fullTopic);
    if (lane.generation === generation) return;
    lane.generation = generation;
    lane.position = this.broker.committed(subscription.groupId, subscription.fullTopic, lane.partition);
  }

  private startBackoff(lane: PartitionLane): void {
    lane.failures++;
    lane.backingOff = true;
    if (!this.autoDeliver) return;
    lane.timer = setTimeout(() => {
      this.endBackoff(lane);
      this.scheduleWake();
    }, backoffDelayMs(this.options.retry, lane.failures));
    lane.timer.unref();
  }

  private endBackoff(lane: PartitionLane): void {
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.backingOff = false;
  }
}
