import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import type { Logger } from '@foresight/messaging';
import { encodeMetricsResponse, encodeTraceResponse, type OtlpEncoding } from '@foresight/otlp';
import { NO_GATEWAY_METRICS, type GatewayMetrics } from './gateway-metrics.js';
import type { Acceptance, PayloadOrigin } from './telemetry-gateway.js';

/** What the OTLP/HTTP receiver hands requests to. */
export interface OtlpReceiver {
  acceptTraces(payload: Buffer, encoding: OtlpEncoding, origin: PayloadOrigin): Promise<Acceptance>;
  acceptMetrics(payload: Buffer, encoding: OtlpEncoding, origin: PayloadOrigin): Promise<Acceptance>;
  /** False while the gateway cannot publish (answered 503). */
  ready(): boolean;
}

/** Bounds of the receiver. */
export interface OtlpHttpOptions {
  readonly host: string;
  readonly port: number;
  /** Largest body accepted, compressed and decompressed (413 beyond). */
  readonly maxBodyBytes: number;
  /** Requests handled at once; one more is answered 429 with Retry-After. */
  readonly maxInFlight: number;
  /** Retry-After of 429 and 503 answers. */
  readonly retryAfterMs: number;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
}

/** A running receiver. */
export interface OtlpHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, OtlpEncoding>> = { 'application/x-protobuf': 'otlp_proto', 'application/json': 'otlp_json' };
const ROUTES = { '/v1/traces': 'traces', '/v1/metrics': 'metrics' } as const;

class HttpRefusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** google.rpc.Status { code, message } in protobuf (fields 1 and 2), the body of OTLP/HTTP errors. */
function rpcStatusProto(code: number, message: string): Buffer {
  const text = Buffer.from(message.slice(0, 2000));
  const length: number[] = [];
  for (let n = text.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x08, code, 0x12, ...length]), text]);
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new HttpRefusal(413, `body of ${declared} bytes exceeds ${maxBytes}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) return;
      if (size > maxBytes) {
        // NOTE: the rest is read and dropped (not kept), so the 413 reaches the sender instead of a reset.
        refused = true;
        chunks.length = 0;
        reject(new HttpRefusal(413, `body exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function decompress(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return Promise.resolve(body);
  if (encoding !== 'gzip') return Promise.reject(new HttpRefusal(415, `unsupported Content-Encoding '${encoding}' (gzip or none)`));
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: maxBytes }, (error, result) => {
      if (error === null) resolve(result);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new HttpRefusal(413, `decompressed body exceeds ${maxBytes} bytes`));
      else reject(new HttpRefusal(400, `gzip body cannot be decompressed: ${error.message}`));
    });
  });
}

/**
 * OTLP/HTTP (OTLP spec, "OTLP/HTTP"): POST /v1/traces and /v1/metrics, binary protobuf or JSON, optionally gzip. 200
 * with an Export*ServiceResponse (partial_success naming rejected items), 400 for a body that is not a request (the
 * body is dead-lettered), 413 over the size bound, 415 for other content types, 429 beyond the in-flight bound and
 * 503 while the gateway cannot publish, both with Retry-After.
 */
export async function startOtlpHttpServer(receiver: OtlpReceiver, options: OtlpHttpOptions): Promise<OtlpHttpServer> {
  const metrics = options.metrics ?? NO_GATEWAY_METRICS;
  let inFlight = 0;
  const retryAfter = String(Math.max(1, Math.ceil(options.retryAfterMs / 1000)));

  async function handle(request: IncomingMessage, response: ServerResponse, signal: 'traces' | 'metrics'): Promise<void> {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const encoding = CONTENT_TYPES[contentType];
    const reply = (status: number, body: Buffer, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': encoding === 'otlp_json' ? 'application/json' : 'application/x-protobuf', ...headers });
      response.end(body);
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}): void => {
      const code = status === 400 ? 3 : status === 429 ? 8 : status === 503 ? 14 : status === 413 ? 8 : 3;
      reply(status, encoding === 'otlp_json' ? Buffer.from(JSON.stringify({ code, message })) : rpcStatusProto(code, message), headers);
    };
    if (encoding === undefined) {
      metrics.request(signal, 'http', 'unsupported');
      fail(415, `unsupported Content-Type '${contentType}' (application/x-protobuf or application/json)`);
      request.resume();
      return;
    }
    if (!receiver.ready()) {
      metrics.request(signal, 'http', 'unavailable');
      fail(503, 'the gateway cannot publish right now', { 'retry-after': retryAfter });
      request.resume();
      return;
    }
    if (inFlight >= options.maxInFlight) {
      metrics.request(signal, 'http', 'throttled');
      fail(429, `more than ${options.maxInFlight} requests in flight`, { 'retry-after': retryAfter });
      request.resume();
      return;
    }
    inFlight += 1;
    try {
      const body = await decompress(await readBody(request, options.maxBodyBytes), request.headers['content-encoding'], options.maxBodyBytes);
      const origin: PayloadOrigin = { transport: 'http' };
      const result = signal === 'traces' ? await receiver.acceptTraces(body, encoding, origin) : await receiver.acceptMetrics(body, encoding, origin);
      if (result.outcome === 'malformed') {
        fail(400, result.message);
        return;
      }
      const partialSuccess = result.rejected === 0 ? {} : {
        partialSuccess: signal === 'traces' ? { rejectedSpans: result.rejected, errorMessage: result.message } : { rejectedDataPoints: result.rejected, errorMessage: result.message },
      };
      reply(200, signal === 'traces' ? encodeTraceResponse(partialSuccess, encoding) : encodeMetricsResponse(partialSuccess, encoding));
    } catch (error) {
      if (error instanceof HttpRefusal) {
        if (error.status === 413) metrics.request(signal, 'http', 'too_large');
        fail(error.status, error.message);
        return;
      }
      // NOTE: publishing failed (Kafka down or slow): the sender keeps the data and retries after the pause.
      options.logger.warn({ err: error }, 'OTLP/HTTP request failed; answered 503');
      metrics.request(signal, 'http', 'unavailable');
      fail(503, `the gateway could not publish: ${(error as Error).message}`, { 'retry-after': retryAfter });
    } finally {
      inFlight -= 1;
    }
  }

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const signal = ROUTES[path as keyof typeof ROUTES] as 'traces' | 'metrics' | undefined;
    if (signal === undefined) {
      response.writeHead(404).end();
      request.resume();
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      request.resume();
      return;
    }
    handle(request, response, signal).catch((error: unknown) => {
      options.logger.error({ err: error }, 'OTLP/HTTP handler failed');
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
