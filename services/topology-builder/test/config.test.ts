import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@foresight/service-kit';
import { DEFAULT_TOPOLOGY_BUILDER_OPTIONS, readTopologyBuilderConfig } from '../src/index.js';

describe('topology builder config', () => {
  it('defaults everything', () => {
    const config = readTopologyBuilderConfig({});
    assert.equal(config.topicPrefix, 'foresight.');
    assert.equal(config.neo4jNamespace, 'default');
    assert.deepEqual(config.builder, DEFAULT_TOPOLOGY_BUILDER_OPTIONS);
    assert.equal(config.kafka.clientId, 'topology-builder');
  });

  it('reads the decay and flush settings', () => {
    const config = readTopologyBuilderConfig({
      FORESIGHT_TOPOLOGY_HALF_LIFE: '2m', FORESIGHT_TOPOLOGY_STALE_AFTER: '1h', FORESIGHT_TOPOLOGY_CHANGE_THRESHOLD: '0.05',
      FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '250ms', FORESIGHT_TOPOLOGY_BATCH_SIZE: '100', FORESIGHT_TICK_INTERVAL: '5s',
    });
    assert.equal(config.builder.halfLifeMs, 120_000);
    assert.equal(config.builder.staleAfterMs, 3_600_000);
    assert.equal(config.builder.relativeChange, 0.05);
    assert.equal(config.builder.flushIntervalMs, 250);
    assert.equal(config.builder.batchSize, 100);
    assert.equal(config.tickIntervalMs, 5_000);
  });

  it('names every bad variable at once', () => {
    assert.throws(
      () => readTopologyBuilderConfig({ FORESIGHT_TOPOLOGY_HALF_LIFE: 'soon', FORESIGHT_TOPOLOGY_BATCH_SIZE: '0' }),
      (error: unknown) => error instanceof ConfigError && error.problems.map((p) => p.variable).join() === 'FORESIGHT_TOPOLOGY_HALF_LIFE,FORESIGHT_TOPOLOGY_BATCH_SIZE',
    );
  });

  it('refuses zero durations and intervals at start-up, naming the variable (not the option it feeds)', () => {
    const zero = {
      FORESIGHT_TICK_INTERVAL: '0', FORESIGHT_TOPOLOGY_HALF_LIFE: '0', FORESIGHT_TOPOLOGY_STALE_AFTER: '0', FORESIGHT_TOPOLOGY_LAST_SEEN_REFRESH: '0',
      FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '0', FORESIGHT_TOPOLOGY_SWEEP_INTERVAL: '0',
    };
    assert.throws(() => readTopologyBuilderConfig(zero), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.variable).sort(), Object.keys(zero).sort());
      assert.match(error.message, /FORESIGHT_TOPOLOGY_HALF_LIFE: expected a duration of at least 1ms such as '250ms', '30s', '5m' or '1h', got '0'/);
      assert.match(error.message, /FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: expected a duration of at least 10ms/);
      return true;
    });
    assert.throws(() => readTopologyBuilderConfig({ FORESIGHT_TICK_INTERVAL: '2d' }), /FORESIGHT_TICK_INTERVAL: expected a duration of 10ms\.\.1d/);
    const least = readTopologyBuilderConfig({ FORESIGHT_TOPOLOGY_HALF_LIFE: '1ms', FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '10ms', FORESIGHT_TICK_INTERVAL: '10ms' });
    assert.equal(least.builder.halfLifeMs, 1);
    assert.equal(least.builder.flushIntervalMs, 10);
    assert.equal(least.tickIntervalMs, 10);
  });
});
