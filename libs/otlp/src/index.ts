// Public API of @foresight/otlp: the OTLP schema (generated from the vendored .proto files) and its decoders.
export * from './generated/otlp-types.js';
export { OtlpError, type OtlpErrorCode } from './otlp-error.js';
export {
  OTLP_ENCODINGS, decodeMetricsRequest, decodeTraceRequest, decodeTraceResponse, encodeMetricsRequest, encodeMetricsResponse, encodeTraceRequest,
  encodeTraceResponse, type OtlpEncoding,
} from './otlp-codec.js';
export { idsToHex, normaliseMetricsJson, normaliseTraceJson } from './otlp-json.js';
export {
  attributeLookup, attributeText, int64ToNumber, spansOf, type SpanExtraction, type SpanMapping, type SpanRejection,
} from './otlp-spans.js';
export { metricsOf, type MetricExtraction } from './otlp-metrics.js';
