// Issue 19: an operator follows one trace from an anomaly to its risk assessments and to the allocation commands they
// caused, across topics. The messaging runtime carries W3C trace context in the records' headers; a consumer's span is
// the child of its record's context, or, for a run of records handled at once, the child of the newest one's and
// linked to the others' (OpenTelemetry's messaging conventions for batches); what a handler publishes carries its span.
// Run on the four services of the embedded pipeline with a recording SDK (in-memory span exporter); the anomalies are
// published inside a span, as a traced detector would.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import { InMemorySpanExporter, startTelemetry, withSpan, type ReadableSpan } from '@foresight/service-kit';
import { runSimulation, startEmbeddedPipeline, type PipelineRuntime } from '../src/index.js';

const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry({ serviceName: 'trace-test', spanExporter: exporter });
after(() => telemetry.shutdown());

/** A record as a downstream consumer saw it: the span context its traceparent names, and what it is about. */
interface Seen {
  readonly traceId: string;
  readonly spanId: string;
  readonly incidentId?: string;
  readonly action?: string;
}

const parent = (traceparent: string | undefined): { traceId: string; spanId: string } | undefined => {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(traceparent ?? '');
  return match === null ? undefined : { traceId: match[1], spanId: match[2] };
};

it('links each allocation command to the risk assessment it answers, and that assessment to the anomaly it came from', { timeout: 120_000 }, async () => {
  const seen: Record<'anomalies' | 'risk' | 'allocations', Seen[]> = { anomalies: [], risk: [], allocations: [] };
  const watch = (topic: 'anomalies' | 'risk' | 'allocations', about: (m: Record<string, unknown>) => Partial<Seen>): AnyConsumerDeclaration =>
    consumerOf({
      topic, groupId: `trace-test.${topic}`, idempotentByItself: true,
      handle: (message, context) => {
        const span = parent(context.headers.traceparent);
        if (span !== undefined) seen[topic].push({ ...span, ...about(message as unknown as Record<string, unknown>) });
        return Promise.resolve();
      },
    });
  const watchers = [
    watch('anomalies', () => ({})),
    watch('risk', (m) => ({ incidentId: String(m.incidentId) })),
    watch('allocations', (m) => ({ incidentId: String(m.incidentId), action: String(m.action) })),
  ];
  const runtime: PipelineRuntime = {
    mode: 'embedded', description: 'embedded, traced', topicPrefix: 'foresight.',
    start: async (setup) => {
      const pipeline = await startEmbeddedPipeline({ ...setup, topicPrefix: 'foresight.', extraConsumers: [...(setup.extraConsumers ?? []), ...watchers] });
      return {
        ...pipeline,
        advance: (now) => pipeline.advance(now),
        drain: () => pipeline.drain(),
        stop: () => pipeline.stop(),
        // A traced detector: each batch of anomalies is published in its own span.
        publish: (topic, messages) => (topic === 'anomalies'
          ? withSpan('anomaly detected', { 'foresight.anomalies': messages.length }, () => pipeline.publish(topic, messages))
          : pipeline.publish(topic, messages)),
      };
    },
  };
  const result = await runSimulation({ vms: 300, durationMs: 15 * 60_000, seed: 3 }, { runtime });
  assert.ok(result.messages.allocations > 0);

  const spans = new Map<string, ReadableSpan>(exporter.getFinishedSpans().map((s) => [s.spanContext().spanId, s]));
  /** The span contexts a span continues: its parent and its links. */
  const continues = (spanId: string): Set<string> => {
    const span = spans.get(spanId);
    assert.ok(span, `span ${spanId} exported`);
    return new Set([span.parentSpanContext?.spanId, ...span.links.map((l) => l.context.spanId)].filter((id): id is string => id !== undefined));
  };
  const anomalySpans = new Set(seen.anomalies.map((a) => a.spanId));
  assert.ok(anomalySpans.size > 0, 'the anomalies carry their detector span');
  for (const id of anomalySpans) assert.equal(spans.get(id)?.name, 'anomaly detected');

  // Every risk assessment published while handling anomalies continues one of them (tick-published ones — timeouts, a
  // new model — have no anomaly behind them and carry no trace).
  const fromAnomalies = seen.risk.filter((r) => spans.get(r.spanId)?.name.endsWith('anomalies process') === true);
  assert.ok(fromAnomalies.length > 0, 'risk assessments published by the scorer while handling anomalies');
  for (const risk of fromAnomalies) {
    assert.ok([...continues(risk.spanId)].some((id) => anomalySpans.has(id)), `risk of ${risk.incidentId} continues an anomaly's span`);
  }

  // Every GRANT continues a risk assessment of its own incident (parent or link), and so reaches an anomaly.
  const grants = seen.allocations.filter((a) => a.action === 'GRANT');
  assert.ok(grants.length > 0, 'grants were published');
  let sameTrace = 0;
  let reachAnomaly = 0;
  for (const grant of grants) {
    const previous = continues(grant.spanId);
    const risk = seen.risk.find((r) => r.incidentId === grant.incidentId && previous.has(r.spanId));
    assert.ok(risk, `the GRANT for ${grant.incidentId} continues a risk assessment of that incident`);
    if (risk.traceId === grant.traceId) sameTrace++;
    if (fromAnomalies.includes(risk)) reachAnomaly++;
  }
  assert.ok(reachAnomaly > 0, 'a grant reaches back to an anomaly');
  // One trace, anomaly → risk → GRANT, for at least one incident: what the console's trace link opens.
  const whole = grants.find((g) => fromAnomalies.some((r) => r.incidentId === g.incidentId && r.traceId === g.traceId)
    && seen.anomalies.some((a) => a.traceId === g.traceId));
  assert.ok(whole, 'an anomaly, its risk assessment and the GRANT in one trace');
  process.stderr.write(`${grants.length} grants: ${sameTrace} in their risk assessment's trace, the others linked; ${reachAnomaly} reach an anomaly\n`);
});
