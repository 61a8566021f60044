import { ForesightError } from '../errors.js';
import type { AttributeLookup } from './identity-precedence.js';

/** The eBPF flow-byte metrics the gateway reads (OpenTelemetry eBPF Instrumentation, and Grafana Beyla before it). */
export const NETWORK_FLOW_METRICS: readonly string[] = Object.freeze(['obi.network.flow.bytes', 'beyla.network.flow.bytes']);

/** The data point attributes naming a flow's two ends, first present wins (pod names, then host names, then addresses). */
export const FLOW_ENDPOINT_ATTRIBUTES = Object.freeze({
  source: ['k8s.src.name', 'src.name', 'src.address'],
  target: ['k8s.dst.name', 'dst.name', 'dst.address'],
});

/** The two ends of a flow data point, or undefined when one is not named. */
export function flowEndpoints(lookup: AttributeLookup): { source: string; target: string } | undefined {
  const pick = (keys: readonly string[]): string | undefined => {
    for (const key of keys) {
      const value = lookup(key);
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
  const source = pick(FLOW_ENDPOINT_ATTRIBUTES.source);
  const target = pick(FLOW_ENDPOINT_ATTRIBUTES.target);
  return source === undefined || target === undefined ? undefined : { source, target };
}

/** One data point of a flow-byte counter. */
export interface FlowBytesPoint {
  readonly source: string;
  readonly target: string;
  /** Identifies the series (metric, resource and all attributes): cumulative points are differenced within it. */
  readonly series: string;
  readonly bytes: number;
  readonly startMs: number;
  readonly timeMs: number;
  /** CUMULATIVE temporality (a running total since startMs); else DELTA (the bytes since the previous point). */
  readonly cumulative: boolean;
}

/** Bytes from one VM to another in one window: a NETWORK flow. */
export interface NetworkWindow {
  readonly source: string;
  readonly target: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly bytes: number;
  readonly bandwidthMbps: number;
}

/** Windows and bounds of network aggregation. */
export interface NetworkPathwaySettings {
  readonly windowMs: number;
  /** How long a window stays open after its end (event time). */
  readonly latenessMs: number;
  /** Cumulative series remembered, at most (the oldest is forgotten: its next point is a new baseline). */
  readonly maxSeries: number;
  /** Pathway windows open at once, at most. */
  readonly maxOpenPathways: number;
}

/** Why a flow point was not counted. */
export type FlowSkipReason = 'FLOW_BASELINE' | 'FLOW_RESET' | 'FLOW_LATE' | 'FLOW_PATHWAY_LIMIT';

/**
 * Network pathways from eBPF flow-byte counters: bytes per source → target VM per window (by the point's time),
 * cumulative series differenced against their previous point (a series' first point, or one after a reset, is only
 * a baseline), closed when event time (the latest point's time, or what `advance` is given) passes the window's end
 * plus the lateness. Pure and bounded by settings.
 */
export class NetworkPathways {
  private readonly last = new Map<string, { startMs: number; bytes: number }>();
  private readonly windows = new Map<number, Map<string, { source: string; target: string; bytes: number }>>();
  private open = 0;
  private watermarkMs = Number.NEGATIVE_INFINITY;
  private closedBeforeMs = Number.NEGATIVE_INFINITY;
  private skipped: Partial<Record<FlowSkipReason, number>> = {};

  constructor(private readonly settings: NetworkPathwaySettings) {
    if (!(settings.windowMs >= 1) || !(settings.latenessMs >= 0) || !(settings.maxSeries >= 1) || !(settings.maxOpenPathways >= 1)) {
      throw new ForesightError('INVALID_PARAMETERS', `network pathway settings out of range: ${JSON.stringify(settings)}`);
    }
  }

  add(points: Iterable<FlowBytesPoint>): void {
    for (const p of points) {
      if (p.timeMs > this.watermarkMs) this.watermarkMs = p.timeMs;
      let bytes = p.bytes;
      if (p.cumulative) {
        const previous = this.last.get(p.series);
        this.last.delete(p.series);
        this.last.set(p.series, { startMs: p.startMs, bytes: p.bytes });
        if (this.last.size > this.settings.maxSeries) this.last.delete(this.last.keys().next().value as string);
        if (previous === undefined) {
          this.countDropped('FLOW_BASELINE');
          continue;
        }
        if (previous.startMs !== p.startMs || p.bytes < previous.bytes) {
          this.countDropped('FLOW_RESET');
          continue;
        }
        bytes = p.bytes - previous.bytes;
      }
      if (!(bytes > 0) || p.source === p.target) continue;
      if (p.timeMs < this.closedBeforeMs) {
        this.countDropped('FLOW_LATE');
        continue;
      }
      const start = Math.floor(p.timeMs / this.settings.windowMs) * this.settings.windowMs;
      let pathways = this.windows.get(start);
      if (pathways === undefined) this.windows.set(start, (pathways = new Map<string, { source: string; target: string; bytes: number }>()));
      const key = `${p.source}\u0000${p.target}`;
      const acc = pathways.get(key);
      if (acc !== undefined) acc.bytes += bytes;
      else if (this.open >= this.settings.maxOpenPathways) this.countDropped('FLOW_PATHWAY_LIMIT');
      else {
        pathways.set(key, { source: p.source, target: p.target, bytes });
        this.open += 1;
      }
    }
  }

  /** Moves event time to at least `toMs`, closes windows, returns them and what was skipped since the last call. */
  advance(toMs?: number): { windows: NetworkWindow[]; skipped: Partial<Record<FlowSkipReason, number>> } {
    if (toMs !== undefined && toMs > this.watermarkMs) this.watermarkMs = toMs;
    const windows: NetworkWindow[] = [];
    for (const start of [...this.windows.keys()].sort((a, b) => a - b)) {
      const end = start + this.settings.windowMs;
      if (end + this.settings.latenessMs > this.watermarkMs) break;
      const pathways = this.windows.get(start) ?? new Map<string, { source: string; target: string; bytes: number }>();
      this.windows.delete(start);
      this.open -= pathways.size;
      if (end > this.closedBeforeMs) this.closedBeforeMs = end;
      for (const acc of pathways.values()) {
        windows.push({ ...acc, windowStart: start, windowEnd: end, bandwidthMbps: (acc.bytes * 8) / 1e6 / ((end - start) / 1000) });
      }
    }
    const skipped = this.skipped;
    this.skipped = {};
    return { windows, skipped };
  }

  private countDropped(reason: FlowSkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }
}
