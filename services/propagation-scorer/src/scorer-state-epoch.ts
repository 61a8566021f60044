import { randomUUID } from 'node:crypto';
import type { Logger, Publish } from '@foresight/messaging';
import type { DocumentStore } from '@foresight/stores';

/** The document kind and id of the scorer's epoch marker. */
export const SCORER_EPOCH_KIND = 'propagation-scorer.state';
export const SCORER_EPOCH_ID = 'epoch';

/** Why the scorer found no state of its own: a loss seen while running, or none at start (first start, or lost while down). */
export type ScorerStateLoss = 'lost' | 'missing_at_start';

/**
 * Restores what this instance still holds in memory of the lost state, at event time `now`; returns how many open
 * incidents it restored. Called once per loss this instance sees, before the epoch marker is (re)written.
 */
export type ScorerStateRestore = (cause: ScorerStateLoss, now: number, publish: Publish) => Promise<number>;

/**
 * Detects a state store that lost the scorer's state (Redis restarted without persistence, or flushed): a marker
 * document written once per epoch. Each check is one document read. A marker that is gone, or that another instance
 * wrote anew since this one last saw it (it found the loss first), means the open incidents in the store are gone:
 * `restore` puts back what this instance remembers, then the marker names a new epoch. A failed restore (the store
 * went away again) writes no marker, so the next check tries again.
 */
export class ScorerStateEpoch {
  /** The marker as this instance last saw or wrote it; undefined before the first check. */
  private known: string | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly documents: DocumentStore,
    private readonly restore: ScorerStateRestore,
    private readonly logger: Logger,
    private readonly lost: (cause: ScorerStateLoss, restored: number) => void,
  ) {}

  /**
   * Resolves once the store holds the scorer's epoch, after restoring what a loss took (event time `now`): true when
   * the marker was the one this instance knew (no check, no restore), false after a check.
   */
  async ensure(now: number, publish: Publish): Promise<boolean> {
    const marker = await this.documents.get(SCORER_EPOCH_KIND, SCORER_EPOCH_ID);
    if (marker !== undefined && marker === this.known) return true;
    // One check at a time per process: the runs of other partitions and the tick wait for the restore.
    this.running ??= this.check(now, publish).finally(() => {
      this.running = undefined;
    });
    await this.running;
    return false;
  }

  /** Whether the marker is gone (the store lost its data since the last check); a cheap read for rare paths. */
  async missing(): Promise<boolean> {
    return (await this.documents.get(SCORER_EPOCH_KIND, SCORER_EPOCH_ID)) === undefined;
  }

  private async check(now: number, publish: Publish): Promise<void> {
    const marker = await this.documents.get(SCORER_EPOCH_KIND, SCORER_EPOCH_ID);
    if (marker !== undefined && marker === this.known) return;
    if (marker !== undefined && this.known === undefined) {
      this.known = marker;
      return;
    }
    const cause: ScorerStateLoss = this.known === undefined ? 'missing_at_start' : 'lost';
    if (cause === 'lost') this.logger.warn({ cause, markerRewritten: marker !== undefined }, 'the state store lost the scorer state (open incidents): restoring the incidents this instance holds in memory');
    const restored = await this.restore(cause, now, publish);
    this.lost(cause, restored);
    if (marker !== undefined) {
      // Another instance found the loss first and began the epoch: this one only restored its own systems.
      this.known = marker;
    } else {
      const next = JSON.stringify({ epoch: randomUUID(), startedAt: now });
      await this.documents.put(SCORER_EPOCH_KIND, SCORER_EPOCH_ID, next);
      this.known = next;
    }
    if (cause === 'lost') this.logger.warn({ cause, restored }, 'scorer state restored: a new epoch (incidents no instance remembered are gone)');
    else this.logger.info({ cause }, 'the state store holds no scorer state (a first start, or its data was lost while the scorer was down): a new epoch');
  }
}
