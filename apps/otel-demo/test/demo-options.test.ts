import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DemoUsageError, parseDemoArgs, parseDuration, parseFaultSpec } from '../src/demo-options.js';
import { formatLiveLine } from '../src/live-line.js';
import { callersOf } from '../src/shop-topology.js';

describe('foresight demo otel options', () => {
  it('defaults: db latency 300 ms after 20 s, 20 req/s, a 120 s deadline, the stack Collector', () => {
    const options = parseDemoArgs([], {});
    assert.equal(options.endpoint, 'http://127.0.0.1:4318');
    assert.deepEqual([options.ratePerSec, options.durationMs, options.faultAfterMs], [20, 120_000, 20_000]);
    assert.equal(options.fault?.service, 'db');
    assert.deepEqual(options.fault?.fault, { latencyMs: 300, errorRate: 0, cpuBurnMs: 0 });
  });

  it('reads each fault kind, flags with = or a separate value, and the endpoint from OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    assert.deepEqual(parseFaultSpec('cart:errors=0.3')?.fault, { latencyMs: 0, errorRate: 0.3, cpuBurnMs: 0 });
    assert.deepEqual(parseFaultSpec('catalog:cpu')?.fault, { latencyMs: 0, errorRate: 0, cpuBurnMs: 20 });
    assert.equal(parseFaultSpec('none'), undefined);
    const options = parseDemoArgs(['--rate=5', '--duration', '2m', '--fault', 'catalog:latency=50'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' });
    assert.deepEqual([options.ratePerSec, options.durationMs, options.endpoint, options.fault?.service], [5, 120_000, 'http://c:4318', 'catalog']);
    assert.equal(parseDuration('500ms', 'x'), 500);
  });

  it('refuses an unknown service, kind, option or a bad value, naming it', () => {
    assert.throws(() => parseFaultSpec('payments:latency'), /no service 'payments'/);
    assert.throws(() => parseFaultSpec('db:slow'), DemoUsageError);
    assert.throws(() => parseFaultSpec('db:errors=3'), /errorRate: at most 1/);
    assert.throws(() => parseDemoArgs(['--verbose'], {}), /unknown option '--verbose'/);
    assert.throws(() => parseDemoArgs(['--rate', '0'], {}), /--rate/);
    assert.throws(() => parseDemoArgs(['--duration', 'soon'], {}), /--duration/);
  });

  it('the callers a fault puts at risk follow the calls upstream', () => {
    assert.deepEqual(callersOf('db'), ['cart', 'catalog', 'frontend']);
    assert.deepEqual(callersOf('cart'), ['frontend']);
    assert.deepEqual(callersOf('frontend'), []);
  });

  it('the live line shows rate, errors, latency quantiles, the fault and the records on otlp_spans', () => {
    const line = formatLiveLine({
      elapsedMs: 23_000, durationMs: 60_000, intervalMs: 1_000, fault: 'db: +300 ms', spanRecords: 412, spansTopic: 'otlp_spans',
      window: { sent: 20, ok: 15, errors: 5, dropped: 0, latenciesMs: [10, 20, 30, 400] },
    });
    assert.equal(line, '[ 23s/60s]  20.0 req/s  errors  25.0%  p50   20 ms  p99  400 ms  | fault db: +300 ms | otlp_spans +412 records');
  });
});
