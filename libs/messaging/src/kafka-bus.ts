import { Partitioners, type Admin, type Kafka, type PartitionMetadata, type Producer } from 'kafkajs';
import { deadLetterTopicFor, topicFor, type TopicMessages, type TopicName } from '@foresight/contracts';
import type { ConsumerSubscription } from './consumer-backlog.js';
import { groupDeclarations, resolveBusOptions, type BusOptions, type ResolvedBusOptions } from './bus-options.js';
import type { DeadLetter } from './dead-letter.js';
import { kafkaClient } from './kafka-client.js';
import { produceError } from './kafka-produce-error.js';
import { validateKafkaConnection, type KafkaConnectionConfig } from './kafka-config.js';
import { KafkaConsumerGroup, type ConsumerLagListener } from './kafka-consumer-group.js';
import type { StalledPartition } from './partition-progress.js';
import type { AnyConsumerDeclaration, BusHealth, KeyOwnership, MessageBus, PublishOptions } from './message-bus.js';
import { outgoingRecords, type OutgoingRecord } from './outgoing-record.js';
import { RecordDelivery } from './record-delivery.js';
import { RegistrySchemaCatalog } from './registry-schema-catalog.js';
import { RuntimeError } from './runtime-error.js';
import { SchemaRegistryClient } from './schema-registry-client.js';

/** Options of the Kafka bus. */
export interface KafkaBusOptions extends BusOptions {
  readonly connection: KafkaConnectionConfig;
  /** Partitions of topics the bus creates (default 3). */
  readonly partitions?: number;
  /** Replication factor of topics the bus creates (default: the broker's default). */
  readonly replicationFactor?: number;
  /** Create missing topics and their .dlq topics (default true). */
  readonly createTopics?: boolean;
  /** Topics to prepare (create, register) at connect, so a broken registry fails the start-up. */
  readonly topics?: readonly TopicName[];
  /** Where a new consumer group starts (default true: the earliest offset). */
  readonly fromBeginning?: boolean;
  /** Partitions a group processes in parallel (default: `partitions`). */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxBytesPerPartition?: number;
  /** How long a fetch waits for data (default 1000 ms; bounds how long close() waits for an idle fetch). */
  readonly maxWaitTimeMs?: number;
  /**
   * How long an idle producer waits before sending, so publishes of handlers running at the same time go in one
   * request (default 0: send at once). Calls made while a request is in flight are coalesced into the next one anyway.
   */
  readonly lingerMs?: number;
  /** Commit resolved offsets at least every this many records (default 100) … */
  readonly commitEveryMessages?: number;
  /** … or this many milliseconds (default 1000) … */
  readonly commitEveryMs?: number;
  /**
   * … or, when > 0, at the latest this long after the batch that resolved them instead of after every batch (default
   * 0: kafkajs commits after every batch, so a finished batch shows in the committed offsets at once, as KafkaCatchUp's
   * waits want). Fewer commits at low rates, where a batch holds a record or two and a commit per batch is a broker
   * request per record; a crash or a rebalance redelivers what was handled and not yet committed.
   */
  readonly commitDelayMs?: number;
  /**
   * How a group's partitions are spread over its members (default 'round-robin'). 'co-partitioned' gives partition p
   * of every subscribed topic to the same member, so state kept per key across topics keyed alike stays in one place.
   */
  readonly partitionAssignment?: PartitionAssignment;
  /** Told each group's lag per partition (records behind the partition end) as it consumes: for a consumer-lag gauge. */
  readonly onConsumerLag?: ConsumerLagListener;
  /**
   * Told when a consumer group stopped for good before it ever joined: kafkajs gave up without restarting it (a refusal
   * such as a missing group ACL, not an outage). The bus consumes nothing on that group; a service should stop
   * (service-kit does). A group that had joined and then stops for good turns health().live false instead.
   */
  readonly onConsumerFailure?: (error: RuntimeError) => void;
}

/** The partition assignment strategies a KafkaBus group can use. */
export type PartitionAssignment = 'round-robin' | 'co-partitioned';

type BusState = 'running' | 'closing' | 'closed';

/** One publish() call waiting to be sent. */
interface PendingSend {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * How long offsets resolved by a batch may wait for their commit by default (see KafkaBusOptions.commitDelayMs): 0,
 * kafkajs's commit after every batch. NOTE: 100 ms cut OffsetCommit requests from 3.2-3.4 to 0.6 per anomaly in a
 * 3-hop relay at 50/s, but the chaos suite's first fault (SIGKILL topology-builder, two instances per service) then
 * ended with 38 GRANTs of a closed incident never released (passes at 0): not the default until that is understood.
 */
const DEFAULT_COMMIT_DELAY_MS = 0;

/** Bounds of one coalesced produce request (a single call larger than this still goes alone). */
const MAX_COALESCED_RECORDS = 1000;
const MAX_COALESCED_BYTES = 512 * 1024;

function recordBytes(records: readonly OutgoingRecord[]): number {
  let bytes = 0;
  for (const r of records) bytes += r.value.length + r.key.length;
  return bytes;
}

/**
 * The production MessageBus on Kafka: an idempotent producer, Avro values framed with registry schema ids, one
 * consumer per group with offsets committed after success, retries, DLQ, idempotency and trace context.
 */
export class KafkaBus implements MessageBus {
  private readonly schemaIds = new Map<TopicName, number>();
  private readonly preparing = new Map<TopicName, Promise<number>>();
  private readonly ensuredTopics = new Set<string>();
  private readonly groups: KafkaConsumerGroup[] = [];
  /** Partition counts of the consumed topics (read when consumers start), for key ownership. */
  private readonly partitionCounts = new Map<string, number>();
  private readonly now = Date.now;
  private state: BusState = 'running';
  private producerConnected = false;
  /** publish() calls waiting for the request in flight to finish (see send). */
  private queued: PendingSend[] = [];
  private sending = false;
  private acknowledged = 0;

  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly admin: Admin,
    private readonly catalog: RegistrySchemaCatalog,
    private readonly registry: SchemaRegistryClient,
    private readonly options: ResolvedBusOptions,
    private readonly kafkaOptions: KafkaBusOptions,
  ) {}

  /** Validates the config, connects the producer and admin, prepares `options.topics`; fails with a clear error. */
  static async connect(options: KafkaBusOptions): Promise<KafkaBus> {
    const connection = validateKafkaConnection(options.connection);
    const resolved = resolveBusOptions(options);
    const partitions = options.partitions ?? 3;
    if (!Number.isInteger(partitions) || partitions < 1) throw new RuntimeError('CONFIG_INVALID', `partitions must be a positive integer, got ${partitions}`);
    for (const [name, value] of [['lingerMs', options.lingerMs], ['commitDelayMs', options.commitDelayMs]] as const) {
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw new RuntimeError('CONFIG_INVALID', `${name} must be a number ≥ 0, got ${value}`);
    }
    const kafka = kafkaClient(connection, resolved.logger);
    // NOTE: kafkajs requires at most one in-flight request for its idempotent producer to keep order on retries.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    const admin = kafka.admin();
    try {
      await producer.connect();
      await admin.connect();
    } catch (cause) {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      throw new RuntimeError('BROKER_UNAVAILABLE', `cannot connect to Kafka at ${connection.brokers.join(',')}: ${(cause as Error).message}`, { cause });
    }
    const registry = new SchemaRegistryClient(connection.registry);
    const catalog = new RegistrySchemaCatalog(registry, resolved.topicPrefix);
    const bus = new KafkaBus(kafka, producer, admin, catalog, registry, resolved, { ...options, partitions });
    bus.producerConnected = true;
    try {
      await Promise.all((options.topics ?? []).map((topic) => bus.prepareTopic(topic)));
    } catch (error) {
      await bus.close();
      throw error;
    }
    return bus;
  }

  /** Validates, encodes and sends the messages in one request (acks: all); BROKER_UNAVAILABLE when Kafka fails. */
  async publish<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][], options?: PublishOptions): Promise<void> {
    if (this.state === 'closed') throw new RuntimeError('BUS_CLOSED', `publish to '${topic}' after close`);
    if (messages.length === 0) return;
    if (!this.schemaIds.has(topic)) await this.prepareTopic(topic);
    const records = outgoingRecords(topic, messages, await this.catalog.encode(topic, messages), options);
    try {
      await this.send(topicFor(this.options.topicPrefix, topic), records);
    } catch (cause) {
      // A refusal for good (BROKER_REFUSED: a record too large, …) is the message's fault: its handler's message is dead-lettered.
      throw produceError(cause, `publishing ${messages.length} message(s) to '${topic}' failed`);
    }
  }

  /**
   * Sends records with acks: all. The idempotent producer has one request in flight at a time, so calls made while
   * one is in flight are coalesced into the next request (in call order, so per-partition order is kept; bounded by
   * MAX_COALESCED_RECORDS/BYTES); each call resolves once its records are acknowledged, or rejects with the request's
   * error. An idle producer sends at once, or after `lingerMs` when set, with whatever was published meanwhile.
   */
  private send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ topic, records, bytes: recordBytes(records), resolve, reject });
      if (this.sending) return;
      this.sending = true;
      const lingerMs = this.kafkaOptions.lingerMs ?? 0;
      if (lingerMs > 0) setTimeout(() => void this.flush(), lingerMs);
      else void this.flush();
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        let take = 0;
        let count = 0;
        let bytes = 0;
        while (take < this.queued.length && (take === 0 || (count + this.queued[take].records.length <= MAX_COALESCED_RECORDS && bytes + this.queued[take].bytes <= MAX_COALESCED_BYTES))) {
          count += this.queued[take].records.length;
          bytes += this.queued[take].bytes;
          take++;
        }
        const batch = this.queued.splice(0, take);
        const byTopic = new Map<string, OutgoingRecord[]>();
        for (const p of batch) {
          const list = byTopic.get(p.topic);
          if (list === undefined) byTopic.set(p.topic, [...p.records]);
          else for (const r of p.records) list.push(r);
        }
        try {
          await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          this.acknowledged += count;
          for (const p of batch) p.resolve();
        } catch (error) {
          if (batch.length === 1 || produceError(error, 'send').code !== 'BROKER_REFUSED') {
            for (const p of batch) p.reject(error);
            continue;
          }
          // NOTE: a refusal for good (a record too large) is one call's fault: the calls coalesced with it go alone, in order.
          for (const p of batch) {
            try {
              await this.producer.sendBatch({ acks: -1, topicMessages: [{ topic: p.topic, messages: [...p.records] }] });
              this.acknowledged += p.records.length;
              p.resolve();
            } catch (alone) {
              p.reject(alone);
            }
          }
        }
      }
    } finally {
      this.sending = false;
    }
  }

  async startConsumers(declarations: readonly AnyConsumerDeclaration[]): Promise<void> {
    if (this.state !== 'running') throw new RuntimeError('BUS_CLOSED', 'startConsumers after close');
    const byGroup = new Map<string, Map<string, RecordDelivery>>();
    for (const { declaration, groupId } of groupDeclarations(declarations, this.options.groupId)) {
      await this.prepareTopic(declaration.topic);
      await this.ensureTopics([deadLetterTopicFor(this.options.topicPrefix, declaration.topic)]);
      const deliveries = byGroup.get(groupId) ?? new Map<string, RecordDelivery>();
      deliveries.set(topicFor(this.options.topicPrefix, declaration.topic), new RecordDelivery(declaration, groupId, {
        topicPrefix: this.options.topicPrefix, catalog: this.catalog, retry: this.options.retry, idempotency: this.options.idempotency,
        logger: this.options.logger, now: this.now, onDeadLetter: this.options.onDeadLetter,
        writeDeadLetter: (letter) => this.writeDeadLetter(letter),
        publish: (topic, messages, options) => this.publish(topic, messages, options),
        isClosing: () => this.state !== 'running',
      }));
      byGroup.set(groupId, deliveries);
    }
    const partitions = this.kafkaOptions.partitions ?? 3;
    const consumed = [...byGroup.values()].flatMap((deliveries) => [...deliveries.keys()]);
    try {
      const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics: consumed });
      for (const t of metadata) this.partitionCounts.set(t.name, t.partitions.length);
    } catch (cause) {
      throw new RuntimeError('BROKER_UNAVAILABLE', `cannot read the partitions of ${consumed.join(', ')}: ${(cause as Error).message}`, { cause });
    }
    for (const [groupId, deliveries] of byGroup) {
      const group = new KafkaConsumerGroup(this.kafka, groupId, deliveries, {
        fromBeginning: this.kafkaOptions.fromBeginning ?? true,
        partitionsConsumedConcurrently: this.kafkaOptions.partitionsConsumedConcurrently ?? partitions,
        sessionTimeoutMs: this.kafkaOptions.sessionTimeoutMs ?? 30_000,
        heartbeatIntervalMs: this.kafkaOptions.heartbeatIntervalMs ?? 3000,
        maxBytesPerPartition: this.kafkaOptions.maxBytesPerPartition ?? 1_048_576,
        maxWaitTimeMs: this.kafkaOptions.maxWaitTimeMs ?? 1000,
        commitEveryMessages: this.kafkaOptions.commitEveryMessages ?? 100,
        commitEveryMs: this.kafkaOptions.commitEveryMs ?? 1000,
        commitDelayMs: this.kafkaOptions.commitDelayMs ?? DEFAULT_COMMIT_DELAY_MS,
        partitionAssignment: this.kafkaOptions.partitionAssignment ?? 'round-robin',
        retry: this.options.retry,
        logger: this.options.logger,
        ...(this.kafkaOptions.onConsumerLag !== undefined ? { onLag: this.kafkaOptions.onConsumerLag } : {}),
        ...(this.kafkaOptions.onConsumerFailure !== undefined ? { onFailure: this.kafkaOptions.onConsumerFailure } : {}),
        brokersAnswer: () => this.pingBroker().then(() => true, () => false),
      });
      this.groups.push(group);
      try {
        await group.start();
      } catch (cause) {
        throw new RuntimeError('BROKER_UNAVAILABLE', `cannot start consumer group '${groupId}': ${(cause as Error).message}`, { cause });
      }
    }
  }

  keyOwnership(topic: TopicName): KeyOwnership {
    // Resolved at each call: the view may be taken before the consumers start.
    const fullTopic = topicFor(this.options.topicPrefix, topic);
    const group = (): KafkaConsumerGroup | undefined => this.groups.find((g) => g.consumes(fullTopic));
    const counts = this.partitionCounts;
    return {
      owns: (key) => {
        const g = group();
        const count = counts.get(fullTopic);
        return g !== undefined && count !== undefined && g.assignment(fullTopic).partitions.has(kafkaPartitionOf(key, count));
      },
      get generation() {
        return group()?.assignment(fullTopic).generation ?? 0;
      },
      get active() {
        return counts.has(fullTopic) && (group()?.assignment(fullTopic).partitions.size ?? 0) > 0;
      },
    };
  }

  /** Graceful (SIGTERM): consumers finish their in-flight records and commit, then producer and admin disconnect. */
  async close(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'closing';
    const results = await Promise.allSettled(this.groups.map((group) => group.stop()));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    this.producerConnected = false;
    this.state = 'closed';
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) this.options.logger.warn({ error: String(failed.reason) }, 'a consumer did not stop cleanly');
  }

  /** The consumer groups this bus started and the full names of the topics each consumes (see KafkaPrefixAdmin.backlog). */
  subscriptions(): ConsumerSubscription[] {
    return this.groups.map((group) => ({ groupId: group.groupId, topics: group.status().topics }));
  }

  /** Records the broker acknowledged for publish() since connect (dead letters not counted): grows whenever anything was published. */
  get acknowledgedRecords(): number {
    return this.acknowledged;
  }

  health(): BusHealth {
    const groups = this.groups.map((group) => group.status());
    return {
      live: this.state !== 'closed' && groups.every((g) => !g.crashed),
      ready: this.state === 'running' && this.producerConnected && groups.every((g) => g.joined && !g.crashed),
      details: { mode: 'kafka', state: this.state, producerConnected: this.producerConnected, groups },
    };
  }

  /**
   * The partitions of this bus's consumer groups with records waiting (lag > 0) whose position has not moved for at
   * least `stallAfterMs` (a handler blocked, a record redelivered again and again): for readiness.
   */
  stalledPartitions(stallAfterMs: number): StalledPartition[] {
    return this.groups.flatMap((group) => group.stalled(stallAfterMs));
  }

  /** Asks the broker for the cluster's metadata (a round trip); rejects when it does not answer. For readiness. */
  async pingBroker(): Promise<{ readonly brokers: number }> {
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length };
  }

  /** Asks the schema registry for its global config (a small round trip); rejects when it does not answer. For readiness. */
  pingRegistry(): Promise<{ readonly compatibility: string }> {
    return this.registry.ping();
  }

  /** Creates the topic (when allowed) and registers its schema; the id is cached for the hot path. */
  private prepareTopic(topic: TopicName): Promise<number> {
    let prepared = this.preparing.get(topic);
    if (prepared === undefined) {
      prepared = (async () => {
        await this.ensureTopics([topicFor(this.options.topicPrefix, topic)]);
        const id = await this.catalog.schemaIdOf(topic);
        this.schemaIds.set(topic, id);
        return id;
      })();
      prepared.catch(() => this.preparing.delete(topic));
      this.preparing.set(topic, prepared);
    }
    return prepared;
  }

  private async ensureTopics(topics: readonly string[]): Promise<void> {
    if (this.kafkaOptions.createTopics === false) return;
    const missing = topics.filter((t) => !this.ensuredTopics.has(t));
    if (missing.length === 0) return;
    // NOTE: right after creation the metadata may still say UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE;
    // creating again is harmless (kafkajs answers false for existing topics), so retry until every partition has a leader.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({ topic, numPartitions: this.kafkaOptions.partitions ?? 3, replicationFactor: this.kafkaOptions.replicationFactor ?? -1 })),
        });
        const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics: [...missing] });
        const leaderless = metadata.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
        if (leaderless.length > 0) throw Object.assign(new Error(`no leader yet for ${leaderless.join(', ')}`), { retriable: true });
        break;
      } catch (cause) {
        if (attempt >= 10 || (cause as { retriable?: unknown }).retriable !== true) {
          throw new RuntimeError('BROKER_UNAVAILABLE', `cannot create topics ${missing.join(', ')}: ${(cause as Error).message}`, { cause });
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    for (const topic of missing) this.ensuredTopics.add(topic);
  }

  /** Sends one dead letter (acks: all); BROKER_REFUSED when the broker refuses it for good (e.g. too large), else BROKER_UNAVAILABLE. */
  private async writeDeadLetter(letter: DeadLetter): Promise<void> {
    try {
      await this.producer.send({
        topic: letter.topic, acks: -1,
        messages: [{ key: letter.key ?? null, value: letter.value, headers: { ...letter.headers } }],
      });
    } catch (cause) {
      throw produceError(cause, `writing a dead letter to '${letter.topic}'`);
    }
  }
}

const keyPartitioner = Partitioners.DefaultPartitioner();
const metadataByCount = new Map<number, PartitionMetadata[]>();

/** The partition the producer's default partitioner (murmur2, as Kafka's Java client) sends `key` to. */
export function kafkaPartitionOf(key: string, partitionCount: number): number {
  let partitionMetadata = metadataByCount.get(partitionCount);
  if (partitionMetadata === undefined) {
    partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
    metadataByCount.set(partitionCount, partitionMetadata);
  }
  return keyPartitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}
