import { OtlpError } from './otlp-error.js';

type JsonObject = Record<string, unknown>;

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpError('OTLP_MALFORMED', `${where}: an array expected`);
  return value;
}

/** OTLP JSON carries trace and span ids as hex, not base64 as proto JSON would: replaced by bytes in place. */
function hexIds(object: JsonObject, fields: readonly string[], where: string): void {
  for (const field of fields) {
    const value = object[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !HEX.test(value)) throw new OtlpError('OTLP_MALFORMED', `${where}.${field}: a hex string expected`);
    object[field] = Buffer.from(value, 'hex');
  }
}

function exemplars(points: unknown, where: string): void {
  for (const [i, point] of list(points, where).entries()) {
    if (!isObject(point)) continue;
    for (const [j, exemplar] of list(point.exemplars, `${where}[${i}].exemplars`).entries()) {
      if (isObject(exemplar)) hexIds(exemplar, ['traceId', 'spanId'], `${where}[${i}].exemplars[${j}]`);
    }
  }
}

/** Rewrites the hex ids of a parsed OTLP JSON ExportTraceServiceRequest into bytes, so protobufjs's fromObject reads it. */
export function normaliseTraceJson(request: unknown): JsonObject {
  if (!isObject(request)) throw new OtlpError('OTLP_MALFORMED', 'an OTLP JSON request is an object');
  for (const [r, resourceSpans] of list(request.resourceSpans, 'resourceSpans').entries()) {
    if (!isObject(resourceSpans)) continue;
    for (const [s, scopeSpans] of list(resourceSpans.scopeSpans, `resourceSpans[${r}].scopeSpans`).entries()) {
      if (!isObject(scopeSpans)) continue;
      for (const [i, span] of list(scopeSpans.spans, `resourceSpans[${r}].scopeSpans[${s}].spans`).entries()) {
        if (!isObject(span)) continue;
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        hexIds(span, ['traceId', 'spanId', 'parentSpanId'], where);
        for (const [l, link] of list(span.links, `${where}.links`).entries()) {
          if (isObject(link)) hexIds(link, ['traceId', 'spanId'], `${where}.links[${l}]`);
        }
      }
    }
  }
  return request;
}

/** Rewrites the hex ids of exemplars of a parsed OTLP JSON ExportMetricsServiceRequest into bytes. */
export function normaliseMetricsJson(request: unknown): JsonObject {
  if (!isObject(request)) throw new OtlpError('OTLP_MALFORMED', 'an OTLP JSON request is an object');
  for (const [r, resourceMetrics] of list(request.resourceMetrics, 'resourceMetrics').entries()) {
    if (!isObject(resourceMetrics)) continue;
    for (const [s, scopeMetrics] of list(resourceMetrics.scopeMetrics, `resourceMetrics[${r}].scopeMetrics`).entries()) {
      if (!isObject(scopeMetrics)) continue;
      for (const [m, metric] of list(scopeMetrics.metrics, `resourceMetrics[${r}].scopeMetrics[${s}].metrics`).entries()) {
        if (!isObject(metric)) continue;
        const where = `resourceMetrics[${r}].scopeMetrics[${s}].metrics[${m}]`;
        for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
          const data = metric[kind];
          if (isObject(data)) exemplars(data.dataPoints, `${where}.${kind}.dataPoints`);
        }
      }
    }
  }
  return request;
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** protobufjs's toObject output (bytes as base64) in OTLP JSON form: trace and span ids as hex. */
export function idsToHex(object: unknown): unknown {
  return JSON.parse(JSON.stringify(object, (key, value: unknown) => (
    ID_FIELDS.has(key) && typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : value
  )));
}
