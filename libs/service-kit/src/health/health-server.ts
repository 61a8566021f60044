import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './readiness.js';

/** Where /metrics text comes from (the telemetry's Prometheus reader). */
export interface MetricsSource {
  readonly contentType: string;
  scrape(): Promise<string>;
}

/** Settings of the health server. */
export interface HealthServerOptions {
  /** 0 = ephemeral; the bound port is on the returned server. */
  readonly port: number;
  readonly host?: string;
  readonly readiness: Readiness;
  /** Without it /metrics answers 404. */
  readonly metrics?: MetricsSource;
}

/** A running health server: /healthz, /readyz and /metrics on one port. */
export interface HealthServer {
  readonly port: number;
  /** e.g. http://127.0.0.1:43127 */
  readonly url: string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

const sendJson = (response: ServerResponse, status: number, body: unknown): void =>
  send(response, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);

async function route(options: HealthServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://health').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return sendJson(response, 405, { error: 'method not allowed' });
  }
  switch (path) {
    case '/healthz':
      return sendJson(response, 200, { status: 'ok' });
    case '/readyz': {
      const report = await options.readiness.report();
      return sendJson(response, report.ready ? 200 : 503, report);
    }
    case '/metrics':
      if (options.metrics === undefined) return sendJson(response, 404, { error: 'no metrics' });
      return send(response, 200, options.metrics.contentType, await options.metrics.scrape());
    default:
      return sendJson(response, 404, { error: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
  }
}

/** Starts the health server (node:http); rejects when the port cannot be bound. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((request, response) => {
    route(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: error instanceof Error ? error.message : String(error) });
      else response.destroy();
    });
  });
  // NOTE: probes and scrapes are short; idle keep-alive sockets must not hold up close().
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    port: address.port,
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeAllConnections();
    }),
  };
}
