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
});
