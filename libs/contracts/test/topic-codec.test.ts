import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ContractError, decodeFrame, encodeFrame, topicCodec, topicNames, topicProjection, type TopicName } from '../src/index.js';
import { sampleMessages } from './sample-messages.js';

function expectContractError(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ContractError, `expected ContractError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('topic codecs', () => {
  it('has a codec and a sample for every schema', () => {
    assert.deepEqual([...topicNames].sort(), Object.keys(sampleMessages).sort());
  });

  for (const topic of Object.keys(sampleMessages) as TopicName[]) {
    it(`round-trips a ${topic} message`, () => {
      const codec = topicCodec(topic);
      const message = sampleMessages[topic];
      // avsc decodes records as class instances; compare their data.
      assert.deepEqual(JSON.parse(JSON.stringify(codec.decode(codec.encode(message)))), message);
      assert.equal(typeof codec.keyOf(message), 'string');
      assert.notEqual(codec.keyOf(message), 'undefined');
    });
  }

  it('encodes framed in one go: the bytes of encodeFrame(id, encode(m)), for every topic and past its scratch buffer', () => {
    for (const topic of Object.keys(sampleMessages) as TopicName[]) {
      const codec = topicCodec(topic);
      const message = sampleMessages[topic];
      assert.deepEqual(codec.encodeFramed(258, message), encodeFrame(258, codec.encode(message)), topic);
    }
    const model = topicCodec('model');
    const large = { ...sampleMessages.model, parametersJson: JSON.stringify({ padding: 'x'.repeat(200_000) }) };
    const framed = model.encodeFramed(7, large);
    assert.deepEqual(framed, encodeFrame(7, model.encode(large)));
    assert.equal(decodeFrame(framed).schemaId, 7);
    assert.equal(model.decode(decodeFrame(framed).payload).parametersJson, large.parametersJson);
    // Frames returned earlier are copies: later encodings do not change them.
    const first = topicCodec('hosts').encodeFramed(1, sampleMessages.hosts);
    const copy = Buffer.from(first);
    topicCodec('hosts').encodeFramed(2, { ...sampleMessages.hosts, eventId: 'another-event' });
    assert.deepEqual(first, copy);
  });

  it('projects a framed message onto the named fields, nested in records and arrays of records', () => {
    const risk = sampleMessages.risk;
    assert.ok(risk.atRisk.length > 0);
    const read = topicProjection<{ incidentId: string; status: string; atRisk: { probability: number }[] }>('risk', ['incidentId', 'status', 'atRisk.probability']);
    const projected = read(topicCodec('risk').encodeFramed(3, risk));
    assert.deepEqual(JSON.parse(JSON.stringify(projected)), { incidentId: risk.incidentId, status: risk.status, atRisk: risk.atRisk.map((e) => ({ probability: e.probability })) });
    const command = topicProjection<{ action: string }>('allocations', ['action'])(topicCodec('allocations').encodeFramed(3, sampleMessages.allocations));
    assert.deepEqual(JSON.parse(JSON.stringify(command)), { action: sampleMessages.allocations.action });
    expectContractError(() => topicProjection('risk', ['nothing']), 'INVALID_MESSAGE', /no field nothing/);
    expectContractError(() => read(Buffer.from([0, 0, 0, 0, 3, 255])), 'NOT_AVRO', /risk/);
  });

  it('validates before encoding framed', () => {
    expectContractError(() => topicCodec('hosts').encodeFramed(1, { ...sampleMessages.hosts, eventId: undefined } as never), 'INVALID_MESSAGE', /eventId/);
  });

  it('refuses a message with a missing field, naming it', () => {
    const { severity: _severity, ...rest } = sampleMessages.anomalies;
    expectContractError(() => topicCodec('anomalies').encode(rest as never), 'INVALID_MESSAGE', /^anomalies: field 'severity' is missing \(expected number\)$/);
  });

  it('names a misnamed key as missing with its expected shape, and the unknown key beside it', () => {
    const { hostId, ...rest } = sampleMessages.hosts;
    expectContractError(
      () => topicCodec('hosts').validate({ ...rest, host_id: hostId }), 'INVALID_MESSAGE',
      /^hosts: field 'hostId' is missing \(expected string\); unknown field 'host_id' \(did you mean 'hostId'\?\)$/,
    );
  });

  it('names nested fields, enum symbols and a date written as text', () => {
    const capacity = { cpuMillis: 1, memoryMiB: 1 };
    expectContractError(() => topicCodec('hosts').validate({ ...sampleMessages.hosts, capacity }), 'INVALID_MESSAGE', /field 'capacity.networkMbps' is missing \(expected number\)/);
    expectContractError(() => topicCodec('anomalies').validate({ ...sampleMessages.anomalies, level: 'VM' }), 'INVALID_MESSAGE', /field 'level' is "VM" \(expected one of SYSTEM, GROUP, COMPONENT\)/);
    expectContractError(
      () => topicCodec('flows').validate({ ...sampleMessages.flows, eventTime: '2025-01-01T00:00:00Z' }), 'INVALID_MESSAGE',
      /field 'eventTime' is "2025-01-01T00:00:00Z" \(expected integer \(long\); times are epoch milliseconds\)/,
    );
    expectContractError(() => topicCodec('flows').validate(undefined), 'INVALID_MESSAGE', /^flows: the message is missing \(expected object with eventId, eventTime, /);
  });

  it('names the field of a broken bound with its topic', () => {
    expectContractError(() => topicCodec('flows').validate({ ...sampleMessages.flows, bandwidthMbps: -1 }), 'INVALID_MESSAGE', /^flows: field 'bandwidthMbps' must be ≥ 0/);
  });

  it('refuses a wrong enum symbol', () => {
    expectContractError(() => topicCodec('flows').encode({ ...sampleMessages.flows, kind: 'SMOKE_SIGNAL' as never }), 'INVALID_MESSAGE', /kind/);
  });

  it('refuses NaN, out-of-range probabilities and negative quantities', () => {
    expectContractError(() => topicCodec('flows').encode({ ...sampleMessages.flows, latencyP99Ms: Number.NaN }), 'INVALID_MESSAGE', /field 'latencyP99Ms' must be a finite number/);
    expectContractError(() => topicCodec('anomalies').encode({ ...sampleMessages.anomalies, severity: 1.5 }), 'INVALID_MESSAGE', /field 'severity' must be in \[0, 1\]/);
    expectContractError(() => topicCodec('flows').encode({ ...sampleMessages.flows, bandwidthMbps: -1 }), 'INVALID_MESSAGE', /field 'bandwidthMbps' must be ≥ 0/);
  });

  it('refuses oversized strings', () => {
    expectContractError(() => topicCodec('anomalies').encode({ ...sampleMessages.anomalies, subjectId: 'x'.repeat(5000) }), 'INVALID_MESSAGE', /field 'subjectId' is 5000 characters/);
  });

  it('says NOT_AVRO for bytes that are not the schema', () => {
    expectContractError(() => topicCodec('risk').decode(Buffer.from('{"hello":"json"}')), 'NOT_AVRO', /does not decode/);
  });
});

describe('wire framing', () => {
  it('round-trips the schema id and payload', () => {
    const frame = encodeFrame(123456, Buffer.from([1, 2, 3]));
    assert.deepEqual(decodeFrame(frame), { schemaId: 123456, payload: Buffer.from([1, 2, 3]) });
  });

  it('refuses a frame without the magic byte', () => {
    expectContractError(() => decodeFrame(Buffer.from('plain text')), 'NOT_AVRO', /magic|framed/);
    expectContractError(() => decodeFrame(Buffer.alloc(2)), 'NOT_AVRO', /2 bytes/);
  });
});

describe('generated types', () => {
  it('match schemas/*.avsc (no drift)', () => {
    const generator = fileURLToPath(new URL('../../codegen/generate.mjs', import.meta.url));
    const result = spawnSync(process.execPath, [generator, '--check'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });
});
