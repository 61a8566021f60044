import { RuntimeError } from './runtime-error.js';

/** A record in an in-memory partition log. */
export interface StoredRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | undefined;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

/** A record as handed to the broker. */
export interface AppendedRecord {
  readonly key: string | undefined;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The embedded mode's broker: partitioned append-only logs (partition = hash of the key, so per-key order holds),
 * consumer groups with committed offsets and members that share a topic's partitions. Several InMemoryBus
 * clients can attach to one broker, like several processes to one Kafka cluster.
 */
export class InMemoryBroker {
  private readonly logs = new Map<string, StoredRecord[][]>();
  /** Offset of the first record each partition still holds (records before it were trimmed). */
  private readonly bases = new Map<string, number[]>();
  private readonly commits = new Map<string, number>();
  private readonly members = new Map<string, string[]>();
  private readonly generations = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private roundRobin = 0;

  /**
   * `maxRecordBytes`: the largest record (key, value and headers) it accepts, like Kafka's `max.message.bytes`
   * (default: no limit).
   */
  constructor(readonly partitionCount = 3, private readonly now: () => number = Date.now, readonly maxRecordBytes = Number.POSITIVE_INFINITY) {
    if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new RangeError(`partitionCount must be a positive integer, got ${partitionCount}`);
  }

  /** Why the broker would refuse the record for good (larger than maxRecordBytes), or undefined when it accepts it. */
  refusalOf(record: AppendedRecord): string | undefined {
    if (this.maxRecordBytes === Number.POSITIVE_INFINITY) return undefined;
    let bytes = (record.value?.length ?? 0) + (record.key === undefined ? 0 : Buffer.byteLength(record.key));
    for (const [name, value] of Object.entries(record.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    return bytes > this.maxRecordBytes ? `a record of ${bytes} bytes is larger than the broker accepts (${this.maxRecordBytes})` : undefined;
  }

  /** Appends a record (to the key's partition) and tells the attached clients; BROKER_REFUSED when it is too large. */
  append(topic: string, record: AppendedRecord): StoredRecord {
    const refusal = this.refusalOf(record);
    if (refusal !== undefined) throw new RuntimeError('BROKER_REFUSED', `${topic}: ${refusal}`);
    const partitions = this.partitionsOf(topic);
    const partition = record.key === undefined ? this.roundRobin++ % this.partitionCount : partitionOfKey(record.key, this.partitionCount);
    const log = partitions[partition];
    const stored: StoredRecord = { topic, partition, offset: this.baseOf(topic, partition) + log.length, key: record.key, value: record.value, headers: { ...record.headers }, timestamp: this.now() };
    log.push(stored);
    return stored;
  }

  /** Tells the attached clients that something changed (records appended, members moved). */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Every record of a topic still held, partition by partition (tests read dead-letter topics with it). */
  records(topic: string): readonly StoredRecord[] {
    return (this.logs.get(topic) ?? []).flat();
  }

  /** Up to `max` records of a partition from `offset`. */
  read(topic: string, partition: number, offset: number, max: number): readonly StoredRecord[] {
    const log = this.logs.get(topic)?.[partition];
    if (log === undefined) return [];
    const start = Math.max(0, offset - this.baseOf(topic, partition));
    return log.slice(start, start + max);
  }

  /** The offset the next record of a partition will get. */
  endOffset(topic: string, partition: number): number {
    return this.baseOf(topic, partition) + (this.logs.get(topic)?.[partition]?.length ?? 0);
  }

  /**
   * Drops the records every group subscribed to their topic has committed past; a topic no group subscribes to (a
   * dead-letter topic) keeps everything. For long embedded runs (a replay), whose logs would otherwise hold every
   * record ever published. A group that joins afterwards starts at the first record still held. Returns how many.
   */
  trimConsumed(): number {
    const groupsByTopic = new Map<string, string[]>();
    for (const key of this.members.keys()) {
      const [groupId, topic] = key.split('\u0000');
      let groups = groupsByTopic.get(topic);
      if (groups === undefined) groupsByTopic.set(topic, (groups = []));
      groups.push(groupId);
    }
    let dropped = 0;
    for (const [topic, groups] of groupsByTopic) {
      const partitions = this.logs.get(topic);
      if (partitions === undefined) continue;
      const bases = this.basesOf(topic);
      for (let p = 0; p < partitions.length; p++) {
        const consumed = Math.min(...groups.map((g) => this.committed(g, topic, p)));
        const count = Math.min(consumed - bases[p], partitions[p].length);
        if (count <= 0) continue;
        partitions[p].splice(0, count);
        bases[p] += count;
        dropped += count;
      }
    }
    return dropped;
  }

  /** The group's committed offset of a partition (0, the earliest, when none). */
  committed(groupId: string, topic: string, partition: number): number {
    return this.commits.get(`${groupId}\u0000${topic}\u0000${partition}`) ?? 0;
  }

  commit(groupId: string, topic: string, partition: number, offset: number): void {
    const key = `${groupId}\u0000${topic}\u0000${partition}`;
    if ((this.commits.get(key) ?? 0) < offset) this.commits.set(key, offset);
  }

  /** Adds a member to a group's subscription of a topic; partitions are reassigned. */
  join(groupId: string, topic: string, memberId: string): void {
    const key = `${groupId}\u0000${topic}`;
    const members = this.members.get(key) ?? [];
    if (!members.includes(memberId)) this.members.set(key, [...members, memberId]);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.partitionsOf(topic);
  }

  leave(groupId: string, topic: string, memberId: string): void {
    const key = `${groupId}\u0000${topic}`;
    this.members.set(key, (this.members.get(key) ?? []).filter((m) => m !== memberId));
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  /** Which member owns a partition now (round-robin over members in join order). */
  ownerOf(groupId: string, topic: string, partition: number): string | undefined {
    const members = this.members.get(`${groupId}\u0000${topic}`) ?? [];
    return members.length === 0 ? undefined : members[partition % members.length];
  }

  /** Bumped on every membership change of a group's subscription (positions are then reloaded from commits). */
  generationOf(groupId: string, topic: string): number {
    return this.generations.get(`${groupId}\u0000${topic}`) ?? 0;
  }

  /** Calls `listener` on every notify(); returns the detach function. */
  attach(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private baseOf(topic: string, partition: number): number {
    return this.bases.get(topic)?.[partition] ?? 0;
  }

  private basesOf(topic: string): number[] {
    let bases = this.bases.get(topic);
    if (bases === undefined) this.bases.set(topic, (bases = Array.from({ length: this.partitionCount }, () => 0)));
    return bases;
  }

  private partitionsOf(topic: string): StoredRecord[][] {
    let partitions = this.logs.get(topic);
    if (partitions === undefined) {
      partitions = Array.from({ length: this.partitionCount }, () => []);
      this.logs.set(topic, partitions);
    }
    return partitions;
  }
}

/** FNV-1a over the key's UTF-16 code units: stable across runs and processes. */
export function partitionOfKey(key: string, partitionCount: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitionCount;
}
