import { ForesightError } from '../errors.js';
import { identityKey, type EntityIdentity } from './entity-identity.js';
import { virtualPeerIdentity } from './identity-precedence.js';
import { LatencySample } from './latency-sample.js';
import { callKey, PendingSpans, type DepartureWhy, type PendingSpan } from './pending-spans.js';
import { SPAN_KIND, type TelemetrySpan } from './telemetry-span.js';

/** The bounds and windows of call-pathway aggregation. */
export interface CallPathwaySettings {
  /** Length of a window (tumbling, aligned to multiples of it in epoch ms). */
  readonly windowMs: number;
  /**
   * How long (event time) a span waits for its partner, and how long a window stays open after its end: the lateness
   * allowed between producers' clocks and deliveries. A caller span with a peer name becomes a call to a virtual node
   * when it expires unpaired.
   */
  readonly pairingWaitMs: number;
  /** Spans waiting for a partner, at most (the oldest is evicted). */
  readonly maxPendingSpans: number;
  /** Pathway windows open at once, at most (calls of further pathways are dropped and counted). */
  readonly maxOpenPathways: number;
  /** Latencies kept per pathway window for p50/p99. */
  readonly latencySamples: number;
  /** A span ending more than this after `now` (when the caller passes one) is refused: the clock-skew bound. */
  readonly maxFutureSkewMs: number;
  /** VMs remembered for inventory, at most (spans of further VMs are dropped and counted). */
  readonly maxVms: number;
}

export const DEFAULT_CALL_PATHWAY_SETTINGS: CallPathwaySettings = Object.freeze({
  windowMs: 60_000,
  pairingWaitMs: 10_000,
  maxPendingSpans: 500_000,
  maxOpenPathways: 20_000,
  latencySamples: 512,
  maxFutureSkewMs: 60_000,
  maxVms: 100_000,
});

/** Why a span or a call did not make it into a window; counted, never silent. */
export type SpanSkipReason =
  | 'SPAN_IN_FUTURE' | 'LATE' | 'UNPAIRED_CALLER' | 'UNPAIRED_CALLEE' | 'EVICTED' | 'DUPLICATE' | 'PATHWAY_LIMIT' | 'VM_LIMIT';

/** One window of calls from one VM to another: what becomes a flow. */
export interface PathwayWindow {
  readonly source: EntityIdentity;
  readonly target: EntityIdentity;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly calls: number;
  readonly callsPerSec: number;
  /** Client-observed (the caller span's duration). */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Share of calls whose caller or callee span has status ERROR. */
  readonly errorRate: number;
}

/** What an advance yields: entities first seen or changed, closed windows, and what was skipped since the last one. */
export interface CallPathwayOutput {
  readonly entities: readonly EntityIdentity[];
  readonly windows: readonly PathwayWindow[];
  readonly skipped: Readonly<Partial<Record<SpanSkipReason, number>>>;
}

interface Accumulator {
  readonly source: EntityIdentity;
  readonly target: EntityIdentity;
  readonly latencies: LatencySample;
  errors: number;
}

function isCaller(kind: number): boolean {
  return kind === SPAN_KIND.CLIENT || kind === SPAN_KIND.PRODUCER;
}

function isCallee(kind: number): boolean {
  return kind === SPAN_KIND.SERVER || kind === SPAN_KIND.CONSUMER;
}

/**
 * Call pathways from spans, the way the Collector's servicegraph connector pairs them: a CLIENT span with the SERVER
 * span whose parent it is, a PRODUCER span with its CONSUMER child, within a trace. Unpaired spans wait in a store
 * bounded by count and event time; a caller span naming a peer (service.peer.name, peer.service, db.*) that expires
 * unpaired is a call to a virtual node. Paired calls between two different VMs are aggregated per window by the
 * caller span's end; a window closes once the watermark (the latest span end seen, or what `advance` is given)
 * passes its end plus the pairing wait. Pure: time comes only from the spans and the caller.
 */
export class CallPathways {
  private readonly pending: PendingSpans;
  private readonly windows = new Map<number, Map<string, Accumulator>>();
  private readonly entities = new Map<string, string>();
  private readonly seenIdentities = new WeakSet<EntityIdentity>();
  private readonly virtualPeers = new Map<string, EntityIdentity>();
  private newEntities: EntityIdentity[] = [];
  private skipped: Partial<Record<SpanSkipReason, number>> = {};
  private openPathways = 0;
  private watermarkMs = Number.NEGATIVE_INFINITY;
  /** Calls ending before this belong to a closed window. */
  private closedBeforeMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: CallPathwaySettings = DEFAULT_CALL_PATHWAY_SETTINGS) {
    for (const [name, value] of Object.entries(settings)) {
      if (typeof value !== 'number' || !(value >= (name === 'maxFutureSkewMs' || name === 'pairingWaitMs' ? 0 : 1))) {
        throw new ForesightError('INVALID_PARAMETERS', `call pathway setting ${name} must be a positive number, got ${String(value)}`);
      }
    }
    this.pending = new PendingSpans(settings.maxPendingSpans);
  }

  /** The latest event time seen (spans' ends, or what advance was given). */
  get watermark(): number {
    return this.watermarkMs;
  }

  /** Spans waiting for a partner now. */
  get pendingSpans(): number {
    return this.pending.size;
  }

  /** Pathway windows open now. */
  get openPathwayWindows(): number {
    return this.openPathways;
  }

  /**
   * Adds spans. `now` (the receiver's clock, optional) bounds clock skew: spans ending more than maxFutureSkewMs after
   * it are refused. Spans that are neither callers nor callees (INTERNAL, UNSPECIFIED) only register their VM.
   */
  addSpans(spans: Iterable<TelemetrySpan>, now?: number): void {
    const futureLimit = now === undefined ? Number.POSITIVE_INFINITY : now + this.settings.maxFutureSkewMs;
    for (const span of spans) {
      if (span.endMs > futureLimit) {
        this.countDropped('SPAN_IN_FUTURE');
        continue;
      }
      if (!this.register(span.identity)) {
        this.countDropped('VM_LIMIT');
        continue;
      }
      if (span.endMs > this.watermarkMs) this.watermarkMs = span.endMs;
      if (isCaller(span.kind)) this.join(span, 'caller', callKey(span.traceId, span.spanId));
      else if (isCallee(span.kind) && span.parentSpanId !== '') this.join(span, 'callee', callKey(span.traceId, span.parentSpanId));
    }
  }

  /**
   * Moves event time to at least `toMs` (a live process passes its clock less the pairing wait, so windows close
   * without new spans), expires waiting spans, closes windows, and returns what was produced since the last call.
   */
  advance(toMs?: number): CallPathwayOutput {
    if (toMs !== undefined && toMs > this.watermarkMs) this.watermarkMs = toMs;
    this.pending.expire(this.watermarkMs, (entry, why) => this.departed(entry, why));
    const windows: PathwayWindow[] = [];
    const closeBefore = this.watermarkMs - this.settings.pairingWaitMs;
    for (const start of [...this.windows.keys()].sort((a, b) => a - b)) {
      const end = start + this.settings.windowMs;
      if (end > closeBefore) break;
      const pathways = this.windows.get(start);
      this.windows.delete(start);
      if (end > this.closedBeforeMs) this.closedBeforeMs = end;
      if (pathways === undefined) continue;
      this.openPathways -= pathways.size;
      for (const acc of pathways.values()) windows.push(this.windowOf(acc, start, end));
    }
    const output: CallPathwayOutput = { entities: this.newEntities, windows, skipped: this.skipped };
    this.newEntities = [];
    this.skipped = {};
    return output;
  }

  /** Everything still open, closed now (the end of a replay). */
  flush(): CallPathwayOutput {
    const last = Math.max(...this.windows.keys(), this.watermarkMs);
    return this.advance(last + this.settings.windowMs + this.settings.pairingWaitMs);
  }

  private join(span: TelemetrySpan, side: 'caller' | 'callee', key: string): void {
    const waiting = this.pending.take(key);
    if (waiting === undefined) {
      const entry: PendingSpan = { span, side, expireAt: this.watermarkMs + this.settings.pairingWaitMs };
      this.pending.put(key, entry, (evicted, why) => this.departed(evicted, why));
      return;
    }
    if (waiting.side === side) {
      // NOTE: a repeated delivery of the same span (at-least-once transports): keep the first.
      this.pending.put(key, waiting, (evicted, why) => this.departed(evicted, why));
      this.countDropped('DUPLICATE');
      return;
    }
    const [caller, callee] = side === 'caller' ? [span, waiting.span] : [waiting.span, span];
    this.record(caller, callee.identity, callee.error);
  }

  private departed(entry: PendingSpan, why: DepartureWhy): void {
    if (why === 'EVICTED') this.countDropped('EVICTED');
    if (entry.side === 'callee') {
      if (why === 'EXPIRED') this.countDropped('UNPAIRED_CALLEE');
      return;
    }
    const peer = entry.span.peer;
    if (peer === undefined) {
      if (why === 'EXPIRED') this.countDropped('UNPAIRED_CALLER');
      return;
    }
    this.record(entry.span, this.virtualPeer(peer, entry.span.identity), false);
  }

  private virtualPeer(peer: string, caller: EntityIdentity): EntityIdentity {
    const key = `${caller.systemId}\u0000${peer}`;
    let identity = this.virtualPeers.get(key);
    if (identity === undefined) {
      identity = virtualPeerIdentity(peer, caller);
      if (!this.register(identity)) return identity;
      this.virtualPeers.set(key, identity);
    }
    return identity;
  }

  private record(caller: TelemetrySpan, target: EntityIdentity, calleeError: boolean): void {
    const source = caller.identity;
    if (source.vmId === target.vmId) return;
    if (caller.endMs < this.closedBeforeMs) {
      this.countDropped('LATE');
      return;
    }
    const start = Math.floor(caller.endMs / this.settings.windowMs) * this.settings.windowMs;
    let pathways = this.windows.get(start);
    if (pathways === undefined) this.windows.set(start, (pathways = new Map<string, Accumulator>()));
    const key = `${source.vmId}\u0000${target.vmId}`;
    let acc = pathways.get(key);
    if (acc === undefined) {
      if (this.openPathways >= this.settings.maxOpenPathways) {
        this.countDropped('PATHWAY_LIMIT');
        return;
      }
      acc = { source, target, latencies: new LatencySample(this.settings.latencySamples), errors: 0 };
      pathways.set(key, acc);
      this.openPathways += 1;
    }
    // Epoch milliseconds from nanoseconds carry ~0.25 µs of float error each: the duration is kept to the microsecond.
    acc.latencies.add(Math.max(0, Math.round((caller.endMs - caller.startMs) * 1000) / 1000));
    if (caller.error || calleeError) acc.errors += 1;
  }

  private windowOf(acc: Accumulator, windowStart: number, windowEnd: number): PathwayWindow {
    const calls = acc.latencies.count;
    const [p50, p99] = acc.latencies.quantiles([0.5, 0.99]);
    return {
      source: acc.source, target: acc.target, windowStart, windowEnd, calls,
      callsPerSec: calls / ((windowEnd - windowStart) / 1000),
      latencyP50Ms: p50, latencyP99Ms: p99, errorRate: calls === 0 ? 0 : acc.errors / calls,
    };
  }

  /** Remembers a VM's identity; new or changed ones are reported. False when the VM bound is reached. */
  private register(identity: EntityIdentity): boolean {
    if (this.seenIdentities.has(identity)) return true;
    const key = identityKey(identity);
    const known = this.entities.get(identity.vmId);
    if (known === undefined && this.entities.size >= this.settings.maxVms) return false;
    if (known !== key) {
      this.entities.set(identity.vmId, key);
      this.newEntities.push(identity);
    }
    this.seenIdentities.add(identity);
    return true;
  }

  private countDropped(reason: SpanSkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }
}
