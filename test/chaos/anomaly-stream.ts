import type { AnomalyEvent } from '@foresight/contracts';
import type { KafkaBus } from '@foresight/messaging';

/** One OPEN anomaly the stream published, and whether its RESOLVED followed. */
export interface StreamedAnomaly {
  readonly event: AnomalyEvent;
  /** Wall time the broker acknowledged it. */
  readonly publishedAt: number;
  resolved: boolean;
}

export interface AnomalyStreamOptions {
  /** OPEN anomalies per second (each followed by its RESOLVED). */
  readonly openPerSecond: number;
  /** An anomaly is resolved once it was assessed and is at least this old. */
  readonly holdMs: number;
  readonly anomalyType: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Anomalies at a steady rate, as a monitoring system would report them: an OPEN anomaly on a VM every 1/rate seconds,
 * round robin over the systems, each on a VM of its system with no anomaly open; its RESOLVED once the suite saw it
 * assessed and `holdMs` passed (never earlier: an OPEN and its RESOLVED handled in one run would leave no assessment
 * listing the VM). A publish that fails (the broker is down) is retried with the same event until it is acknowledged;
 * the stream waits meanwhile, as a producer with a bounded buffer does.
 */
export class AnomalyStream {
  readonly opened: StreamedAnomaly[] = [];
  publishFailures = 0;
  /** Events given up on: still failing `giveUpMs` after a pause (the broker did not come back). */
  abandoned = 0;
  private running = false;
  private giveUpAt = Infinity;
  private loop: Promise<void> = Promise.resolve();
  private sequence = 0;
  private lastEventTime = 0;
  private cursor = 0;
  private readonly systems: string[];

  /**
   * @param candidates per system, the VMs anomalies start on (the likeliest sources of a cascade first)
   * @param assessed whether an assessment generated at or after `eventTime` listed `vmId` as a source
   */
  constructor(
    private readonly bus: KafkaBus,
    private readonly candidates: ReadonlyMap<string, readonly string[]>,
    private readonly assessed: (vmId: string, eventTime: number) => boolean,
    private readonly options: AnomalyStreamOptions,
  ) {
    this.systems = [...candidates.keys()].sort();
  }

  resume(): void {
    if (this.running) return;
    this.running = true;
    this.giveUpAt = Infinity;
    this.loop = this.run();
  }

  /**
   * Stops opening anomalies. The one being published is finished, or given up on `giveUpMs` from now (a broker that
   * never came back must not hang the suite).
   */
  async pause(giveUpMs = 30_000): Promise<void> {
    this.running = false;
    this.giveUpAt = Date.now() + giveUpMs;
    await this.loop;
  }

  /** Publishes the RESOLVED of every open anomaly (the stream is paused), giving up after `giveUpMs`. */
  async resolveAll(giveUpMs = 30_000): Promise<void> {
    this.giveUpAt = Date.now() + giveUpMs;
    await this.resolve(this.opened.filter((a) => !a.resolved));
  }

  /** OPEN anomalies published at or after `since` (wall time). */
  openedSince(since: number): StreamedAnomaly[] {
    return this.opened.filter((a) => a.publishedAt >= since);
  }

  private async run(): Promise<void> {
    const interval = 1000 / this.options.openPerSecond;
    let next = Date.now();
    while (this.running) {
      const now = Date.now();
      await this.resolve(this.opened.filter((a) => !a.resolved && now - a.publishedAt >= this.options.holdMs && this.assessed(a.event.subjectId, a.event.eventTime)));
      await this.openOne();
      next += interval;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  }

  private async openOne(): Promise<void> {
    const busy = new Set(this.opened.filter((a) => !a.resolved).map((a) => a.event.subjectId));
    for (let tries = 0; tries < this.systems.length; tries++) {
      const systemId = this.systems[this.cursor++ % this.systems.length];
      const vmId = this.candidates.get(systemId)?.find((id) => !busy.has(id));
      if (vmId === undefined) continue;
      const event = this.event(systemId, vmId, 'OPEN');
      if (await this.publish([event])) this.opened.push({ event, publishedAt: Date.now(), resolved: false });
      return;
    }
  }

  private async resolve(anomalies: readonly StreamedAnomaly[]): Promise<void> {
    if (anomalies.length === 0) return;
    if (!(await this.publish(anomalies.map((a) => this.event(a.event.systemId, a.event.subjectId, 'RESOLVED'))))) return;
    for (const a of anomalies) a.resolved = true;
  }

  private event(systemId: string, vmId: string, state: 'OPEN' | 'RESOLVED'): AnomalyEvent {
    const at = Math.max(Date.now(), this.lastEventTime + 1);
    this.lastEventTime = at;
    return {
      eventId: `chaos-anomaly-${++this.sequence}-${vmId}-${state}`, eventTime: at, systemId, level: 'COMPONENT', subjectId: vmId,
      anomalyType: this.options.anomalyType, severity: 0.9, state, detectedAt: at, attributes: {},
    };
  }

  /** True once acknowledged; false when given up on. */
  private async publish(events: readonly AnomalyEvent[]): Promise<boolean> {
    for (;;) {
      try {
        await this.bus.publish('anomalies', events);
        return true;
      } catch {
        this.publishFailures++;
        if (Date.now() > this.giveUpAt) {
          this.abandoned += events.length;
          return false;
        }
        await sleep(500);
      }
    }
  }
}
