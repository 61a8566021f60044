import type { EntityIdentity } from './entity-identity.js';

/** OTLP span kinds (trace.proto's SpanKind numbers): the ones call pairing looks at. */
export const SPAN_KIND = Object.freeze({ INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 });

/**
 * What the call-pathway rules need of one span, whatever its encoding: ids as lowercase hex, times in epoch
 * milliseconds, the identity its resource maps to (shared by the spans of one resource) and, for CLIENT and PRODUCER
 * spans, the name of the peer it called when the span names one (a virtual node if that peer never answers).
 */
export interface TelemetrySpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  /** SPAN_KIND numbers; anything else is ignored by the pairing. */
  readonly kind: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Span status ERROR. */
  readonly error: boolean;
  readonly identity: EntityIdentity;
  readonly peer?: string;
}
