import { Partitioners, type Admin, type Consumer, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from './dead-letter.js';
import { kafkaClient } from './kafka-client.js';
import { validateKafkaConnection, type KafkaConnectionConfig } from './kafka-config.js';
import { silentLogger, type Logger } from './logger.js';
import { RuntimeError } from './runtime-error.js';

/** One record of a topic outside the Avro contracts (e.g. the Collector's `otlp_spans`), as bytes. */
export interface RawRecord {
  /** The full topic name on the broker. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

/** Handles one fetched batch of one partition, in offset order; a throw retries the batch (nothing is committed). */
export type RawBatchHandler = (records: readonly RawRecord[]) => Promise<void>;

/** Options of the raw-bytes client. */
export interface KafkaRawTopicsOptions {
  readonly connection: KafkaConnectionConfig;
  readonly logger?: Logger;
  /** Create missing topics (default true; FORESIGHT_KAFKA_CREATE_TOPICS=false leaves it to an admin). */
  readonly createTopics?: boolean;
  /** Partitions of topics it creates (default 3). */
  readonly partitions?: number;
  /** Where a new group starts (default true: the earliest offset). */
  readonly fromBeginning?: boolean;
  readonly maxBytesPerPartition?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
}

/** A dead letter of a raw topic: the original bytes and why they were refused. */
export interface RawDeadLetter {
  readonly topic: string;
  readonly value: Buffer;
  readonly code: string;
  readonly reason: string;
  readonly originalTopic: string;
  readonly key?: string;
  readonly partition?: number;
  readonly offset?: string;
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
  }
  return out;
}

/**
 * Consumes and produces topics whose messages are not Foresight's Avro contracts (no registry, no framing): the
 * OTLP topics the OpenTelemetry Collector's Kafka exporter writes. One consumer group per consume() call, offsets
 * committed after each batch handled; dead letters carry the runtime's DEAD_LETTER_HEADERS.
 */
export class KafkaRawTopics {
  private readonly consumers: Consumer[] = [];
  private readonly ensured = new Set<string>();
  private crashed: Error | undefined;
  private closed = false;

  private constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly admin: Admin,
    private readonly options: KafkaRawTopicsOptions,
    private readonly logger: Logger,
  ) {}

  /** Validates the connection and connects a producer and an admin; BROKER_UNAVAILABLE when Kafka cannot be reached. */
  static async connect(options: KafkaRawTopicsOptions): Promise<KafkaRawTopics> {
    const connection = validateKafkaConnection(options.connection);
    const logger = options.logger ?? silentLogger;
    const kafka = kafkaClient(connection, logger);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    const admin = kafka.admin();
    try {
      await producer.connect();
      await admin.connect();
    } catch (cause) {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      throw new RuntimeError('BROKER_UNAVAILABLE', `cannot connect to Kafka at ${connection.brokers.join(',')}: ${(cause as Error).message}`, { cause });
    }
    return new KafkaRawTopics(kafka, producer, admin, options, logger);
  }

  /** Creates the topics that do not exist (unless topic creation is off). */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    if (this.options.createTopics === false) return;
    const missing = topics.filter((t) => !this.ensured.has(t));
    if (missing.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: this.options.partitions ?? 3 })) });
        break;
      } catch (cause) {
        if (attempt >= 10) throw new RuntimeError('BROKER_UNAVAILABLE', `cannot create topics ${missing.join(', ')}: ${(cause as Error).message}`, { cause });
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    for (const topic of missing) this.ensured.add(topic);
  }

  /** Starts a consumer of `topics` in `groupId`; resolves once it runs. A crash beyond kafkajs's restarts makes health() not live. */
  async consume(groupId: string, topics: readonly string[], handle: RawBatchHandler): Promise<void> {
    await this.ensureTopics(topics);
    const consumer = this.kafka.consumer({
      groupId, allowAutoTopicCreation: false,
      ...(this.options.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: this.options.maxBytesPerPartition }),
      ...(this.options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: this.options.sessionTimeoutMs }),
      ...(this.options.heartbeatIntervalMs === undefined ? {} : { heartbeatInterval: this.options.heartbeatIntervalMs }),
    });
    this.consumers.push(consumer);
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) return;
      this.crashed = event.payload.error;
      this.logger.error({ err: event.payload.error, groupId }, 'raw consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
        const records = batch.messages.map((m): RawRecord => ({
          topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value,
          headers: textHeaders(m.headers), timestamp: Number(m.timestamp),
        }));
        await handle(records);
        payload.resolveOffset(batch.messages[batch.messages.length - 1].offset);
        await payload.heartbeat();
      },
    });
  }

  /** Sends records to a topic (acks: all); BROKER_UNAVAILABLE when Kafka fails. */
  async produce(topic: string, records: readonly { readonly key?: string; readonly value: Buffer; readonly headers?: Readonly<Record<string, string>> }[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensureTopics([topic]);
    try {
      await this.producer.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key ?? null, value: r.value, headers: { ...r.headers } })) });
    } catch (cause) {
      throw new RuntimeError('BROKER_UNAVAILABLE', `producing ${records.length} record(s) to '${topic}' failed: ${(cause as Error).message}`, { cause });
    }
  }

  /** Writes a dead letter: the original bytes with the reason, code and origin headers. */
  async deadLetter(letter: RawDeadLetter): Promise<void> {
    const headers: Record<string, string> = {
      [DEAD_LETTER_HEADERS.reason]: letter.reason.slice(0, 1000),
      [DEAD_LETTER_HEADERS.code]: letter.code,
      [DEAD_LETTER_HEADERS.originalTopic]: letter.originalTopic,
      [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
      ...(letter.partition === undefined ? {} : { [DEAD_LETTER_HEADERS.originalPartition]: String(letter.partition) }),
      ...(letter.offset === undefined ? {} : { [DEAD_LETTER_HEADERS.originalOffset]: letter.offset }),
    };
    await this.produce(letter.topic, [{ ...(letter.key === undefined ? {} : { key: letter.key }), value: letter.value, headers }]);
  }

  /** Live unless a consumer crashed for good; ready while live and not closed. */
  health(): { readonly live: boolean; readonly ready: boolean } {
    const live = this.crashed === undefined;
    return { live, ready: live && !this.closed };
  }

  /** Stops the consumers (committing what was handled) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }
}
