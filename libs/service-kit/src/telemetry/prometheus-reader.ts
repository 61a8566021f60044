import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationTemporality, InstrumentType, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricsSource } from '../health/health-server.js';

/** Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A pull-only metric reader: each /metrics request collects and serialises.
 * NOTE: chosen over PrometheusExporter, which builds its own HTTP server and reads OTEL_EXPORTER_PROMETHEUS_* itself.
 */
export class PrometheusTextReader extends MetricReader implements MetricsSource {
  readonly contentType = PROMETHEUS_CONTENT_TYPE;
  readonly #serializer = new PrometheusSerializer(undefined, false, undefined, false, true);

  constructor() {
    // NOTE: observable gauges use DELTA so a series no longer observed disappears; under CUMULATIVE the SDK
    // keeps exporting its last value forever (opentelemetry-js#4096). A gauge's value is the same either way.
    super({
      aggregationTemporalitySelector: (type) =>
        (type === InstrumentType.OBSERVABLE_GAUGE ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE),
    });
  }

  /** Collects every instrument now and renders it as Prometheus text. */
  async scrape(): Promise<string> {
    const { resourceMetrics, errors } = await super.collect();
    const body = this.#serializer.serialize(resourceMetrics);
    return errors.length === 0 ? body : `# ${errors.length} metric callback(s) failed during collection\n${body}`;
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
