import { metrics, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';

/** The resource of one shop service: who it is, in OpenTelemetry's semantic conventions (what the gateway maps). */
export function shopResourceAttributes(service: string, namespace: string): Record<string, string> {
  const vm = `${namespace}-${service}-vm`;
  return {
    'service.name': service,
    'service.namespace': namespace,
    'service.instance.id': `${namespace}-${service}-1`,
    'deployment.environment.name': 'demo',
    'host.id': vm,
    'host.name': vm,
  };
}

export interface DemoTelemetry {
  readonly tracer: Tracer;
  /** Records one served request (http.server.request.duration, in seconds, with its error type). */
  served(durationMs: number, failed: boolean): void;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK for one shop service process: spans (batched every 200 ms) and metrics (every
 * `metricsIntervalMs`) over OTLP/HTTP to `endpoint` (the Collector: /v1/traces, /v1/metrics), W3C trace context.
 * Besides the request duration it reports the process's CPU use as system.cpu.utilization: the process is the VM.
 */
export function startDemoTelemetry(options: { service: string; namespace: string; endpoint: string; metricsIntervalMs?: number }): DemoTelemetry {
  const base = options.endpoint.replace(/\/+$/, '');
  const sdk = new NodeSDK({
    resource: resourceFromAttributes(shopResourceAttributes(options.service, options.namespace)),
    autoDetectResources: false,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }), { scheduledDelayMillis: 200, maxExportBatchSize: 512 })],
    metricReaders: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }), exportIntervalMillis: options.metricsIntervalMs ?? 5_000 })],
    logRecordProcessors: [],
    textMapPropagator: new W3CTraceContextPropagator(),
  });
  sdk.start();
  const meter = metrics.getMeter(options.service);
  const duration = meter.createHistogram('http.server.request.duration', { unit: 's', description: 'Duration of HTTP server requests.' });
  const cpu = meter.createObservableGauge('system.cpu.utilization', { unit: '1', description: 'CPU used by the service process, as a share of one core.' });
  let last = { usage: process.cpuUsage(), at: performance.now() };
  cpu.addCallback((result) => {
    const now = { usage: process.cpuUsage(), at: performance.now() };
    const usedMs = (now.usage.user - last.usage.user + now.usage.system - last.usage.system) / 1_000;
    const elapsedMs = now.at - last.at;
    last = now;
    if (elapsedMs > 0) result.observe(Math.min(1, usedMs / elapsedMs), { 'cpu.mode': 'busy' });
  });
  return {
    tracer: trace.getTracer(options.service),
    served: (durationMs, failed) => duration.record(durationMs / 1_000, { 'http.request.method': 'GET', ...(failed ? { 'error.type': '500' } : {}) }),
    shutdown: () => sdk.shutdown(),
  };
}
