import type { Resources } from '@foresight/core';
import type { LeaseLedger } from '@foresight/stores';

const EPS = 1e-6;
const within = (used: Resources, cap: Resources): boolean =>
  used.cpuMillis <= cap.cpuMillis + EPS && used.memoryMiB <= cap.memoryMiB + EPS && used.networkMbps <= cap.networkMbps + EPS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sample at which a host held more than it may. */
export interface OverCapacity {
  readonly at: number;
  readonly detail: string;
}

/**
 * Reads every host's ledger (and the budget) from Redis every `intervalMs` while the suite runs, and records each
 * sample at which a host reserves more than its capacity in the ledger, or more than its true headroom (the host's
 * capacity minus what the inventory allocates on it: what the allocator may hand out), or the budget is overdrawn.
 * A sample that fails (Redis down or frozen) is counted, not judged.
 */
export class LedgerSampler {
  samples = 0;
  failedSamples = 0;
  readonly violations: OverCapacity[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly ledger: LeaseLedger, private readonly headroom: Map<string, Resources>, private readonly intervalMs = 500) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Violations recorded at or after `since`. */
  violationsSince(since: number): OverCapacity[] {
    return this.violations.filter((v) => v.at >= since);
  }

  /** Samples taken at or after `since` with at least one violation. */
  samplesOverCapacitySince(since: number): number {
    return new Set(this.violationsSince(since).map((v) => v.at)).size;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      try {
        const hostIds = [...this.headroom.keys()];
        const [ledgers, budget] = await Promise.all([this.ledger.hostLedgers(hostIds), this.ledger.budget()]);
        this.samples++;
        ledgers.forEach((l, i) => {
          if (l === undefined) return;
          const room = this.headroom.get(hostIds[i])!;
          if (!within(l.reserved, l.capacity)) this.violations.push({ at, detail: `${hostIds[i]} reserves ${JSON.stringify(l.reserved)} over its ledger capacity ${JSON.stringify(l.capacity)}` });
          else if (!within(l.reserved, room)) this.violations.push({ at, detail: `${hostIds[i]} reserves ${JSON.stringify(l.reserved)} over its headroom ${JSON.stringify(room)}` });
        });
        if (!within(budget.reserved, budget.capacity)) this.violations.push({ at, detail: `the budget is overdrawn: ${JSON.stringify(budget.reserved)} > ${JSON.stringify(budget.capacity)}` });
      } catch {
        this.failedSamples++;
      }
      await sleep(Math.max(0, this.intervalMs - (Date.now() - at)));
    }
  }
}
