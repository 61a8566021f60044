import { context, metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
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
 * Starts tracing and metrics and registers them globally with the W3C trace-context (and baggage) propagator,
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
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
  tracerProvider.register({
    propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });

  const prometheus = new PrometheusTextReader();
  const readers: IMetricReader[] = [prometheus];
  if (options.otlpEndpoint !== undefined && options.otlpMetricsIntervalMs !== undefined) {
    readers.push(new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: signalUrl(options.otlpEndpoint, 'metrics') }),
      exportIntervalMillis: options.otlpMetricsIntervalMs,
    }));
  }
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);

  const meter = meterProvider.getMeter(options.serviceName, options.serviceVersion);
  const instruments = createServiceInstruments(meter);
  let stopped: Promise<void> | undefined;
  return {
    tracer: tracerProvider.getTracer(options.serviceName, options.serviceVersion),
    meter,
    instruments,
    metrics: prometheus,
    forceFlush: async () => {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: () => {
      stopped ??= (async () => {
        try {
          await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
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
