import type { FlowEvent } from '@foresight/contracts';
import type { KafkaBus } from '@foresight/messaging';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Telemetry that keeps coming: every second, the next `perSecond` of the fleet's observed flow windows again, with the
 * same features in a window ending now (the topology builder keeps consuming, and writing what moved, throughout).
 * Failed publishes are retried; the stream waits meanwhile.
 */
export class FlowStream {
  published = 0;
  private running = false;
  private giveUpAt = Infinity;
  private loop: Promise<void> = Promise.resolve();
  private cursor = 0;
  private sequence = 0;

  constructor(private readonly bus: KafkaBus, private readonly flows: readonly FlowEvent[], private readonly perSecond: number) {}

  resume(): void {
    if (this.running) return;
    this.running = true;
    this.giveUpAt = Infinity;
    this.loop = this.run();
  }

  /** Stops; a batch still failing `giveUpMs` from now is dropped (a broker that never came back must not hang the suite). */
  async pause(giveUpMs = 30_000): Promise<void> {
    this.running = false;
    this.giveUpAt = Date.now() + giveUpMs;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      const batch = Array.from({ length: this.perSecond }, () => {
        const f = this.flows[this.cursor++ % this.flows.length];
        const width = f.windowEnd - f.windowStart;
        return { ...f, eventId: `chaos-flow-${++this.sequence}`, eventTime: started, windowStart: started - width, windowEnd: started };
      });
      for (;;) {
        try {
          await this.bus.publish('flows', batch);
          break;
        } catch {
          if (Date.now() > this.giveUpAt) return;
          await sleep(500);
        }
      }
      this.published += batch.length;
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  }
}
