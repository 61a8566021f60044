import { SERVICE_GRAPH_METRICS, type ServiceGraphMeasure, type ServiceGraphPoint } from '@foresight/core';
import { attributeLookup, attributeText, int64ToNumber, type ExportMetricsServiceRequest, type HistogramDataPoint, type KeyValue, type NumberDataPoint } from '@foresight/otlp';

const NANOS_PER_MS = 1e6;
const CUMULATIVE = 2;

function valueOf(point: NumberDataPoint): number {
  if (Object.hasOwn(point, 'asDouble') && typeof point.asDouble === 'number') return point.asDouble;
  if (Object.hasOwn(point, 'asInt')) return int64ToNumber(point.asInt);
  return Number.NaN;
}

function attributesKey(attributes: readonly KeyValue[] | undefined): string {
  return (attributes ?? []).map((a) => `${a.key}=${attributeText(a.value) ?? ''}`).sort().join(',');
}

/**
 * The servicegraph connector's data points of a metrics request (SERVICE_GRAPH_METRICS: the request counters and the
 * client/server latency histograms), their ends named by the `client` and `server` attributes; a point without both
 * is counted under NO_SERVICE_GRAPH_ENDS.
 */
export function serviceGraphPointsOf(request: ExportMetricsServiceRequest): { points: ServiceGraphPoint[]; missingEnds: number } {
  const points: ServiceGraphPoint[] = [];
  let missingEnds = 0;
  for (const rm of request.resourceMetrics ?? []) {
    let resourceKey: string | undefined;
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const name = metric.name ?? '';
        const measure: ServiceGraphMeasure | undefined = (SERVICE_GRAPH_METRICS as Record<string, ServiceGraphMeasure>)[name];
        if (measure === undefined) continue;
        resourceKey ??= attributesKey(rm.resource?.attributes);
        const histogram = measure === 'client' || measure === 'server';
        const source = histogram ? metric.histogram : metric.sum;
        if (source === undefined || source === null) continue;
        const cumulative = source.aggregationTemporality === CUMULATIVE;
        for (const point of source.dataPoints ?? []) {
          const lookup = attributeLookup(point.attributes);
          const client = lookup('client');
          const server = lookup('server');
          if (client === undefined || server === undefined) {
            missingEnds += 1;
            continue;
          }
          const base = {
            measure, client, server, series: `${name}|${resourceKey}|${attributesKey(point.attributes)}`, cumulative,
            startMs: int64ToNumber(point.startTimeUnixNano) / NANOS_PER_MS, timeMs: int64ToNumber(point.timeUnixNano) / NANOS_PER_MS,
          };
          if (histogram) {
            const h = point as HistogramDataPoint;
            points.push({ ...base, boundsSec: [...(h.explicitBounds ?? [])], bucketCounts: (h.bucketCounts ?? []).map((c) => int64ToNumber(c)) });
          } else points.push({ ...base, value: valueOf(point) });
        }
      }
    }
  }
  return { points, missingEnds };
}
