// One shop service as its own process (started by `foresight demo otel`): its own OpenTelemetry SDK and resource, so
// each service reports under its own service.name and host, as separate VMs would. Settings come from the parent:
//   OTEL_DEMO_SERVICE      the service's name (db, cart, catalog, frontend)
//   OTEL_DEMO_NAMESPACE    service.namespace (the demo's system)
//   OTEL_DEMO_DOWNSTREAMS  name=kind=url,... the services it calls
//   OTEL_EXPORTER_OTLP_ENDPOINT  the Collector's OTLP/HTTP base URL
// It prints one JSON line {"event":"ready","service":...,"port":...} once listening, flushes its telemetry on SIGTERM.
import { startDemoTelemetry } from './demo-telemetry.js';
import { FaultSwitch } from './fault-switch.js';
import { startShopService, type Downstream } from './shop-service.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

function downstreamsOf(text: string): Downstream[] {
  return text.split(',').filter((part) => part !== '').map((part) => {
    const [name, kind, ...url] = part.split('=');
    if (name === undefined || (kind !== 'http' && kind !== 'db') || url.length === 0) throw new Error(`OTEL_DEMO_DOWNSTREAMS: expected name=http|db=url, got '${part}'`);
    return { name, kind, url: url.join('=') };
  });
}

const service = required('OTEL_DEMO_SERVICE');
const telemetry = startDemoTelemetry({ service, namespace: required('OTEL_DEMO_NAMESPACE'), endpoint: required('OTEL_EXPORTER_OTLP_ENDPOINT'), metricsIntervalMs: 2_000 });
const shop = await startShopService({
  name: service,
  downstreams: downstreamsOf(process.env.OTEL_DEMO_DOWNSTREAMS ?? ''),
  faults: new FaultSwitch(),
  tracer: telemetry.tracer,
  onServed: (ms, failed) => telemetry.served(ms, failed),
});
process.stdout.write(`${JSON.stringify({ event: 'ready', service, port: shop.port })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void shop.close().then(() => telemetry.shutdown()).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
