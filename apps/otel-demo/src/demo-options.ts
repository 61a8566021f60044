import { parseFault, type Fault } from './fault-switch.js';
import { SHOP } from './shop-topology.js';

/** `foresight demo otel` settings. */
export interface DemoOptions {
  /** The Collector's OTLP/HTTP base URL. */
  readonly endpoint: string;
  readonly ratePerSec: number;
  readonly durationMs: number;
  /** The fault to inject and where, or none. */
  readonly fault: { readonly service: string; readonly fault: Fault; readonly text: string } | undefined;
  readonly faultAfterMs: number;
  /** Kafka, to count what the Collector wrote to the spans topic (the line says so when it cannot reach it). */
  readonly brokers: string;
  readonly spansTopic: string;
  /** The Collector's metrics topic (beside the spans topic: same prefix, otlp_metrics). */
  readonly metricsTopic: string;
  /** The schema registry the pipeline's services and the demo's follower use. */
  readonly registryUrl: string;
  readonly namespace: string;
}

export const DEMO_USAGE = `Usage: foresight demo otel [options]
  Starts a small shop of Node HTTP services (frontend -> cart, catalog -> db), each its own process instrumented with
  the OpenTelemetry Node SDK and exporting OTLP/HTTP to the Collector; drives load through the frontend; injects a
  fault into one service after a while. It starts the pipeline itself on the local stack, as child processes under
  names of its own (topic prefix, Neo4j namespace, Redis key prefix, groups): telemetry-gateway (reading the Collector's
  otlp_spans/otlp_metrics, its detector on), topology-builder, propagation-scorer and allocator, and publishes a model
  version with grant threshold 0.02 (the default, 0.3, is out of a 4-service shop's reach; the integration test
  otel-e2e does the same). The live line (requests/s, errors, latency, records on otlp_spans) ends with the run's risk
  and allocations topics: 'at risk: frontend p=0.42 eta 12s, grants: 2'. It exits 0 once a caller of the faulty
  service is at risk and granted, 1 with the services' last log lines if that has not happened by --duration.
  Needs the stack: npm run stack:up (Kafka, the registry, Neo4j, Redis, the Collector on 127.0.0.1:4318).
    --fault SERVICE:KIND[=VALUE]  the fault (default db:latency=300): KIND latency (ms added), errors (share 0..1),
                                  cpu (ms of CPU burnt per request); none for no fault
    --fault-after DURATION        when to inject it, after the pipeline is up (default 20s: the detector learns the
                                  shop's normal first)
    --duration DURATION           the deadline for callers at risk and granted (default 120s)
    --rate N                      requests per second to the frontend (default 20)
    --endpoint URL                the Collector's OTLP/HTTP endpoint (default OTEL_EXPORTER_OTLP_ENDPOINT or http://127.0.0.1:4318)
    --brokers HOST:PORT           Kafka, to count the Collector's records (default KAFKA_BROKERS or 127.0.0.1:9092)
    --spans-topic NAME            the Collector's spans topic (default otlp_spans; metrics: the same prefix, otlp_metrics)
    --registry URL                the schema registry (default SCHEMA_REGISTRY_URL or http://127.0.0.1:8081/apis/ccompat/v7)
    --namespace NAME              service.namespace of the shop and the run's own names (default otel-demo-<time in base 36>,
                                  new each run)
  Each service's fault switch: GET|POST|DELETE http://127.0.0.1:<port>/admin/fault (the ports are printed at start).
`;

/** A refused command line, with the option and why. */
export class DemoUsageError extends Error {
  readonly code = 'DEMO_USAGE';
}

/** '500ms', '10s', '2m' or plain seconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new DemoUsageError(`${option}: expected a duration such as 500ms, 10s or 2m, got '${text}'`);
  const value = Number(match[1]);
  return Math.round(match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1_000);
}

/** 'db:latency=300', 'cart:errors=0.5', 'catalog:cpu=20' or 'none'. */
export function parseFaultSpec(text: string): DemoOptions['fault'] {
  if (text === 'none') return undefined;
  const match = /^([a-z-]+):(latency|errors|cpu)(?:=(.+))?$/.exec(text);
  if (match === null) throw new DemoUsageError(`--fault: expected SERVICE:latency|errors|cpu[=VALUE] or none, got '${text}'`);
  const [, service = '', kind, raw] = match;
  if (!SHOP.some((s) => s.name === service)) throw new DemoUsageError(`--fault: no service '${service}' (the shop has ${SHOP.map((s) => s.name).join(', ')})`);
  const value = raw === undefined ? { latency: 300, errors: 0.5, cpu: 20 }[kind as 'latency' | 'errors' | 'cpu'] : Number(raw);
  const field = { latency: 'latencyMs', errors: 'errorRate', cpu: 'cpuBurnMs' }[kind as 'latency' | 'errors' | 'cpu'];
  try {
    return { service, fault: parseFault({ [field]: value }), text };
  } catch (error) {
    throw new DemoUsageError(`--fault ${text}: ${(error as Error).message}`);
  }
}

/** Reads the command line (after `demo otel`); DemoUsageError names what is wrong. */
export function parseDemoArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): DemoOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const known = ['--fault', '--fault-after', '--duration', '--rate', '--endpoint', '--brokers', '--spans-topic', '--registry', '--namespace'];
    const [flag, inline] = arg.includes('=') && arg.startsWith('--') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!known.includes(flag)) throw new DemoUsageError(`unknown option '${arg}'`);
    const value = inline ?? args[i + 1];
    if (value === undefined) throw new DemoUsageError(`${flag} needs a value`);
    if (inline === undefined) i += 1;
    values.set(flag, value);
  }
  const rate = Number(values.get('--rate') ?? '20');
  if (!Number.isFinite(rate) || rate <= 0 || rate > 2_000) throw new DemoUsageError(`--rate: expected a number in (0, 2000], got '${values.get('--rate')}'`);
  const durationMs = parseDuration(values.get('--duration') ?? '120s', '--duration');
  const faultAfterMs = parseDuration(values.get('--fault-after') ?? '20s', '--fault-after');
  if (durationMs <= 0) throw new DemoUsageError('--duration: must be more than 0');
  const spansTopic = values.get('--spans-topic') ?? 'otlp_spans';
  return {
    endpoint: (values.get('--endpoint') ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/+$/, ''),
    ratePerSec: rate,
    durationMs,
    fault: parseFaultSpec(values.get('--fault') ?? 'db:latency=300'),
    faultAfterMs,
    brokers: values.get('--brokers') ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    spansTopic,
    metricsTopic: spansTopic.replace(/otlp_spans$/, 'otlp_metrics'),
    registryUrl: values.get('--registry') ?? env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    namespace: values.get('--namespace') ?? `otel-demo-${Date.now().toString(36)}`,
  };
}
