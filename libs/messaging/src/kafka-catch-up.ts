import type { PartitionBacklog } from './consumer-backlog.js';
import type { KafkaBus } from './kafka-bus.js';
import type { KafkaPrefixAdmin } from './kafka-prefix-admin.js';
import { RuntimeError } from './runtime-error.js';

/** How long catching up may take. */
export interface CatchUpOptions {
  /** A wait with no progress this long fails the run, naming the groups behind (default 2 min). */
  readonly stallTimeoutMs?: number;
  /** Longest pause between two backlog reads (default 50 ms; the first pauses are shorter). */
  readonly maxPollMs?: number;
}

/**
 * The Kafka twin of InMemoryBus.drain(): waits until every consumer group of the buses has committed every message
 * published so far, including what handling them published. Nothing published since the last time it was caught up
 * (no bus acknowledged a record) means it still is, so an idle wait costs no broker round trip.
 */
export class KafkaCatchUp {
  private caughtUpAt = -1;
  private readonly stallTimeoutMs: number;
  private readonly maxPollMs: number;

  constructor(private readonly buses: readonly KafkaBus[], private readonly admin: KafkaPrefixAdmin, options: CatchUpOptions = {}) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? 120_000;
    this.maxPollMs = options.maxPollMs ?? 50;
  }

  /** Resolves once caught up; DEPENDENCY_UNAVAILABLE when a consumer crashed or nothing moved for stallTimeoutMs. */
  async wait(): Promise<void> {
    if (this.acknowledged() === this.caughtUpAt) return;
    const subscriptions = this.buses.flatMap((bus) => bus.subscriptions());
    let pause = 1;
    let last = '';
    let movedAt = Date.now();
    for (;;) {
      const seen = this.acknowledged();
      const backlog = await this.admin.backlog(subscriptions);
      if (backlog.length === 0) {
        this.caughtUpAt = seen;
        return;
      }
      const crashed = this.buses.find((bus) => !bus.health().live);
      if (crashed !== undefined) throw new RuntimeError('DEPENDENCY_UNAVAILABLE', `a Kafka consumer crashed with messages left: ${describeBacklog(backlog)}`);
      const state = JSON.stringify(backlog);
      if (state !== last) {
        last = state;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > this.stallTimeoutMs) {
        throw new RuntimeError('DEPENDENCY_UNAVAILABLE', `no progress on Kafka for ${Math.round(this.stallTimeoutMs / 1000)} s: ${describeBacklog(backlog)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, this.maxPollMs);
    }
  }

  private acknowledged(): number {
    let total = 0;
    for (const bus of this.buses) total += bus.acknowledgedRecords;
    return total;
  }
}

/** `group behind N on topic/partition, …` (the five largest). */
export function describeBacklog(backlog: readonly PartitionBacklog[]): string {
  const top = [...backlog].sort((a, b) => b.behind - a.behind).slice(0, 5);
  return top.map((b) => `${b.groupId} behind ${b.behind} on ${b.topic}/${b.partition}`).join(', ') + (backlog.length > 5 ? `, and ${backlog.length - 5} more` : '');
}
