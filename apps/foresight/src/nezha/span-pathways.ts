import type { FlowEvent } from '@foresight/contracts';
import type { TraceSpan } from './trace-spans.js';

interface SpanRef {
  readonly pod: string;
  readonly durationMs: number;
}

/** Calls from one pod to another in one window: the caller-side (client span) durations. */
export interface PathwayWindow {
  readonly caller: string;
  readonly callee: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly durationsMs: readonly number[];
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Caller → callee pathways from parent/child spans across pods, one window per trace file (the file's span start
 * times). A span whose parent span ran on another pod is a call of the parent's pod to the span's pod; the parent is
 * the caller's client span, so its duration is the latency the caller saw. Parents are looked up in the same file and
 * the previous one only, so memory holds two files of spans.
 */
export class SpanPathways {
  private previous = new Map<string, SpanRef>();

  /** The pathways seen in one trace file's spans (files in time order). */
  addFile(spans: readonly TraceSpan[]): PathwayWindow[] {
    if (spans.length === 0) return [];
    const current = new Map<string, SpanRef>();
    let windowStart = Number.POSITIVE_INFINITY;
    let windowEnd = Number.NEGATIVE_INFINITY;
    for (const s of spans) {
      current.set(s.spanId, { pod: s.pod, durationMs: s.durationMs });
      windowStart = Math.min(windowStart, s.startMs);
      windowEnd = Math.max(windowEnd, s.startMs);
    }
    const calls = new Map<string, { caller: string; callee: string; durationsMs: number[] }>();
    for (const s of spans) {
      const parent = current.get(s.parentId) ?? this.previous.get(s.parentId);
      if (parent === undefined || parent.pod === s.pod) continue;
      const key = `${parent.pod}\u0000${s.pod}`;
      let call = calls.get(key);
      if (call === undefined) calls.set(key, (call = { caller: parent.pod, callee: s.pod, durationsMs: [] }));
      call.durationsMs.push(parent.durationMs);
    }
    this.previous = current;
    const start = Math.floor(windowStart);
    const end = Math.max(start + 1, Math.ceil(windowEnd));
    return [...calls.values()].map((c) => ({ ...c, windowStart: start, windowEnd: end }));
  }
}


/**
 * One window as an API_CALL flow between the two VMs: calls/s over the window, p50/p99 of the client-side latency.
 * The spans carry no status and no bytes, so errorRate and bandwidth are 0 (not measured).
 */
export function pathwayFlow(w: PathwayWindow, vmOf: (pod: string) => string): FlowEvent {
  const sorted = [...w.durationsMs].sort((a, b) => a - b);
  const source = vmOf(w.caller);
  const target = vmOf(w.callee);
  return {
    eventId: `flow-${source}->${target}@${w.windowEnd}`, eventTime: w.windowEnd, source, target, kind: 'API_CALL',
    windowStart: w.windowStart, windowEnd: w.windowEnd, bandwidthMbps: 0,
    callsPerSec: w.durationsMs.length / ((w.windowEnd - w.windowStart) / 1000),
    latencyP50Ms: quantile(sorted, 0.5), latencyP99Ms: quantile(sorted, 0.99), errorRate: 0,
  };
}

/**
 * Trace minutes are missing (MISSING.txt): a pathway not observed for `everyMs` gets a copy of its last window every
 * `everyMs` until it is observed again or `until`, so the topology does not forget it through a gap (its last known
 * state, as a monitoring system holding last values would report). Returns the held copies only.
 */
export function holdThroughGaps(flows: readonly FlowEvent[], everyMs: number, until: number): FlowEvent[] {
  const byPathway = new Map<string, FlowEvent[]>();
  for (const f of flows) {
    const key = `${f.source}\u0000${f.target}`;
    byPathway.set(key, [...(byPathway.get(key) ?? []), f]);
  }
  const held: FlowEvent[] = [];
  for (const windows of byPathway.values()) {
    const sorted = [...windows].sort((a, b) => a.eventTime - b.eventTime);
    sorted.forEach((w, i) => {
      const next = sorted[i + 1]?.eventTime ?? until;
      for (let t = w.eventTime + everyMs; t < next; t += everyMs) {
        const span = w.windowEnd - w.windowStart;
        const copy = { ...w, windowStart: t - span, windowEnd: t, eventTime: t };
        held.push({ ...copy, eventId: `flow-held-${w.source}->${w.target}@${t}` });
      }
    });
  }
  return held;
}
