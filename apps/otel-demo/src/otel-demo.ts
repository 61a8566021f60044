import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DemoUsageError, DEMO_USAGE, parseDemoArgs, type DemoOptions } from './demo-options.js';
import { DEMO_GRANT_THRESHOLD, startDemoPipeline, type DemoPipeline } from './demo-pipeline.js';
import { describeFault } from './fault-switch.js';
import { formatLiveLine } from './live-line.js';
import { startLoad } from './load-generator.js';
import { callersOf, ENTRY, SHOP } from './shop-topology.js';
import { startSpanCounter } from './span-counter.js';

const SERVICE_MAIN = fileURLToPath(new URL('./service-main.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface DemoOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The live line is rewritten in place (a terminal) or printed every 5 s (a log). */
  readonly tty: boolean;
}

const PROCESS_OUTPUT: DemoOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  tty: process.stdout.isTTY === true,
};

interface ShopProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly log: string[];
}

/** Starts one shop service process and awaits its ready line. */
function startService(name: string, downstreams: string, options: DemoOptions): Promise<ShopProcess> {
  const child = spawn(process.execPath, [SERVICE_MAIN], {
    env: { ...process.env, OTEL_DEMO_SERVICE: name, OTEL_DEMO_NAMESPACE: options.namespace, OTEL_DEMO_DOWNSTREAMS: downstreams, OTEL_EXPORTER_OTLP_ENDPOINT: options.endpoint },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms:\n${log.join('\n')}`)), START_TIMEOUT_MS);
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l !== '')) {
        log.push(line);
        if (log.length > 200) log.shift();
        if (line.startsWith('{"event":"ready"')) {
          clearTimeout(timer);
          const { port } = JSON.parse(line) as { port: number };
          resolve({ name, child, url: `http://127.0.0.1:${port}`, log });
        }
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) during start-up:\n${log.join('\n')}`));
    });
  });
}

async function stopService(service: ShopProcess): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** POST {} to /v1/traces: the Collector answers 200 when its OTLP/HTTP receiver is up. */
async function collectorReachable(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function adminFault(service: ShopProcess, method: 'POST' | 'DELETE', body?: object): Promise<void> {
  const response = await fetch(`${service.url}/admin/fault`, {
    method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}), signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`${method} ${service.url}/admin/fault: ${response.status} ${await response.text()}`);
}

async function statsOf(service: ShopProcess): Promise<{ requests: number; errors: number } | undefined> {
  try {
    const response = await fetch(`${service.url}/admin/stats`, { signal: AbortSignal.timeout(3_000) });
    return (await response.json()) as { requests: number; errors: number };
  } catch {
    return undefined;
  }
}

/** `foresight demo otel`: the instrumented shop, its load and a fault, with a live line; resolves with the exit code. */
export async function otelDemo(args: readonly string[], output: DemoOutput = PROCESS_OUTPUT): Promise<number> {
  if (args.some((a) => a === '--help' || a === '-h' || a === 'help')) {
    output.stdout(DEMO_USAGE);
    return 0;
  }
  let options: DemoOptions;
  try {
    options = parseDemoArgs(args);
  } catch (error) {
    if (error instanceof DemoUsageError) {
      output.stderr(`foresight demo otel: ${error.message}\n\n${DEMO_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (!(await collectorReachable(options.endpoint))) {
    output.stderr(`foresight demo otel: no OpenTelemetry Collector answers at ${options.endpoint}/v1/traces: start the local stack (npm run stack:up starts one on 127.0.0.1:4318) or pass --endpoint\n`);
    return 1;
  }

  const services: ShopProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(services.map(stopService));
  };
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const counter = await startSpanCounter(options.brokers, options.spansTopic);
  const vmOf = (service: string): string => `${options.namespace}-${service}-vm`;
  const label = (vmId: string): string => (vmId.startsWith(`${options.namespace}-`) && vmId.endsWith('-vm') ? vmId.slice(options.namespace.length + 1, -3) : vmId);
  let pipeline: DemoPipeline | undefined;
  try {
    output.stdout(`starting the pipeline (${options.namespace}): telemetry-gateway, topology-builder, propagation-scorer, allocator ...\n`);
    pipeline = await startDemoPipeline({
      runId: options.namespace, brokers: options.brokers, registryUrl: options.registryUrl, spansTopic: options.spansTopic, metricsTopic: options.metricsTopic,
    }, label);
    output.stdout(`pipeline up: topics ${pipeline.topicPrefix}*, Neo4j namespace ${options.namespace}, Redis keys ${options.namespace}:*; model version 2 published (grant threshold ${DEMO_GRANT_THRESHOLD})\n`);
    // Callees first, so that each caller starts knowing where its downstreams listen.
    for (const node of SHOP) {
      const downstreams = node.calls.map((c) => `${c.name}=${c.kind}=${services.find((s) => s.name === c.name)?.url ?? ''}`).join(',');
      services.push(await startService(node.name, downstreams, options));
    }
    output.stdout(`shop up (${options.namespace}), spans and metrics over OTLP/HTTP to ${options.endpoint}:\n`);
    for (const service of services) output.stdout(`  ${service.name.padEnd(9)} ${service.url}  fault switch: ${service.url}/admin/fault\n`);
    const fault = options.fault;
    output.stdout(fault === undefined
      ? `load: ${options.ratePerSec} req/s to ${ENTRY} for ${options.durationMs / 1_000}s, no fault\n`
      : `load: ${options.ratePerSec} req/s to ${ENTRY} until a caller is at risk and granted (deadline ${options.durationMs / 1_000}s); at ${options.faultAfterMs / 1_000}s: ${fault.service} ${describeFault(fault.fault)} (callers at risk: ${callersOf(fault.service).join(', ')})\n`);

    const entry = services.find((s) => s.name === ENTRY) as ShopProcess;
    const load = startLoad({ url: `${entry.url}/checkout`, ratePerSec: options.ratePerSec });
    const started = performance.now();
    let injectedAt: number | undefined;
    let lastPrinted = 0;
    const intervalMs = 1_000;
    const totals = { sent: 0, ok: 0, errors: 0 };
    const callerVms = fault === undefined ? [] : callersOf(fault.service).map(vmOf);
    let grantedVm: string | undefined;
    while (!interrupted) {
      await new Promise((r) => setTimeout(r, intervalMs));
      const elapsed = performance.now() - started;
      if (fault !== undefined && injectedAt === undefined && elapsed >= options.faultAfterMs) {
        await adminFault(services.find((s) => s.name === fault.service) as ShopProcess, 'POST', fault.fault);
        injectedAt = elapsed;
        if (output.tty) output.stdout('\n');
        output.stdout(`fault injected: ${fault.service} ${describeFault(fault.fault)} (POST ${services.find((s) => s.name === fault.service)?.url}/admin/fault)\n`);
      }
      const window = load.take();
      totals.sent += window.sent;
      totals.ok += window.ok;
      totals.errors += window.errors;
      const faultText = fault === undefined ? 'none'
        : injectedAt === undefined ? `${fault.service}: ${describeFault(fault.fault)} in ${Math.ceil((options.faultAfterMs - elapsed) / 1_000)}s`
        : `${fault.service}: ${describeFault(fault.fault)}`;
      const line = `${formatLiveLine({ elapsedMs: elapsed, durationMs: options.durationMs, window, intervalMs, fault: faultText, spanRecords: await counter.count(), spansTopic: options.spansTopic })} | ${pipeline.line.text()}`;
      grantedVm = injectedAt === undefined ? undefined : pipeline.line.grantedAtRisk(callerVms);
      if (output.tty) output.stdout(`\r${line}\u001b[K`);
      else if (elapsed - lastPrinted >= 5_000 || elapsed >= options.durationMs || grantedVm !== undefined) {
        output.stdout(`${line}\n`);
        lastPrinted = elapsed;
      }
      if (grantedVm !== undefined || elapsed >= options.durationMs) break;
    }
    await load.stop();
    const last = load.take(); // what answered after the last line
    totals.ok += last.ok;
    totals.errors += last.errors;
    totals.sent += last.sent;
    if (output.tty) output.stdout('\n');
    if (fault !== undefined && injectedAt !== undefined) await adminFault(services.find((s) => s.name === fault.service) as ShopProcess, 'DELETE').catch(() => undefined);

    output.stdout(`\nsent ${totals.sent} requests to ${ENTRY}: ${totals.ok} ok, ${totals.errors} failed${interrupted ? ' (interrupted)' : ''}\n`);
    for (const service of services) {
      const stats = await statsOf(service);
      if (stats !== undefined) output.stdout(`  ${service.name.padEnd(9)} served ${stats.requests}, failed ${stats.errors}\n`);
    }
    await stopAll(); // each service flushes its spans and metrics to the Collector on SIGTERM
    const records = await counter.count();
    output.stdout(records === undefined
      ? `the Collector's Kafka (${options.brokers}) was not readable: whether the spans reached ${options.spansTopic} is unknown\n`
      : `the Collector wrote ${records} records to ${options.spansTopic} (one per trace in each service's export batch, keyed by trace id)\n`);
    if (fault !== undefined && !interrupted) {
      if (grantedVm === undefined) {
        output.stderr(`foresight demo otel: no caller of ${fault.service} (${callersOf(fault.service).join(', ') || 'it has none: put the fault into db, cart or catalog'}) was at risk and granted within ${options.durationMs / 1_000}s (${pipeline.line.text()}); the pipeline's last log lines:\n${pipeline.logs()}\n`);
        return 1;
      }
      output.stdout(`\n${label(grantedVm)}, a caller of the faulty ${fault.service}, is at risk and granted: ${pipeline.line.text()}\n`);
    }
    return interrupted ? 130 : 0;
  } catch (error) {
    output.stderr(`foresight demo otel: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stopAll();
    await pipeline?.stop();
    await counter.close();
  }
}
