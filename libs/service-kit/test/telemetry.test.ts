import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, startTelemetry, withSpan } from '../src/index.js';

describe('telemetry', () => {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({ serviceName: 'telemetry-test', serviceVersion: '1.2.3', spanExporter: exporter });
  after(() => telemetry.shutdown());

  it('exports a span made by withSpan, with its attributes, the service resource and an active context', async () => {
    exporter.reset();
    const result = await withSpan('score incident', { 'foresight.incident': 'inc-1', 'foresight.vms': 12 }, (span) => {
      assert.equal(trace.getActiveSpan(), span);
      span.setAttribute('foresight.at_risk', 3);
      return 'scored';
    });
    assert.equal(result, 'scored');
    const [span] = exporter.getFinishedSpans();
    assert.ok(span);
    assert.equal(span.name, 'score incident');
    assert.deepEqual(span.attributes, { 'foresight.incident': 'inc-1', 'foresight.vms': 12, 'foresight.at_risk': 3 });
    assert.equal(span.resource.attributes['service.name'], 'telemetry-test');
    assert.equal(span.resource.attributes['service.version'], '1.2.3');
  });

  it('nests spans, and marks a failing one as an error while rethrowing', async () => {
    exporter.reset();
    await assert.rejects(withSpan('outer', {}, () => withSpan('inner', { step: 'reserve' }, () => {
      throw new Error('pool exhausted');
    }, telemetry.tracer)), /pool exhausted/);
    const spans = exporter.getFinishedSpans();
    const inner = spans.find((s) => s.name === 'inner')!;
    const outer = spans.find((s) => s.name === 'outer')!;
    assert.equal(inner.parentSpanContext?.spanId, outer.spanContext().spanId);
    assert.equal(inner.status.code, SpanStatusCode.ERROR);
    assert.equal(inner.status.message, 'pool exhausted');
    assert.equal(inner.events[0]?.name, 'exception');
  });

  it('registers the W3C trace-context propagator globally', async () => {
    await withSpan('produce', {}, (span) => {
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      assert.equal(carrier.traceparent, `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    });
  });

  it('reports pushed and observed gauges, skipping a failing callback', async () => {
    const { instruments } = telemetry;
    instruments.consumerLag.set(7, { topic: 'incidents', partition: 0 });
    instruments.consumerLag.set(9, { partition: 1, topic: 'incidents' });
    instruments.consumerLag.set(4, { topic: 'incidents', partition: 1 });
    instruments.openIncidents.observe(() => 2);
    instruments.reservedResources.observe(() => [
      { value: 1500, attributes: { resource: 'cpu_millis' } },
      { value: 2048, attributes: { resource: 'memory_mib' } },
    ]);
    instruments.atRiskVms.observe(() => {
      throw new Error('store down');
    });
    instruments.atRiskVms.observe(() => 11);
    const text = await telemetry.metrics.scrape();
    assert.match(text, /foresight_consumer_lag\{topic="incidents",partition="0"\} 7/);
    assert.match(text, /foresight_consumer_lag\{topic="incidents",partition="1"\} 4/);
    assert.match(text, /foresight_incidents_open 2/);
    assert.match(text, /foresight_resources_reserved\{resource="memory_mib"\} 2048/);
    assert.match(text, /foresight_vms_at_risk 11/);
    instruments.consumerLag.remove({ partition: 0, topic: 'incidents' });
    assert.doesNotMatch(await telemetry.metrics.scrape(), /partition="0"/);
  });

  it('reports how long the event loop was blocked since the previous collection', async () => {
    await telemetry.metrics.scrape();
    // Block the loop for ~60 ms between two samples of the 10 ms monitor.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const until = Date.now() + 60;
    while (Date.now() < until) { /* busy */ }
    await new Promise((resolve) => setTimeout(resolve, 30));
    const max = /foresight_eventloop_delay(?:_milliseconds)?\{quantile="max"\} ([0-9.e+-]+)/.exec(await telemetry.metrics.scrape());
    assert.ok(max !== null, 'the max delay is reported');
    assert.ok(Number(max[1]) >= 40, `a 60 ms block shows as a delay of at least 40 ms, got ${max[1]}`);
  });
});
