import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractError, EVENT_TIME_FIELDS, assertEventTimeBounds, eventTimeViolation, topicNames, topicSchemas } from '../src/index.js';
import { sampleMessages } from './sample-messages.js';

const NOW = 1_767_225_600_000;
const MINUTE = 60_000;
const BOUNDS = { maxFutureMs: 5 * MINUTE, maxAgeMs: 0 };

describe('event-time bounds', () => {
  it('accepts event times up to the bound ahead, refuses one further ahead naming the field, value and bound', () => {
    const flow = { ...sampleMessages.flows, eventTime: NOW + 5 * MINUTE, windowEnd: NOW + 5 * MINUTE };
    assert.equal(eventTimeViolation('flows', flow, NOW, BOUNDS), undefined);
    const ahead = { ...flow, eventTime: NOW + 5 * MINUTE + 1 };
    const reason = eventTimeViolation('flows', ahead, NOW, BOUNDS);
    assert.match(reason ?? '', /^flows: \$\.eventTime 1767225900001 \(2026-01-01T00:05:00\.001Z\) is 300001 ms ahead of the consumer's clock 1767225600000 .*at most 300000 ms ahead/);
    assert.throws(() => assertEventTimeBounds('flows', ahead, NOW, BOUNDS), (error: unknown) => error instanceof ContractError && error.code === 'EVENT_TIME_OUT_OF_BOUNDS' && error.message === reason);
  });

  it('checks every time field a consumer takes as its clock, not only eventTime', () => {
    const TEN_YEARS = 3_650 * 24 * 60 * MINUTE;
    assert.match(eventTimeViolation('flows', { ...sampleMessages.flows, eventTime: NOW, windowEnd: NOW + TEN_YEARS }, NOW, BOUNDS) ?? '', /\$\.windowEnd/);
    assert.match(eventTimeViolation('anomalies', { ...sampleMessages.anomalies, eventTime: NOW, detectedAt: NOW + TEN_YEARS }, NOW, BOUNDS) ?? '', /\$\.detectedAt/);
    assert.match(eventTimeViolation('allocation-outcomes', { ...sampleMessages['allocation-outcomes'], eventTime: NOW, appliedAt: NOW + TEN_YEARS }, NOW, BOUNDS) ?? '', /\$\.appliedAt/);
    assert.equal(eventTimeViolation('allocation-outcomes', { ...sampleMessages['allocation-outcomes'], eventTime: NOW, appliedAt: null }, NOW, BOUNDS), undefined);
    // A lease ends in the future by design: not an event time.
    assert.equal(eventTimeViolation('allocations', { ...sampleMessages.allocations, eventTime: NOW, leaseExpiresAt: NOW + TEN_YEARS }, NOW, BOUNDS), undefined);
  });

  it('bounds every topic, and names only its top-level timestamp fields', () => {
    for (const topic of topicNames) {
      const fields = EVENT_TIME_FIELDS[topic] as readonly string[];
      assert.ok(fields.includes('eventTime'), topic);
      const schemaFields = (topicSchemas[topic].schema as { readonly fields: readonly { readonly name: string; readonly type: unknown }[] }).fields;
      for (const field of fields) {
        const declared = schemaFields.find((f) => f.name === field);
        assert.ok(declared !== undefined && JSON.stringify(declared.type).includes('timestamp-millis'), `${topic}.${field} is a top-level timestamp`);
      }
      const ahead = { ...sampleMessages[topic], eventTime: NOW + 6 * MINUTE };
      assert.ok(eventTimeViolation(topic, ahead as never, NOW, BOUNDS) !== undefined, topic);
    }
  });

  it('refuses old event times only when a maximum age is set; 0 turns either side off', () => {
    const old = { ...sampleMessages.hosts, eventTime: NOW - 2 * 24 * 60 * MINUTE };
    assert.equal(eventTimeViolation('hosts', old, NOW, BOUNDS), undefined);
    assert.match(eventTimeViolation('hosts', old, NOW, { maxFutureMs: 5 * MINUTE, maxAgeMs: 24 * 60 * MINUTE }) ?? '', /is 172800000 ms behind .*at most 86400000 ms old/);
    const ahead = { ...sampleMessages.hosts, eventTime: NOW + 24 * 60 * MINUTE };
    assert.equal(eventTimeViolation('hosts', ahead, NOW, { maxFutureMs: 0, maxAgeMs: 0 }), undefined);
  });
});
