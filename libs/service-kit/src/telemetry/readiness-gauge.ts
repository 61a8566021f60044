import type { Meter } from '@opentelemetry/api';
import type { Readiness } from '../health/readiness.js';
import { createStateGauge } from './state-gauge.js';

/**
 * foresight.readiness.check: 1 when the readiness check passes, 0 when it fails, by check (what /readyz reports, at
 * each collection), so Prometheus can alert on a service that is up but not ready.
 */
export function observeReadiness(meter: Meter, readiness: Readiness): void {
  const gauge = createStateGauge(meter, { name: 'foresight.readiness.check', description: 'Readiness checks: 1 passing, 0 failing, by check.' });
  gauge.observe(async () => {
    const report = await readiness.report();
    return Object.entries(report.checks).map(([check, { ok }]) => ({ value: ok ? 1 : 0, attributes: { check } }));
  });
}
