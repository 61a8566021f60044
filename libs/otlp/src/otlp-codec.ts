import protobuf from 'protobufjs';
import { OTLP_DESCRIPTOR } from './generated/otlp-descriptor.js';
import type {
  ExportMetricsServiceRequest, ExportMetricsServiceResponse, ExportTraceServiceRequest, ExportTraceServiceResponse,
} from './generated/otlp-types.js';
import { OtlpError } from './otlp-error.js';
import { idsToHex, normaliseMetricsJson, normaliseTraceJson } from './otlp-json.js';

/** The two encodings of the Collector's Kafka exporter and of OTLP/HTTP. */
export type OtlpEncoding = 'otlp_proto' | 'otlp_json';
export const OTLP_ENCODINGS: readonly OtlpEncoding[] = ['otlp_proto', 'otlp_json'];

const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);
const TYPES = {
  traceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  traceResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  metricsRequest: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
  metricsResponse: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
};

/** OTLP JSON's rules (OTLP spec, JSON Protobuf Encoding): enums as ints, int64 as strings, bytes as base64 but ids hex. */
const JSON_OUTPUT: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: false };

function decode<T>(type: protobuf.Type, payload: Uint8Array, encoding: OtlpEncoding, normalise: (json: unknown) => unknown): T {
  try {
    if (encoding === 'otlp_proto') return type.decode(payload) as unknown as T;
    if (encoding !== 'otlp_json') throw new OtlpError('OTLP_UNSUPPORTED_ENCODING', `unknown OTLP encoding '${String(encoding)}'`);
    const json: unknown = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
    return type.fromObject(normalise(json) as Record<string, unknown>) as unknown as T;
  } catch (error) {
    if (error instanceof OtlpError) throw error;
    throw new OtlpError('OTLP_MALFORMED', `not an OTLP ${type.name} in ${encoding}: ${(error as Error).message}`, { cause: error });
  }
}

function encode(type: protobuf.Type, message: object, encoding: OtlpEncoding): Buffer {
  if (encoding === 'otlp_proto') {
    // NOTE: a message of the generated types is what encode() reads as it is (bytes as Buffer, int64 as number, string or Long).
    const bytes = type.encode(message).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return Buffer.from(JSON.stringify(idsToHex(type.toObject(type.fromObject(message as Record<string, unknown>), JSON_OUTPUT))));
}

/** Decodes an ExportTraceServiceRequest; OtlpError OTLP_MALFORMED when it is not one. */
export function decodeTraceRequest(payload: Uint8Array, encoding: OtlpEncoding): ExportTraceServiceRequest {
  return decode(TYPES.traceRequest, payload, encoding, normaliseTraceJson);
}

/** Decodes an ExportMetricsServiceRequest; OtlpError OTLP_MALFORMED when it is not one. */
export function decodeMetricsRequest(payload: Uint8Array, encoding: OtlpEncoding): ExportMetricsServiceRequest {
  return decode(TYPES.metricsRequest, payload, encoding, normaliseMetricsJson);
}

/** Encodes an ExportTraceServiceRequest (what an SDK or the Collector sends). */
export function encodeTraceRequest(request: ExportTraceServiceRequest, encoding: OtlpEncoding): Buffer {
  return encode(TYPES.traceRequest, request, encoding);
}

/** Encodes an ExportMetricsServiceRequest. */
export function encodeMetricsRequest(request: ExportMetricsServiceRequest, encoding: OtlpEncoding): Buffer {
  return encode(TYPES.metricsRequest, request, encoding);
}

/** Encodes the response of POST /v1/traces (partial_success when items were rejected). */
export function encodeTraceResponse(response: ExportTraceServiceResponse, encoding: OtlpEncoding): Buffer {
  return encode(TYPES.traceResponse, response, encoding);
}

/** Encodes the response of POST /v1/metrics. */
export function encodeMetricsResponse(response: ExportMetricsServiceResponse, encoding: OtlpEncoding): Buffer {
  return encode(TYPES.metricsResponse, response, encoding);
}

/** Decodes a response (tests, clients). */
export function decodeTraceResponse(payload: Uint8Array, encoding: OtlpEncoding): ExportTraceServiceResponse {
  return decode(TYPES.traceResponse, payload, encoding, (json) => json);
}
