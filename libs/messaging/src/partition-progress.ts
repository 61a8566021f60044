/** A partition with records waiting and no progress for a while (see PartitionProgress.stalled). */
export interface StalledPartition {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** Records waiting at the last report. */
  readonly behind: number;
  /** The next offset to do, which has not moved. */
  readonly position: number;
  /** How long records have waited without the position moving (ms). */
  readonly stalledForMs: number;
}

/** One observation of a partition: how far behind its end the group is, and its position (the next offset to do). */
export interface PartitionObservation {
  readonly topic: string;
  readonly partition: number;
  readonly behind: number;
  readonly position: number;
}

interface PartitionState {
  behind: number;
  position: number;
  /** When the position last moved, or records began to wait after none did, whichever is later. */
  since: number;
}

/**
 * Which partitions of one consumer group are stalled: they have records waiting (lag > 0) and their position has not
 * moved for a settable time. Fed the group's lag reports (each batch's arrival and each resolved offset); a partition
 * that is blocked reports nothing more, so the last report stands. Revoked partitions are forgotten (retain).
 * The clock is injected, so stall detection is tested without waiting.
 */
export class PartitionProgress {
  private readonly partitions = new Map<string, PartitionState>();

  constructor(readonly groupId: string, private readonly now: () => number = Date.now) {}

  observe(observation: PartitionObservation): void {
    const key = `${observation.topic}\u0000${observation.partition}`;
    const state = this.partitions.get(key);
    const now = this.now();
    if (state === undefined) {
      this.partitions.set(key, { behind: observation.behind, position: observation.position, since: now });
      return;
    }
    // Progress, or the first record waiting after none did: the stall clock starts again.
    if (observation.position !== state.position || (state.behind === 0 && observation.behind > 0)) state.since = now;
    state.behind = observation.behind;
    state.position = observation.position;
  }

  /** Forgets every partition not in `assigned` (full topic name → partitions), e.g. after a rebalance. */
  retain(assigned: ReadonlyMap<string, ReadonlySet<number>>): void {
    for (const key of this.partitions.keys()) {
      const [topic, partition] = key.split('\u0000');
      if (assigned.get(topic)?.has(Number(partition)) !== true) this.partitions.delete(key);
    }
  }

  /** The partitions with records waiting whose position has not moved for at least `stallAfterMs`. */
  stalled(stallAfterMs: number): StalledPartition[] {
    const now = this.now();
    const stalled: StalledPartition[] = [];
    for (const [key, state] of this.partitions) {
      const waited = now - state.since;
      if (state.behind <= 0 || waited < stallAfterMs) continue;
      const [topic, partition] = key.split('\u0000');
      stalled.push({ groupId: this.groupId, topic, partition: Number(partition), behind: state.behind, position: state.position, stalledForMs: waited });
    }
    return stalled;
  }
}
