import type { Logger } from '@foresight/messaging';
import type { HasDocuments } from '@foresight/stores';
import type { AllocatorMetrics } from './allocator-metrics.js';
import type { KeyedSerialQueue } from './keyed-serial-queue.js';

const KIND = 'allocator-state';
const ID = 'epoch';

/**
 * The ledger's epoch: the state store's allocator state since it was last (re)built. A marker document written once
 * the state is complete; a store without it holds no allocator state (a first start, or a store that lost its data).
 */
export interface LedgerEpoch {
  /** A fresh id per rebuild. */
  readonly epoch: string;
  /** Event time the epoch began: leases of incidents that began before it may have been granted by a lost ledger. */
  readonly startedAt: number;
}

/** Rebuilds what the store lost (budget, model, fleet); returns what it restored, for the log. */
export type StateRebuild = () => Promise<Readonly<Record<string, number>>>;

/**
 * Detects a state store that lost the allocator's state (Redis restarted without persistence, or flushed) and rebuilds
 * it before anything plans against it. Each check is one document read; the rebuild runs once per process at a time,
 * and the marker is written only after it succeeded, so a failed rebuild (Neo4j down) is tried again by the next check.
 */
export class StateEpoch {
  private seen = false;
  private rebuilding = false;

  constructor(
    private readonly store: HasDocuments,
    private readonly rebuild: StateRebuild,
    private readonly logger: Logger,
    private readonly metrics: AllocatorMetrics,
    private readonly queue: KeyedSerialQueue,
  ) {}

  /** The current epoch; when the store holds none, rebuilds the state first and starts one at event time `now`. */
  async ensure(now: number): Promise<LedgerEpoch> {
    const current = await this.read();
    if (current !== undefined) return current;
    return this.queue.run('allocator:state-epoch', async () => {
      // Another round of this process may have rebuilt it while this one waited.
      const again = await this.read();
      if (again !== undefined) return again;
      const cause = this.seen ? 'lost' : 'missing_at_start';
      if (!this.rebuilding) {
        this.rebuilding = true;
        this.metrics.stateLost?.(cause);
        // A first start and a loss while the allocator was down look the same from here: info, not a warning, on every
        // fresh start; the counter still tells them apart from a loss seen while running.
        if (cause === 'lost') this.logger.warn({ cause }, 'the state store lost the allocator state (ledger, leases, inventory): rebuilding it from the store of record');
        else this.logger.info({ cause }, 'the state store holds no allocator state (a first start, or its data was lost while the allocator was down): building it from the store of record');
      }
      const restored = await this.rebuild();
      // Named by the event time it began at: a replay of the same input gives the same epochs (a rebuild happens at
      // most once per loss, serialised through the marker, so two epochs never share a time in practice).
      const next: LedgerEpoch = { epoch: `epoch-${now}`, startedAt: now };
      await this.store.documents.put(KIND, ID, JSON.stringify(next));
      this.seen = true;
      this.rebuilding = false;
      const rebuilt = { ...restored, cause, epoch: next.epoch, startedAt: now };
      if (cause === 'lost') this.logger.warn(rebuilt, 'allocator state rebuilt: a new ledger epoch');
      else this.logger.info(rebuilt, 'allocator state built: a new ledger epoch');
      return next;
    });
  }

  /**
   * The current epoch as the store holds it, or undefined when it holds none (then call ensure): one read, which a
   * caller may issue together with its other reads (they go out in one round trip).
   */
  current(): Promise<LedgerEpoch | undefined> {
    return this.read();
  }

  /** False while the state is known lost and not rebuilt yet (readiness). */
  healthy(): boolean {
    return !this.rebuilding;
  }

  private async read(): Promise<LedgerEpoch | undefined> {
    const json = await this.store.documents.get(KIND, ID);
    if (json === undefined) return undefined;
    this.seen = true;
    return JSON.parse(json) as LedgerEpoch;
  }
}
