import { ROOT_CONTEXT, createTraceState, isSpanContextValid, trace, type Context, type SpanContext } from '@opentelemetry/api';

/** W3C Trace Context header names (https://www.w3.org/TR/trace-context/). */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a `traceparent` (and optional `tracestate`) into a remote span context; undefined when malformed. */
export function parseTraceparent(traceparent: string, tracestate?: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version ff is invalid; version 00 has exactly four fields; later versions may append fields we ignore.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId, spanId, traceFlags: Number.parseInt(flags, 16) & 0xff, isRemote: true,
    ...(tracestate === undefined || tracestate === '' ? {} : { traceState: createTraceState(tracestate) }),
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Formats a span context as a version-00 `traceparent`. */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The trace headers for messages published under `context` (none when it carries no valid span). */
export function traceHeadersOf(context: Context): Record<string, string> | undefined {
  const spanContext = trace.getSpanContext(context);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  const headers: Record<string, string> = { [TRACEPARENT_HEADER]: formatTraceparent(spanContext) };
  const state = spanContext.traceState?.serialize();
  if (state) headers[TRACESTATE_HEADER] = state;
  return headers;
}

/** The OpenTelemetry context a consumed message's headers carry (the root context when they carry none). */
export function contextFromHeaders(headers: Readonly<Record<string, string>>): Context {
  const traceparent = headers[TRACEPARENT_HEADER];
  if (traceparent === undefined) return ROOT_CONTEXT;
  const spanContext = parseTraceparent(traceparent, headers[TRACESTATE_HEADER]);
  return spanContext === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, spanContext);
}
