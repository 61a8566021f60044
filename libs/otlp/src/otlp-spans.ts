import {
  DEFAULT_PEER_ATTRIBUTES, peerOf, resolveIdentity, SPAN_KIND, type AttributeLookup, type IdentityPrecedence, type IdentitySkipReason, type TelemetrySpan,
} from '@foresight/core';
import type { AnyValue, ExportTraceServiceRequest, Int64, KeyValue } from './generated/otlp-types.js';

/** Why spans of a request were not turned into TelemetrySpans. */
export type SpanRejection = IdentitySkipReason | 'INVALID_SPAN';

/** The spans of one request, and how many were left out, per reason. */
export interface SpanExtraction {
  readonly spans: TelemetrySpan[];
  readonly skipped: Partial<Record<SpanRejection, number>>;
  /** Spans refused as invalid (reported back as partial_success.rejected_spans). */
  readonly rejected: number;
}

/** How resources map to entities and which span attributes name an uninstrumented peer. */
export interface SpanMapping {
  readonly precedence: IdentityPrecedence;
  readonly peerAttributes?: readonly string[];
}

const TWO_POW_32 = 4_294_967_296;

/** A 64-bit integer as protobufjs gives it (number, decimal string or Long) as a JS number (exact below 2^53). */
export function int64ToNumber(value: Int64 | null | undefined): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return (value.unsigned ? value.high >>> 0 : value.high) * TWO_POW_32 + (value.low >>> 0);
}

/** An attribute value as a string (OTLP scalars); undefined for arrays, maps and bytes. */
export function attributeText(value: AnyValue | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  // NOTE: only the oneof member that is set is an own property; the others' defaults sit on decoded messages' prototype.
  if (Object.hasOwn(value, 'stringValue') && typeof value.stringValue === 'string' && value.stringValue !== '') return value.stringValue;
  if (Object.hasOwn(value, 'intValue') && value.intValue !== undefined && value.intValue !== null) return String(int64ToNumber(value.intValue));
  if (Object.hasOwn(value, 'boolValue') && typeof value.boolValue === 'boolean') return String(value.boolValue);
  if (Object.hasOwn(value, 'doubleValue') && typeof value.doubleValue === 'number') return String(value.doubleValue);
  return undefined;
}

/** A lookup over an OTLP attribute list (linear: lists are short and read a few times). */
export function attributeLookup(attributes: readonly KeyValue[] | undefined): AttributeLookup {
  return (key) => {
    if (attributes === undefined) return undefined;
    for (const attribute of attributes) if (attribute.key === key) return attributeText(attribute.value);
    return undefined;
  };
}

function hex(bytes: Uint8Array | undefined): string {
  if (bytes === undefined || bytes.length === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const NANOS_PER_MS = 1e6;
const STATUS_ERROR = 2;

/**
 * The spans of an ExportTraceServiceRequest as the core's TelemetrySpans: each resource's attributes mapped to an
 * identity once (resources without one are skipped and counted per reason), ids as hex, times in ms, status ERROR,
 * and the peer a CLIENT or PRODUCER span names. A span whose trace id is not 16 bytes or span id not 8 is invalid.
 */
export function spansOf(request: ExportTraceServiceRequest, mapping: SpanMapping): SpanExtraction {
  const spans: TelemetrySpan[] = [];
  const skipped: Partial<Record<SpanRejection, number>> = {};
  let rejected = 0;
  const peerAttributes = mapping.peerAttributes ?? DEFAULT_PEER_ATTRIBUTES;
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resolved = resolveIdentity(attributeLookup(resourceSpans.resource?.attributes), mapping.precedence);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        if (span.traceId?.length !== 16 || span.spanId?.length !== 8 || (span.parentSpanId !== undefined && span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8)) {
          skipped.INVALID_SPAN = (skipped.INVALID_SPAN ?? 0) + 1;
          rejected += 1;
          continue;
        }
        if ('skipped' in resolved) {
          skipped[resolved.skipped] = (skipped[resolved.skipped] ?? 0) + 1;
          continue;
        }
        const kind = span.kind ?? 0;
        const peer = kind === SPAN_KIND.CLIENT || kind === SPAN_KIND.PRODUCER ? peerOf(attributeLookup(span.attributes), peerAttributes) : undefined;
        spans.push({
          traceId: hex(span.traceId), spanId: hex(span.spanId), parentSpanId: hex(span.parentSpanId), kind,
          startMs: int64ToNumber(span.startTimeUnixNano) / NANOS_PER_MS, endMs: int64ToNumber(span.endTimeUnixNano) / NANOS_PER_MS,
          error: span.status?.code === STATUS_ERROR, identity: resolved.identity,
          ...(peer === undefined ? {} : { peer }),
        });
      }
    }
  }
  return { spans, skipped, rejected };
}
