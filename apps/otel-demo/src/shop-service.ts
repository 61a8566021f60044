import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { burnCpu, FaultError, parseFault, type FaultSwitch } from './fault-switch.js';

/** A service this one calls: another shop service over HTTP, or the database (a shop service too, but called as a DB). */
export interface Downstream {
  readonly name: string;
  readonly url: string;
  readonly kind: 'http' | 'db';
}

export interface ShopServiceOptions {
  readonly name: string;
  readonly downstreams: readonly Downstream[];
  readonly faults: FaultSwitch;
  /** The service's tracer (a no-op one when no SDK is started, as in unit tests). */
  readonly tracer?: Tracer;
  /** Time a request takes with no fault (its own work), in ms. */
  readonly workMs?: number;
  /** Each served request: its duration and whether it failed (the metrics). */
  readonly onServed?: (durationMs: number, failed: boolean) => void;
  readonly host?: string;
  readonly port?: number;
}

/** Requests served so far (GET /admin/stats). */
export interface ShopStats {
  requests: number;
  errors: number;
}

export interface RunningShopService {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly stats: Readonly<ShopStats>;
  close(): Promise<void>;
}

const CALL_TIMEOUT_MS = 10_000;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > limit) throw new FaultError('body', `larger than ${limit} bytes`);
  }
  return text;
}

/**
 * One shop service: GET on any path does the service's work (under its fault) and calls its downstreams, each call a
 * CLIENT span whose context travels in `traceparent`, the request itself a SERVER span; a failed downstream fails the
 * caller (502), so a fault spreads to the callers as it would in a real shop. The fault switch is at /admin/fault:
 * GET reads it, POST sets it (`{"latencyMs":300}`, `{"errorRate":0.5}`, `{"cpuBurnMs":20}`), DELETE clears it.
 */
export async function startShopService(options: ShopServiceOptions): Promise<RunningShopService> {
  const tracer = options.tracer ?? trace.getTracer(options.name);
  const stats: ShopStats = { requests: 0, errors: 0 };
  let port = 0;

  async function call(downstream: Downstream, path: string): Promise<boolean> {
    const url = new URL(path, downstream.url);
    const attributes: Record<string, string | number> = {
      'http.request.method': 'GET', 'url.full': url.href, 'server.address': url.hostname, 'server.port': Number(url.port), 'peer.service': downstream.name,
    };
    if (downstream.kind === 'db') Object.assign(attributes, { 'db.system.name': 'shopdb', 'db.namespace': 'shop', 'db.operation.name': 'SELECT' });
    const name = downstream.kind === 'db' ? `SELECT shop.${path.replace(/^\//, '') || 'items'}` : `GET ${downstream.name}`;
    return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span: Span) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
        await response.arrayBuffer();
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `${downstream.name} answered ${response.status}` });
        return response.status < 500;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        return false;
      } finally {
        span.end();
      }
    });
  }

  async function serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const parent = propagation.extract(context.active(), req.headers);
    const started = performance.now();
    await tracer.startActiveSpan(`GET ${path}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'url.path': path, 'http.route': path, 'server.port': port },
    }, parent, async (span: Span) => {
      let failed = false;
      try {
        const effect = options.faults.next();
        burnCpu(effect.burnMs);
        const wait = (options.workMs ?? 2) + effect.delayMs;
        if (wait > 0) await sleep(wait);
        if (effect.fail) {
          failed = true;
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'injected error' });
          json(res, 500, { service: options.name, error: 'injected error' });
          return;
        }
        const results = await Promise.all(options.downstreams.map((d) => call(d, d.kind === 'db' ? '/items' : path)));
        const broken = options.downstreams.filter((_, i) => results[i] === false).map((d) => d.name);
        if (broken.length > 0) {
          failed = true;
          span.setStatus({ code: SpanStatusCode.ERROR, message: `failed: ${broken.join(', ')}` });
          json(res, 502, { service: options.name, error: `failed: ${broken.join(', ')}` });
          return;
        }
        json(res, 200, { service: options.name, ok: true });
      } finally {
        stats.requests += 1;
        if (failed) stats.errors += 1;
        span.setAttribute('http.response.status_code', res.statusCode);
        span.end();
        options.onServed?.(performance.now() - started, failed);
      }
    });
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/admin/stats' && req.method === 'GET') return json(res, 200, { service: options.name, ...stats, fault: options.faults.current });
    if (path !== '/admin/fault') return json(res, 404, { code: 'DEMO_NOT_FOUND', message: `no ${req.method} ${path}` });
    if (req.method === 'GET') return json(res, 200, options.faults.current);
    if (req.method === 'DELETE') {
      options.faults.clear();
      return json(res, 200, options.faults.current);
    }
    if (req.method !== 'POST') return json(res, 405, { code: 'DEMO_METHOD', message: `${req.method} not allowed on ${path}` });
    try {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new FaultError('body', 'not JSON');
      }
      options.faults.set(parseFault(body));
      return json(res, 200, options.faults.current);
    } catch (error) {
      if (error instanceof FaultError) return json(res, 400, { code: error.code, field: error.field, message: error.message });
      throw error;
    }
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const handled = path.startsWith('/admin/') ? admin(req, res, path) : path === '/healthz' ? Promise.resolve(json(res, 200, { ok: true })) : serve(req, res, path);
    handled.catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { code: 'DEMO_INTERNAL', message: (error as Error).message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    name: options.name,
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stats,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
