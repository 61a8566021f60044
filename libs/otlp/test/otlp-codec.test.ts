import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IDENTITY_PRESETS, SPAN_KIND } from '@foresight/core';
import {
  attributeLookup, decodeMetricsRequest, decodeTraceRequest, encodeMetricsRequest, encodeTraceRequest, OtlpError, spansOf, type ExportTraceServiceRequest,
} from '../src/index.js';

const TRACE = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
const CLIENT = Buffer.from('eee19b7ec3c1b174', 'hex');
const SERVER = Buffer.from('eee19b7ec3c1b173', 'hex');
const START_NS = 1_700_000_000_123_456_789n;

const REQUEST: ExportTraceServiceRequest = {
  resourceSpans: [{
    resource: { attributes: [{ key: 'host.id', value: { stringValue: 'vm-1' } }, { key: 'service.name', value: { stringValue: 'frontend' } }] },
    scopeSpans: [{ spans: [{
      traceId: TRACE, spanId: CLIENT, name: 'GET /cart', kind: SPAN_KIND.CLIENT,
      startTimeUnixNano: START_NS.toString(), endTimeUnixNano: (START_NS + 25_000_000n).toString(),
      attributes: [{ key: 'peer.service', value: { stringValue: 'cart' } }, { key: 'http.status', value: { intValue: 200 } }],
      status: { code: 2, message: 'boom' },
    }] }],
  }, {
    resource: { attributes: [{ key: 'host.id', value: { stringValue: 'vm-2' } }, { key: 'service.name', value: { stringValue: 'cart' } }] },
    scopeSpans: [{ spans: [{
      traceId: TRACE, spanId: SERVER, parentSpanId: CLIENT, kind: SPAN_KIND.SERVER,
      startTimeUnixNano: (START_NS + 1_000_000n).toString(), endTimeUnixNano: (START_NS + 24_000_000n).toString(),
    }] }],
  }],
};

function checkSpans(request: ExportTraceServiceRequest): void {
  const { spans, skipped, rejected } = spansOf(request, { precedence: IDENTITY_PRESETS.vms });
  assert.deepEqual(skipped, {});
  assert.equal(rejected, 0);
  assert.equal(spans.length, 2);
  const [client, server] = spans;
  assert.equal(client.traceId, TRACE.toString('hex'));
  assert.equal(client.spanId, CLIENT.toString('hex'));
  assert.equal(client.parentSpanId, '');
  assert.equal(client.kind, SPAN_KIND.CLIENT);
  assert.equal(client.peer, 'cart');
  assert.equal(client.error, true);
  assert.equal(client.identity.vmId, 'vm-1');
  assert.equal(client.identity.groupId, 'frontend');
  assert.ok(Math.abs(client.startMs - 1_700_000_000_123.4568) < 0.001, String(client.startMs));
  assert.ok(Math.abs(client.endMs - client.startMs - 25) < 0.001);
  assert.equal(server.parentSpanId, CLIENT.toString('hex'));
  assert.equal(server.identity.vmId, 'vm-2');
  assert.equal(server.error, false);
  assert.equal(server.peer, undefined, 'only callers name peers');
}

test('otlp_proto: a request encoded by the generated encoder decodes back to the same spans', () => {
  const bytes = encodeTraceRequest(REQUEST, 'otlp_proto');
  assert.equal(bytes[0], 0x0a, 'field 1 (resource_spans), length-delimited');
  checkSpans(decodeTraceRequest(bytes, 'otlp_proto'));
});

test('otlp_json: the encoder writes OTLP JSON (lowerCamelCase, hex ids, enums as ints, int64 as strings) and it decodes back', () => {
  const bytes = encodeTraceRequest(REQUEST, 'otlp_json');
  const json = JSON.parse(bytes.toString()) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  const span = json.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(span.spanId, 'eee19b7ec3c1b174');
  assert.equal(span.kind, 3);
  assert.equal(span.startTimeUnixNano, START_NS.toString());
  checkSpans(decodeTraceRequest(bytes, 'otlp_json'));
});

test('otlp_json written by hand as the OTLP spec shows it (int64 as string or number, enum by int) decodes', () => {
  const text = JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'host.id', value: { stringValue: 'vm-1' } }, { key: 'service.name', value: { stringValue: 'frontend' } }] },
      scopeSpans: [{
        scope: { name: 'manual' },
        spans: [{
          traceId: TRACE.toString('hex'), spanId: CLIENT.toString('hex'), parentSpanId: '', name: 'x', kind: 3,
          startTimeUnixNano: START_NS.toString(), endTimeUnixNano: 1_700_000_000_148_456_000,
          attributes: [{ key: 'peer.service', value: { stringValue: 'cart' } }], status: { code: 2 }, unknownField: 'ignored',
        }],
      }],
    }, {
      resource: { attributes: [{ key: 'host.id', value: { stringValue: 'vm-2' } }, { key: 'service.name', value: { stringValue: 'cart' } }] },
      scopeSpans: [{ spans: [{
        traceId: TRACE.toString('hex'), spanId: SERVER.toString('hex'), parentSpanId: CLIENT.toString('hex'), kind: 2,
        startTimeUnixNano: (START_NS + 1_000_000n).toString(), endTimeUnixNano: (START_NS + 24_000_000n).toString(),
      }] }],
    }],
  });
  const request = decodeTraceRequest(Buffer.from(text), 'otlp_json');
  const { spans } = spansOf(request, { precedence: IDENTITY_PRESETS.vms });
  assert.equal(spans[0].peer, 'cart');
  assert.ok(Math.abs(spans[0].endMs - 1_700_000_000_148.456) < 0.01);
  assert.equal(spans[1].kind, SPAN_KIND.SERVER);
});

test('metrics requests decode in both encodings', () => {
  const request = {
    resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'system.cpu.utilization', gauge: { dataPoints: [{ asDouble: 0.5, timeUnixNano: '1700000000000000000' }] } }] }] }],
  };
  for (const encoding of ['otlp_proto', 'otlp_json'] as const) {
    const decoded = decodeMetricsRequest(encodeMetricsRequest(request, encoding), encoding);
    assert.equal(decoded.resourceMetrics?.[0].scopeMetrics?.[0].metrics?.[0].gauge?.dataPoints?.[0].asDouble, 0.5, encoding);
  }
});

test('malformed payloads are OTLP_MALFORMED in both encodings: truncated protobuf, bad JSON, ids that are not hex', () => {
  const good = encodeTraceRequest(REQUEST, 'otlp_proto');
  const cases: [Buffer, 'otlp_proto' | 'otlp_json'][] = [
    [good.subarray(0, good.length - 3), 'otlp_proto'],
    [Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'otlp_proto'],
    [Buffer.from('{"resourceSpans": [}'), 'otlp_json'],
    [Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}'), 'otlp_json'],
    [Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"' + TRACE.toString('base64') + '"}]}]}]}'), 'otlp_json'],
    [Buffer.from('{"resourceSpans":{"not":"an array"}}'), 'otlp_json'],
  ];
  for (const [payload, encoding] of cases) {
    assert.throws(() => decodeTraceRequest(payload, encoding), (error: unknown) => error instanceof OtlpError && error.code === 'OTLP_MALFORMED', payload.toString('hex'));
  }
});

test('spans without identity attributes are skipped per reason; spans with ids of the wrong length are invalid', () => {
  const request: ExportTraceServiceRequest = {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [{ spans: [{ traceId: TRACE, spanId: CLIENT }, { traceId: TRACE, spanId: SERVER }] }] },
      { resource: { attributes: [{ key: 'host.id', value: { stringValue: 'vm' } }] }, scopeSpans: [{ spans: [{ traceId: TRACE, spanId: CLIENT }] }] },
      { resource: { attributes: [{ key: 'host.id', value: { stringValue: 'vm' } }, { key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [{ spans: [{ traceId: TRACE.subarray(0, 8), spanId: CLIENT }] }] },
    ],
  };
  const { spans, skipped, rejected } = spansOf(decodeTraceRequest(encodeTraceRequest(request, 'otlp_proto'), 'otlp_proto'), { precedence: IDENTITY_PRESETS.vms });
  assert.equal(spans.length, 0);
  assert.deepEqual(skipped, { NO_VM_ATTRIBUTE: 2, NO_GROUP_ATTRIBUTE: 1, INVALID_SPAN: 1 });
  assert.equal(rejected, 1);
});

test('the committed generated schema code is what the vendored .proto files produce (like contracts:check)', () => {
  const script = fileURLToPath(new URL('../../codegen/generate.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});

test('attribute values of every scalar kind read as text after decoding (only the set oneof member counts)', () => {
  const request: ExportTraceServiceRequest = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'b', value: { boolValue: true } }, { key: 'd', value: { doubleValue: 0.5 } }, { key: 'i', value: { intValue: 7 } }, { key: 's', value: { stringValue: 'x' } }] },
      scopeSpans: [],
    }],
  };
  for (const encoding of ['otlp_proto', 'otlp_json'] as const) {
    const decoded = decodeTraceRequest(encodeTraceRequest(request, encoding), encoding);
    const lookup = attributeLookup(decoded.resourceSpans?.[0].resource?.attributes);
    assert.deepEqual(['b', 'd', 'i', 's'].map(lookup), ['true', '0.5', '7', 'x'], encoding);
  }
});
