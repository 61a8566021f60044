import {
  CAPACITY_METRICS, flowEndpoints, NETWORK_FLOW_METRICS, resolveIdentity, type CapacityReading, type EntityIdentity, type FlowBytesPoint, type IdentityPrecedence,
} from '@foresight/core';
import type { ExportMetricsServiceRequest, KeyValue, Metric, NumberDataPoint } from './generated/otlp-types.js';
import { attributeLookup, attributeText, int64ToNumber } from './otlp-spans.js';

/** What the gateway takes from an ExportMetricsServiceRequest. */
export interface MetricExtraction {
  readonly capacity: CapacityReading[];
  readonly flows: FlowBytesPoint[];
  /** The identities of resources that carried a capacity metric of their VM (to publish them with it). */
  readonly identities: EntityIdentity[];
  /** Data points in the request, all metrics. */
  points: number;
  readonly skipped: Partial<Record<'NO_VM_ATTRIBUTE' | 'NO_GROUP_ATTRIBUTE' | 'NO_HOST_ATTRIBUTE' | 'NO_FLOW_ENDPOINTS', number>>;
}

const NANOS_PER_MS = 1e6;
const CUMULATIVE = 2;
const FLOW_METRICS = new Set(NETWORK_FLOW_METRICS);

/** The value of a number point: its oneof member that is set (decoded messages carry the others' defaults on their prototype). */
function valueOf(point: NumberDataPoint): number {
  if (Object.hasOwn(point, 'asDouble') && typeof point.asDouble === 'number') return point.asDouble;
  if (Object.hasOwn(point, 'asInt')) return int64ToNumber(point.asInt);
  return 0;
}

function attributesKey(attributes: readonly KeyValue[] | undefined): string {
  return (attributes ?? []).map((a) => `${a.key}=${attributeText(a.value) ?? ''}`).sort().join(',');
}

function numberPoints(metric: Metric): readonly NumberDataPoint[] {
  return metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? [];
}

function pointCount(metric: Metric): number {
  return (metric.gauge?.dataPoints?.length ?? 0) + (metric.sum?.dataPoints?.length ?? 0) + (metric.histogram?.dataPoints?.length ?? 0)
    + (metric.exponentialHistogram?.dataPoints?.length ?? 0) + (metric.summary?.dataPoints?.length ?? 0);
}

/**
 * The capacity readings (CAPACITY_METRICS: a VM's from its resource's identity, a host's from the resource's host
 * attributes) and the eBPF flow-byte points (NETWORK_FLOW_METRICS, ends named by the data point's attributes) of a
 * metrics request. Other metrics are only counted.
 */
export function metricsOf(request: ExportMetricsServiceRequest, precedence: IdentityPrecedence): MetricExtraction {
  const out: MetricExtraction = { capacity: [], flows: [], identities: [], points: 0, skipped: {} };
  const skip = (reason: keyof MetricExtraction['skipped'], n = 1): void => { out.skipped[reason] = (out.skipped[reason] ?? 0) + n; };
  for (const rm of request.resourceMetrics ?? []) {
    const lookup = attributeLookup(rm.resource?.attributes);
    let resolved: ReturnType<typeof resolveIdentity> | undefined;
    let hostId: string | null | undefined;
    let resourceKey: string | undefined;
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        out.points += pointCount(metric);
        const name = metric.name ?? '';
        const capacity = CAPACITY_METRICS[name];
        if (capacity !== undefined) {
          let id: string | undefined;
          if (capacity.target === 'vm') {
            resolved ??= resolveIdentity(lookup, precedence);
            if ('skipped' in resolved) {
              skip(resolved.skipped, numberPoints(metric).length);
              continue;
            }
            id = resolved.identity.vmId;
            if (!out.identities.includes(resolved.identity)) out.identities.push(resolved.identity);
          } else {
            if (hostId === undefined) hostId = precedence.host.map((k) => lookup(k)).find((v) => v !== undefined && v !== '') ?? null;
            if (hostId === null) {
              skip('NO_HOST_ATTRIBUTE', numberPoints(metric).length);
              continue;
            }
            id = hostId;
          }
          for (const point of numberPoints(metric)) {
            out.capacity.push({ target: capacity.target, id, resource: capacity.resource, value: valueOf(point) * capacity.factor, timeMs: int64ToNumber(point.timeUnixNano) / NANOS_PER_MS });
          }
          continue;
        }
        if (!FLOW_METRICS.has(name) || metric.sum === undefined || metric.sum === null) continue;
        resourceKey ??= attributesKey(rm.resource?.attributes);
        const cumulative = metric.sum.aggregationTemporality === CUMULATIVE;
        for (const point of metric.sum.dataPoints ?? []) {
          const ends = flowEndpoints(attributeLookup(point.attributes));
          if (ends === undefined) {
            skip('NO_FLOW_ENDPOINTS');
            continue;
          }
          out.flows.push({
            ...ends, series: `${name}|${resourceKey}|${attributesKey(point.attributes)}`, bytes: valueOf(point), cumulative,
            startMs: int64ToNumber(point.startTimeUnixNano) / NANOS_PER_MS, timeMs: int64ToNumber(point.timeUnixNano) / NANOS_PER_MS,
          });
        }
      }
    }
  }
  return out;
}
