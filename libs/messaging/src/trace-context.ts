import { ROOT_CONTEXT, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** W3C Trace Context header names (https://www.w3.org/TR/trace-context/). */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** Message headers as the runtime holds them (Kafka header values decoded as UTF-8). */
export type MessageHeaders = Record<string, string>;

/** Reads trace context from message headers. */
export const messageHeadersGetter: TextMapGetter<Readonly<MessageHeaders>> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key],
};

/** Writes trace context into message headers. */
export const messageHeadersSetter: TextMapSetter<MessageHeaders> = {
  set: (headers, key, value) => {
    headers[key] = value;
  },
};

/**
 * NOTE: OpenTelemetry's W3C propagator itself, not the global one: messages carry trace context even when no SDK
 * registered a propagator (the embedded mode, tests), and only trace context (no baggage) goes on the wire.
 */
const propagator = new W3CTraceContextPropagator();

/** The trace headers for messages published under `context` (none when it carries no valid span). */
export function traceHeadersOf(context: Context): MessageHeaders | undefined {
  const headers: MessageHeaders = {};
  propagator.inject(context, headers, messageHeadersSetter);
  return headers[TRACEPARENT_HEADER] === undefined ? undefined : headers;
}

/** The OpenTelemetry context a consumed message's headers carry (the root context when they carry none or a malformed one). */
export function contextFromHeaders(headers: Readonly<MessageHeaders>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, messageHeadersGetter);
}
