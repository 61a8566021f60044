import { ForesightError } from '../errors.js';

/** The servicegraph connector's metrics (OpenTelemetry Collector contrib), by what each measures. */
export const SERVICE_GRAPH_METRICS = Object.freeze({
  traces_service_graph_request_total: 'total',
  traces_service_graph_request_failed_total: 'failed',
  traces_service_graph_request_server_seconds: 'server',
  traces_service_graph_request_client_seconds: 'client',
} as const);

/** What a servicegraph data point measures: requests, failed requests, or a latency histogram (seconds) seen by either side. */
export type ServiceGraphMeasure = (typeof SERVICE_GRAPH_METRICS)[keyof typeof SERVICE_GRAPH_METRICS];

/** One data point of a servicegraph metric between two services (the `client` and `server` attributes). */
export interface ServiceGraphPoint {
  readonly measure: ServiceGraphMeasure;
  readonly client: string;
  readonly server: string;
  /** Identifies the series (metric, resource and all attributes): cumulative points are differenced within it. */
  readonly series: string;
  readonly startMs: number;
  readonly timeMs: number;
  /** CUMULATIVE temporality (running totals since startMs); else DELTA. */
  readonly cumulative: boolean;
  /** A counter's value (total, failed). */
  readonly value?: number;
  /** A histogram's explicit bounds (seconds, increasing) and its bucket counts (one more than the bounds: the last is +Inf). */
  readonly boundsSec?: readonly number[];
  readonly bucketCounts?: readonly number[];
}

/** Calls from one service to another in one window, by the connector's metrics. */
export interface ServiceGraphWindow {
  readonly client: string;
  readonly server: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly calls: number;
  readonly callsPerSec: number;
  readonly errorRate: number;
  /** From the client-side histogram when it has calls in the window, else the server-side one; 0 when neither has. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

/** Windows and bounds of servicegraph aggregation. */
export interface ServiceGraphSettings {
  readonly windowMs: number;
  /** How long a window stays open after its end (event time). */
  readonly latenessMs: number;
  /** Cumulative series remembered, at most (the oldest is forgotten: its next point is a new baseline). */
  readonly maxSeries: number;
  /** Pathway windows open at once, at most. */
  readonly maxOpenPathways: number;
}

/** Why a servicegraph point was not counted. */
export type ServiceGraphSkipReason =
  | 'SG_BASELINE' | 'SG_RESET' | 'SG_BAD_HISTOGRAM' | 'SG_BOUNDS_CHANGED' | 'SG_LATE' | 'SG_PATHWAY_LIMIT';

interface Histogram {
  readonly bounds: readonly number[];
  readonly counts: number[];
}

interface Accumulator {
  readonly client: string;
  readonly server: string;
  total: number;
  failed: number;
  clientLatency?: Histogram;
  serverLatency?: Histogram;
}

/** Previous values of a cumulative series. */
interface Last {
  readonly startMs: number;
  readonly value: number;
  readonly counts: readonly number[];
  readonly bounds: readonly number[];
}

function validHistogram(bounds: readonly number[] | undefined, counts: readonly number[] | undefined): boolean {
  if (bounds === undefined || counts === undefined || counts.length !== bounds.length + 1) return false;
  for (let i = 0; i < bounds.length; i += 1) if (!Number.isFinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1]))) return false;
  return counts.every((c) => Number.isFinite(c) && c >= 0);
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The `q` quantile of an explicit-bucket histogram, interpolated linearly within its bucket (as Prometheus'
 * histogram_quantile does): the first bucket starts at 0 (or at its bound when that is negative), a rank in the +Inf
 * bucket is the largest finite bound. NaN when the histogram is empty.
 */
export function histogramQuantile(bounds: readonly number[], counts: readonly number[], q: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0) || counts.length !== bounds.length + 1) return Number.NaN;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let below = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const count = counts[i];
    if (count > 0 && below + count >= rank) {
      if (i === bounds.length) return bounds.length === 0 ? Number.NaN : bounds[bounds.length - 1];
      const upper = bounds[i];
      const lower = i === 0 ? Math.min(0, upper) : bounds[i - 1];
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return bounds.length === 0 ? Number.NaN : bounds[bounds.length - 1];
}

/**
 * Call pathways between services from the servicegraph connector's metrics: per client → server pair and window (by
 * the point's time), calls from the request counter, error rate from failed / total, latency p50/p99 from the
 * histogram buckets. Cumulative series are differenced against their previous point, as eBPF flow bytes are: a
 * series' first point, or one after a reset (a new start time, a value or bucket going down, changed bounds), is
 * only a baseline. A histogram whose bucket counts do not match its bounds is skipped. Windows close when event time
 * passes their end plus the lateness. Pure and bounded by settings.
 */
export class ServiceGraphPathways {
  private readonly last = new Map<string, Last>();
  private readonly windows = new Map<number, Map<string, Accumulator>>();
  private open = 0;
  private watermarkMs = Number.NEGATIVE_INFINITY;
  private closedBeforeMs = Number.NEGATIVE_INFINITY;
  private skipped: Partial<Record<ServiceGraphSkipReason, number>> = {};

  constructor(private readonly settings: ServiceGraphSettings) {
    if (!(settings.windowMs >= 1) || !(settings.latenessMs >= 0) || !(settings.maxSeries >= 1) || !(settings.maxOpenPathways >= 1)) {
      throw new ForesightError('INVALID_PARAMETERS', `service graph settings out of range: ${JSON.stringify(settings)}`);
    }
  }

  add(points: Iterable<ServiceGraphPoint>): void {
    for (const p of points) {
      if (p.timeMs > this.watermarkMs) this.watermarkMs = p.timeMs;
      const histogram = p.measure === 'client' || p.measure === 'server';
      if (histogram && !validHistogram(p.boundsSec, p.bucketCounts)) {
        this.countDropped('SG_BAD_HISTOGRAM');
        continue;
      }
      const bounds = p.boundsSec ?? [];
      let value = p.value ?? 0;
      let counts = [...(p.bucketCounts ?? [])];
      if (p.cumulative) {
        const previous = this.last.get(p.series);
        this.last.delete(p.series);
        this.last.set(p.series, { startMs: p.startMs, value, counts, bounds });
        if (this.last.size > this.settings.maxSeries) this.last.delete(this.last.keys().next().value as string);
        if (previous === undefined) {
          this.countDropped('SG_BASELINE');
          continue;
        }
        if (previous.startMs !== p.startMs || value < previous.value || !sameBounds(previous.bounds, bounds) || counts.some((c, i) => c < previous.counts[i])) {
          this.countDropped('SG_RESET');
          continue;
        }
        value -= previous.value;
        counts = counts.map((c, i) => c - previous.counts[i]);
      }
      const calls = histogram ? counts.reduce((a, b) => a + b, 0) : value;
      if (!(calls > 0) || p.client === p.server) continue;
      if (p.timeMs < this.closedBeforeMs) {
        this.countDropped('SG_LATE');
        continue;
      }
      const acc = this.accumulator(p);
      if (acc === undefined) continue;
      if (p.measure === 'total') acc.total += value;
      else if (p.measure === 'failed') acc.failed += value;
      else {
        const field = p.measure === 'client' ? 'clientLatency' : 'serverLatency';
        const known = acc[field];
        if (known === undefined) acc[field] = { bounds, counts };
        else if (!sameBounds(known.bounds, bounds)) this.countDropped('SG_BOUNDS_CHANGED');
        else for (let i = 0; i < counts.length; i += 1) known.counts[i] += counts[i];
      }
    }
  }

  /** Moves event time to at least `toMs`, closes windows, returns them and what was skipped since the last call. */
  advance(toMs?: number): { windows: ServiceGraphWindow[]; skipped: Partial<Record<ServiceGraphSkipReason, number>> } {
    if (toMs !== undefined && toMs > this.watermarkMs) this.watermarkMs = toMs;
    const windows: ServiceGraphWindow[] = [];
    for (const start of [...this.windows.keys()].sort((a, b) => a - b)) {
      const end = start + this.settings.windowMs;
      if (end + this.settings.latenessMs > this.watermarkMs) break;
      const pathways = this.windows.get(start) ?? new Map<string, Accumulator>();
      this.windows.delete(start);
      this.open -= pathways.size;
      if (end > this.closedBeforeMs) this.closedBeforeMs = end;
      for (const acc of pathways.values()) {
        const window = windowOf(acc, start, end);
        if (window !== undefined) windows.push(window);
      }
    }
    const skipped = this.skipped;
    this.skipped = {};
    return { windows, skipped };
  }

  private accumulator(p: ServiceGraphPoint): Accumulator | undefined {
    const start = Math.floor(p.timeMs / this.settings.windowMs) * this.settings.windowMs;
    let pathways = this.windows.get(start);
    if (pathways === undefined) this.windows.set(start, (pathways = new Map<string, Accumulator>()));
    const key = `${p.client}\u0000${p.server}`;
    let acc = pathways.get(key);
    if (acc === undefined) {
      if (this.open >= this.settings.maxOpenPathways) {
        this.countDropped('SG_PATHWAY_LIMIT');
        return undefined;
      }
      acc = { client: p.client, server: p.server, total: 0, failed: 0 };
      pathways.set(key, acc);
      this.open += 1;
    }
    return acc;
  }

  private countDropped(reason: ServiceGraphSkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }
}

function windowOf(acc: Accumulator, windowStart: number, windowEnd: number): ServiceGraphWindow | undefined {
  const count = (h: Histogram | undefined): number => (h === undefined ? 0 : h.counts.reduce((a, b) => a + b, 0));
  const latency = count(acc.clientLatency) > 0 ? acc.clientLatency : count(acc.serverLatency) > 0 ? acc.serverLatency : undefined;
  // NOTE: the request counter is the authority on calls; a producer exporting only histograms still counts through them.
  const calls = acc.total > 0 ? acc.total : count(latency);
  if (!(calls > 0)) return undefined;
  const quantileMs = (q: number): number => {
    if (latency === undefined) return 0;
    const seconds = histogramQuantile(latency.bounds, latency.counts, q);
    return Number.isFinite(seconds) ? Math.max(0, seconds * 1_000) : 0;
  };
  return {
    client: acc.client, server: acc.server, windowStart, windowEnd, calls,
    callsPerSec: calls / ((windowEnd - windowStart) / 1_000),
    errorRate: Math.min(1, acc.failed / calls),
    latencyP50Ms: quantileMs(0.5), latencyP99Ms: quantileMs(0.99),
  };
}
