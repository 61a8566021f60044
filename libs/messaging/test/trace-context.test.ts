import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { contextFromHeaders, traceHeadersOf } from '../src/index.js';

const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context in message headers', () => {
  it('extracts and injects a traceparent round trip, with tracestate', () => {
    const spanContext = trace.getSpanContext(contextFromHeaders({ traceparent: valid, tracestate: 'congo=t61rcWkgMzE' }))!;
    assert.equal(spanContext.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(spanContext.spanId, '00f067aa0ba902b7');
    assert.equal(spanContext.traceFlags, 1);
    assert.equal(spanContext.isRemote, true);
    assert.deepEqual(traceHeadersOf(trace.setSpanContext(ROOT_CONTEXT, spanContext)), { traceparent: valid, tracestate: 'congo=t61rcWkgMzE' });
  });

  it('refuses malformed or invalid traceparents', () => {
    for (const bad of [
      '', 'garbage', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', `${valid}-extra`,
    ]) assert.equal(contextFromHeaders({ traceparent: bad }), ROOT_CONTEXT, bad);
    const future = contextFromHeaders({ traceparent: '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future' });
    assert.equal(trace.getSpanContext(future)?.spanId, '00f067aa0ba902b7', 'a later version may append fields');
  });

  it('injects nothing without a span and extracts the root context from headers without one', () => {
    assert.equal(traceHeadersOf(ROOT_CONTEXT), undefined);
    assert.equal(contextFromHeaders({}), ROOT_CONTEXT);
    assert.equal(contextFromHeaders({ traceparent: 'nonsense' }), ROOT_CONTEXT);
    assert.equal(trace.getSpanContext(contextFromHeaders({ traceparent: valid }))?.spanId, '00f067aa0ba902b7');
  });
});
