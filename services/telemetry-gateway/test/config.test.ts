import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDENTITY_PRESETS } from '@foresight/core';
import { ConfigError } from '@foresight/service-kit';
import { readGatewayConfig } from '../src/config.js';
import { payloadEncoding } from '../src/otlp-topics.js';
import { deadLetterTopicOf } from '../src/main.js';

test('defaults: the Collector\'s topic names, auto encoding, the vms preset, OTLP/HTTP on 127.0.0.1:4319', () => {
  const config = readGatewayConfig({});
  assert.equal(config.spansTopic, 'otlp_spans');
  assert.equal(config.metricsTopic, 'otlp_metrics');
  assert.equal(config.topicEncoding, 'auto');
  assert.deepEqual(config.gateway.identity, IDENTITY_PRESETS.vms);
  assert.deepEqual([config.http.host, config.http.port], ['127.0.0.1', 4319]);
  assert.equal(config.groupId, 'foresight.telemetry-gateway');
  assert.equal(deadLetterTopicOf(config, 'traces'), 'otlp_spans.dlq');
  assert.equal(deadLetterTopicOf({ ...config, metricsTopic: '' }, 'metrics'), 'foresight.otlp_metrics.dlq');
});

test('the identity precedence is settable: a preset, then a list per entity', () => {
  const config = readGatewayConfig({
    FORESIGHT_GATEWAY_IDENTITY: 'pods', FORESIGHT_GATEWAY_VM_ATTRIBUTES: 'service.instance.id, k8s.pod.uid', FORESIGHT_GATEWAY_DEFAULT_SYSTEM: 'prod',
    FORESIGHT_GATEWAY_VM_CAPACITY: '2000,4096,500', FORESIGHT_GATEWAY_PAIRING_WAIT: '30s',
  });
  assert.deepEqual(config.gateway.identity, { ...IDENTITY_PRESETS.pods, vm: ['service.instance.id', 'k8s.pod.uid'], defaultSystem: 'prod' });
  assert.deepEqual(config.gateway.vmCapacity, { cpuMillis: 2000, memoryMiB: 4096, networkMbps: 500 });
  assert.equal(config.gateway.pathways.pairingWaitMs, 30_000);
});

test('bad settings are refused, each named', () => {
  assert.throws(() => readGatewayConfig({ FORESIGHT_GATEWAY_IDENTITY: 'containers', FORESIGHT_GATEWAY_VM_CAPACITY: '1,x,3', FORESIGHT_GATEWAY_MAX_IN_FLIGHT: '0' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    for (const name of ['FORESIGHT_GATEWAY_IDENTITY', 'FORESIGHT_GATEWAY_VM_CAPACITY', 'FORESIGHT_GATEWAY_MAX_IN_FLIGHT']) assert.match(error.message, new RegExp(name));
    return true;
  });
});

test('auto encoding: JSON when the first non-blank byte is {, protobuf otherwise', () => {
  assert.equal(payloadEncoding(Buffer.from(' \n{"resourceSpans":[]}'), 'auto'), 'otlp_json');
  assert.equal(payloadEncoding(Buffer.from([0x0a, 0x00]), 'auto'), 'otlp_proto');
  assert.equal(payloadEncoding(Buffer.from('{}'), 'otlp_proto'), 'otlp_proto');
});
