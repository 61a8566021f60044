import type { ServerResponse } from 'node:http';
import type { LiveChange, LiveFleet } from './live-fleet.js';

/** Options of the live stream. */
export interface EventStreamOptions {
  /** Open streams at most (more are refused: TOO_MANY_STREAMS). */
  readonly maxClients: number;
  /** Changes are gathered and sent at most this often (one event per interval, however busy the fleet). */
  readonly coalesceMs: number;
  /** A comment line this often keeps idle connections (and proxies) open. */
  readonly heartbeatMs: number;
}

export const DEFAULT_EVENT_STREAM_OPTIONS: EventStreamOptions = { maxClients: 100, coalesceMs: 250, heartbeatMs: 15_000 };

/** What one `change` event says: counts by kind and the newest risk versions (bounded), so a page knows what to re-read. */
export interface ChangeBatch {
  readonly risk: readonly { readonly incidentId: string; readonly version: number; readonly status: string }[];
  readonly allocations: number;
  readonly evaluations: number;
  readonly models: number;
  readonly outcomes: number;
}

const MAX_RISK_IN_BATCH = 50;

/**
 * Server-sent events from the live fleet to the pages: `event: change` with a ChangeBatch, coalesced, so a burst of a
 * thousand risk versions costs each page one small event and one re-read of the view it shows.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private pending: { risk: Map<string, ChangeBatch['risk'][number]>; allocations: number; evaluations: number; models: number; outcomes: number } | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private sequence = 0;

  constructor(fleet: LiveFleet, private readonly options: EventStreamOptions = DEFAULT_EVENT_STREAM_OPTIONS) {
    this.unsubscribe = fleet.onChange((change) => this.gather(change));
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Open streams. */
  get size(): number {
    return this.clients.size;
  }

  /** Starts streaming to `response`; false (nothing written) when the stream is full. */
  attach(response: ServerResponse): boolean {
    if (this.clients.size >= this.options.maxClients) return false;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ sequence: this.sequence })}\n\n`);
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    return true;
  }

  /** Ends every stream and stops listening. */
  close(): void {
    this.unsubscribe();
    clearInterval(this.heartbeat);
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private gather(change: LiveChange): void {
    const p = this.pending ?? { risk: new Map(), allocations: 0, evaluations: 0, models: 0, outcomes: 0 };
    this.pending = p;
    if (change.kind === 'risk') {
      p.risk.delete(change.incidentId);
      p.risk.set(change.incidentId, { incidentId: change.incidentId, version: change.version, status: change.status });
      if (p.risk.size > MAX_RISK_IN_BATCH) p.risk.delete(p.risk.keys().next().value as string);
    } else if (change.kind === 'allocation') p.allocations++;
    else if (change.kind === 'evaluation') p.evaluations++;
    else if (change.kind === 'model') p.models++;
    else p.outcomes++;
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.coalesceMs);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p === undefined) return;
    const batch: ChangeBatch = { risk: [...p.risk.values()], allocations: p.allocations, evaluations: p.evaluations, models: p.models, outcomes: p.outcomes };
    this.write(`id: ${++this.sequence}\nevent: change\ndata: ${JSON.stringify(batch)}\n\n`);
  }

  private write(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}
