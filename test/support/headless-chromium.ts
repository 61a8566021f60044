import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** Debian's chromium (infra/install-chromium.sh installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';
const INSTALL = fileURLToPath(new URL('../../../infra/install-chromium.sh', import.meta.url));

/** Installs chromium when it is missing; throws when it cannot. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const install = spawnSync('bash', [INSTALL], { stdio: 'inherit', timeout: 600_000 });
  if (install.status !== 0) throw new Error(`${INSTALL} failed: chromium is needed`);
}

/** A message the page logged as an error, or an exception it threw. */
export interface PageProblem {
  readonly kind: 'console' | 'exception';
  readonly text: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: commands on fd 3, replies on
 * fd 4, NUL-separated JSON): no WebSocket client and no library needed. One page, one session.
 */
export class HeadlessChromium {
  /** Errors the page logged and exceptions it threw, in order. */
  readonly problems: PageProblem[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: { method: string; resolve(params: unknown): void }[] = [];
  private nextId = 0;
  private sessionId: string | undefined;
  private buffer = '';

  private constructor(private readonly child: ChildProcess, private readonly input: Writable, output: Readable) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let end = this.buffer.indexOf('\0'); end >= 0; end = this.buffer.indexOf('\0')) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.receive(JSON.parse(text) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown });
      }
    });
    child.once('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('chromium exited'));
      this.pending.clear();
    });
  }

  /** Starts chromium with a fresh profile in `profileDir` and attaches to its page at `width`×`height`. */
  static async launch(profileDir: string, width = 1280, height = 900): Promise<HeadlessChromium> {
    ensureChromium();
    const child = spawn(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-extensions', '--hide-scrollbars', `--user-data-dir=${profileDir}`, `--window-size=${width},${height}`, '--remote-debugging-pipe', 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const browser = new HeadlessChromium(child, child.stdio[3] as Writable, child.stdio[4] as Readable);
    const { targetInfos } = await browser.send('Target.getTargets') as { targetInfos: { targetId: string; type: string }[] };
    const page = targetInfos.find((t) => t.type === 'page') ?? (await browser.send('Target.createTarget', { url: 'about:blank' }) as { targetId: string });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId: page.targetId, flatten: true }) as { sessionId: string };
    browser.sessionId = sessionId;
    await browser.send('Page.enable');
    await browser.send('Runtime.enable');
    await browser.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return browser;
  }

  /** Sends one DevTools command (to the page's session once attached) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.nextId;
    const message = { id, method, params, ...(this.sessionId === undefined ? {} : { sessionId: this.sessionId }) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.input.write(`${JSON.stringify(message)}\0`);
    });
  }

  /** Resolves with the params of the next event `method`. */
  next(method: string): Promise<unknown> {
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }

  /** Loads `url` and waits for its load event. */
  async navigate(url: string): Promise<void> {
    const loaded = this.next('Page.loadEventFired');
    const result = await this.send('Page.navigate', { url }) as { errorText?: string };
    if (result.errorText !== undefined) throw new Error(`navigation to ${url} failed: ${result.errorText}`);
    await loaded;
  }

  /** Evaluates `expression` in the page (awaiting a promise) and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }) as { result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } };
    if (r.exceptionDetails !== undefined) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /**
   * Awaits a DOM condition: `condition` (a JS expression) is checked on every DOM mutation, by a MutationObserver in
   * the page, until it is truthy (its value is returned) or `timeoutMs` passes (then it throws naming `what`).
   */
  waitFor<T>(what: string, condition: string, timeoutMs = 30_000): Promise<T> {
    return this.evaluate<T>(`new Promise((resolve, reject) => {
      let observer;
      const check = () => { let v; try { v = (${condition}); } catch (e) { v = undefined; } if (v) { observer.disconnect(); clearTimeout(timer); resolve(v); } };
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(${JSON.stringify(`timed out after ${timeoutMs} ms waiting for ${what}`)})); }, ${timeoutMs});
      observer = new MutationObserver(check);
      observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      check();
    })`);
  }

  /** Writes a PNG of the whole page to `file`; returns its size in bytes. */
  async screenshot(file: string): Promise<number> {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }) as { data: string };
    const bytes = Buffer.from(data, 'base64');
    writeFileSync(file, bytes);
    return bytes.length;
  }

  /** Closes the browser. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private receive(message: { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown }): void {
    if (message.id !== undefined) {
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) p?.reject(new Error(message.error.message));
      else p?.resolve(message.result);
      return;
    }
    if (message.method === 'Runtime.consoleAPICalled') {
      const params = message.params as { type: string; args: { value?: unknown; description?: string }[] };
      if (params.type === 'error' || params.type === 'assert') this.problems.push({ kind: 'console', text: params.args.map((a) => (typeof a.value === 'string' ? a.value : a.description ?? JSON.stringify(a.value))).join(' ') });
    } else if (message.method === 'Runtime.exceptionThrown') {
      const params = message.params as { exceptionDetails: { text: string; exception?: { description?: string } } };
      this.problems.push({ kind: 'exception', text: params.exceptionDetails.exception?.description ?? params.exceptionDetails.text });
    }
    for (let i = 0; i < this.waiters.length; i++) {
      if (this.waiters[i].method !== message.method) continue;
      const [waiter] = this.waiters.splice(i, 1);
      waiter.resolve(message.params);
      break;
    }
  }
}
