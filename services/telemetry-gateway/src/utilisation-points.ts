import { combineUtilisation, resolveIdentity, UTILISATION_METRICS, type IdentityPrecedence, type UtilisationPoint, type UtilisationReading } from '@foresight/core';
import { attributeLookup, int64ToNumber, type ExportMetricsServiceRequest, type NumberDataPoint } from '@foresight/otlp';

const NANOS_PER_MS = 1e6;

/** The value of a number point: the oneof member that is set (decoded messages carry the others' defaults on their prototype). */
function valueOf(point: NumberDataPoint): number {
  if (Object.hasOwn(point, 'asDouble') && typeof point.asDouble === 'number') return point.asDouble;
  if (Object.hasOwn(point, 'asInt')) return int64ToNumber(point.asInt);
  return Number.NaN;
}

/**
 * The utilisation readings of a metrics request (UTILISATION_METRICS), one per VM, metric and time: the data points
 * of one metric at one time are combined by the core's rule (non-idle CPU states over the CPUs, memory `used`).
 * Resources without a VM identity are left out (the capacity path counts them).
 */
export function utilisationOf(request: ExportMetricsServiceRequest, precedence: IdentityPrecedence): UtilisationPoint[] {
  const out: UtilisationPoint[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    let resolved: ReturnType<typeof resolveIdentity> | undefined;
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const signal = UTILISATION_METRICS[metric.name ?? ''];
        if (signal === undefined) continue;
        resolved ??= resolveIdentity(attributeLookup(rm.resource?.attributes), precedence);
        if ('skipped' in resolved) break;
        const byTime = new Map<number, UtilisationReading[]>();
        for (const point of metric.gauge?.dataPoints ?? metric.sum?.dataPoints ?? []) {
          const timeMs = int64ToNumber(point.timeUnixNano) / NANOS_PER_MS;
          let readings = byTime.get(timeMs);
          if (readings === undefined) byTime.set(timeMs, (readings = []));
          readings.push({ signal, value: valueOf(point), attribute: attributeLookup(point.attributes) });
        }
        for (const [timeMs, readings] of byTime) {
          const value = combineUtilisation(readings);
          if (value !== undefined && Number.isFinite(timeMs)) out.push({ identity: resolved.identity, signal, value, timeMs });
        }
      }
    }
  }
  return out;
}
