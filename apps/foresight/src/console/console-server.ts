import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@foresight/messaging';
import { ConsoleError } from './console-error.js';
import { consolePage } from './console-page.js';
import { routeApi, type ConsoleApiDeps } from './console-routes.js';
import { presentedToken, TOKEN_COOKIE, tokenMatches } from './console-token.js';
import { DEFAULT_EVENT_STREAM_OPTIONS, EventStream, type EventStreamOptions } from './event-stream.js';

/** Where and how the console serves. */
export interface ConsoleServerOptions {
  readonly host: string;
  /** 0 picks a free port (see `url`). */
  readonly port: number;
  /** When set, every request but /healthz must present it (Bearer header, or the cookie `/?token=…` sets). */
  readonly token: string | undefined;
  readonly logger: Logger;
  readonly stream?: EventStreamOptions;
  /** A trace UI's address template with `{traceId}`, given to the page. */
  readonly traceUrl?: string;
}

/** A running console server. */
export interface ConsoleServer {
  /** `http://host:port/` (no token in it). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_URL_LENGTH = 2_048;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}

function sendError(response: ServerResponse, error: ConsoleError): void {
  sendJson(response, error.status, { error: { code: error.code, message: error.message } });
}

/**
 * Serves the console: the page at `/`, the JSON views under `/api/`, the live stream at `/api/events`, `/healthz`.
 * GET only; errors are JSON `{ error: { code, message } }`. Security headers on every answer: a strict CSP (the page's
 * one script and style carry a per-response nonce), no framing, no sniffing, no referrer.
 */
export async function startConsoleServer(options: ConsoleServerOptions, deps: ConsoleApiDeps): Promise<ConsoleServer> {
  const stream = new EventStream(deps.fleet, options.stream ?? DEFAULT_EVENT_STREAM_OPTIONS);
  const server = createServer((request, response) => void handle(request, response));

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('x-frame-options', 'DENY');
    response.setHeader('referrer-policy', 'no-referrer');
    try {
      if ((request.url ?? '').length > MAX_URL_LENGTH) throw new ConsoleError('INVALID_INPUT', `the URL is longer than ${MAX_URL_LENGTH} characters`);
      const url = new URL(request.url ?? '/', 'http://console.invalid');
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('allow', 'GET, HEAD');
        throw new ConsoleError('METHOD_NOT_ALLOWED', `${String(request.method).slice(0, 16)} is not allowed: the console only reads`);
      }
      if (url.pathname === '/healthz') return sendJson(response, 200, { ok: true, streams: stream.size });
      if (options.token !== undefined) {
        const fromQuery = url.pathname === '/' ? url.searchParams.get('token') ?? undefined : undefined;
        if (fromQuery !== undefined && tokenMatches(options.token, fromQuery)) {
          // The token leaves the address bar (and history) at once; the page then presents the cookie.
          response.writeHead(303, { location: '/', 'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(fromQuery)}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' });
          return void response.end();
        }
        if (!tokenMatches(options.token, presentedToken(request.headers))) {
          response.setHeader('www-authenticate', 'Bearer realm="foresight-console"');
          throw new ConsoleError('UNAUTHORIZED', 'a token is required: open /?token=<FORESIGHT_CONSOLE_TOKEN> or send Authorization: Bearer <token>');
        }
      }
      if (url.pathname === '/' || url.pathname === '/index.html') {
        const nonce = randomBytes(16).toString('base64');
        const html = consolePage(nonce, options.traceUrl);
        response.writeHead(200, {
          'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html),
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        });
        return void response.end(request.method === 'HEAD' ? undefined : html);
      }
      if (url.pathname === '/api/events') {
        if (!stream.attach(response)) throw new ConsoleError('TOO_MANY_STREAMS', 'too many open live streams; try again later');
        return;
      }
      const body = await routeApi(url.pathname, url.searchParams, deps);
      return sendJson(response, 200, body);
    } catch (error) {
      const failure = error instanceof ConsoleError ? error : new ConsoleError('INTERNAL', 'the request failed', { cause: error });
      if (failure.status >= 500) options.logger.warn({ code: failure.code, path: (request.url ?? '').split('?')[0].slice(0, 200), err: failure.cause instanceof Error ? failure.cause.message : failure.message }, 'console request failed');
      if (response.headersSent) return void response.end();
      sendError(response, failure);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    async close() {
      stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
