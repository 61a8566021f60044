import { context, metrics, propagation, trace } from '@opentelemetry/api';
import type { Meter, Tracer } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { MetricsSource } from '../health/health-server.js';
import { PrometheusTextReader } from './prometheus-reader.js';
import { createServiceInstruments, type ServiceInstruments } from './service-instruments.js';

/** What telemetry needs: the service identity and where (if anywhere) to export. */
export interface TelemetryOptions {
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /** Base OTLP/HTTP URL; traces go to /v1/traces, metrics to /v1/metrics. No export when unset. */
  readonly otlpEndpoint?: string;
  /** OTLP metric export interval; without it metrics are only served on /metrics. */
  readonly otlpMetricsIntervalMs?: number;
  /** Extra span exporter, exported synchronously (tests pass an InMemorySpanExporter). */
  readonly spanExporter?: SpanExporter;
}

/** Running telemetry: the service's tracer and meter, its standard instruments and the /metrics source. */
export interface Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly instruments: ServiceInstruments;
  readonly metrics: MetricsSource;
  /** Exports whatever is buffered (spans, metrics). */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unregisters the global providers and propagator. */
  shutdown(): Promise<void>;
}

const signalUrl = (endpoint: string, signal: 'traces' | 'metrics'): string => `${endpoint.replace(/\/+$/, '')}/v1/${signal}`;

/**
 * Starts the OpenTelemetry NodeSDK (tracing and metrics) and registers it globally with the W3C trace-context (and baggage) propagator,
 * so the messaging runtime's `@opentelemetry/api` calls land here.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    ...(options.serviceVersion !== undefined ? { 'service.version': options.serviceVersion } : {}),
  });

  const spanProcessors: SpanProcessor[] = [];
  if (options.otlpEndpoint !== undefined) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: signalUrl(options.otlpEndpoint, 'traces') })));
  }
  if (options.spanExporter !== undefined) spanProcessors.push(new SimpleSpanProcessor(options.spanExporter));

  const prometheus = new PrometheusTextReader();
  const metricReaders: IMetricReader[] = [prometheus];
  if (options.otlpEndpoint !== undefined && options.otlpMetricsIntervalMs !== undefined) {
    metricReaders.push(new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: signalUrl(options.otlpEndpoint, 'metrics') }),
      exportIntervalMillis: options.otlpMetricsIntervalMs,
    }));
  }

  // NOTE: everything is passed explicitly so that no OTEL_*_EXPORTER default (OTLP to localhost) or resource detector
  // adds exports or /metrics labels the settings did not ask for. Without a span processor the SDK registers no tracer
  // provider: spans stay no-ops (nothing would export them) and only received trace context is passed on.
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors,
    metricReaders,
    logRecordProcessors: [],
    textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  sdk.start();

  const meter = metrics.getMeter(options.serviceName, options.serviceVersion);
  const instruments = createServiceInstruments(meter);
  let stopped: Promise<void> | undefined;
  return {
    tracer: trace.getTracer(options.serviceName, options.serviceVersion),
    meter,
    instruments,
    metrics: prometheus,
    forceFlush: async () => {
      await Promise.all([...spanProcessors.map((processor) => processor.forceFlush()), ...metricReaders.map((reader) => reader.forceFlush())]);
    },
    shutdown: () => {
      stopped ??= (async () => {
        try {
          await sdk.shutdown();
          instruments.close();
        } finally {
          trace.disable();
          metrics.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return stopped;
    },
  };
}
