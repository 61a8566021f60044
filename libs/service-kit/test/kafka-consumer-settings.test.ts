import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, kafkaConsumerSettings, readConfig } from '../src/index.js';

describe('Kafka consumer settings', () => {
  it("default to the messaging runtime's own defaults", () => {
    assert.deepEqual(readConfig({}, { c: kafkaConsumerSettings() }).c, { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000, maxWaitTimeMs: 1_000, lingerMs: 0, partitions: 3, createTopics: true });
  });

  it('read durations, the partition count and whether topics are created', () => {
    const env = {
      FORESIGHT_KAFKA_SESSION_TIMEOUT: '6s', FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '500ms', FORESIGHT_KAFKA_MAX_WAIT: '50ms', FORESIGHT_KAFKA_PARTITIONS: '6',
      FORESIGHT_KAFKA_CREATE_TOPICS: 'false', FORESIGHT_KAFKA_LINGER: '5ms',
    };
    assert.deepEqual(readConfig(env, { c: kafkaConsumerSettings() }).c, { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 50, lingerMs: 5, partitions: 6, createTopics: false });
  });

  it('reject a heartbeat not shorter than the session and a zero partition count', () => {
    assert.throws(
      () => readConfig({ FORESIGHT_KAFKA_SESSION_TIMEOUT: '6s', FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '6s', FORESIGHT_KAFKA_PARTITIONS: '0' }, { c: kafkaConsumerSettings() }),
      (e: unknown) => e instanceof ConfigError && e.problems.map((p) => p.variable).sort().join() === 'FORESIGHT_KAFKA_PARTITIONS',
    );
    assert.throws(
      () => readConfig({ FORESIGHT_KAFKA_SESSION_TIMEOUT: '6s', FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '6s' }, { c: kafkaConsumerSettings() }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.variable === 'FORESIGHT_KAFKA_HEARTBEAT_INTERVAL'),
    );
  });

  it('reject a zero fetch wait (idle consumers would busy-poll) and a heartbeat under 100ms, naming them', () => {
    assert.throws(
      () => readConfig({ FORESIGHT_KAFKA_MAX_WAIT: '0', FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '0' }, { c: kafkaConsumerSettings() }),
      (e: unknown) => e instanceof ConfigError && e.problems.map((p) => p.variable).sort().join() === 'FORESIGHT_KAFKA_HEARTBEAT_INTERVAL,FORESIGHT_KAFKA_MAX_WAIT'
        && /FORESIGHT_KAFKA_MAX_WAIT: expected a duration of at least 10ms/.test(e.message),
    );
    assert.equal(readConfig({ FORESIGHT_KAFKA_MAX_WAIT: '10ms', FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '100ms' }, { c: kafkaConsumerSettings() }).c.maxWaitTimeMs, 10);
  });
});
