import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@foresight/service-kit';
import { DEFAULT_PROPAGATION_SCORER_OPTIONS, readPropagationScorerConfig } from '../src/index.js';

describe('propagation scorer config', () => {
  it('defaults everything; the instance id falls back to HOSTNAME, then "local"', () => {
    const config = readPropagationScorerConfig({});
    assert.deepEqual(config.scorer, DEFAULT_PROPAGATION_SCORER_OPTIONS);
    assert.equal(config.instanceId, 'local');
    assert.equal(config.redisKeyPrefix, 'foresight:');
    assert.equal(readPropagationScorerConfig({ HOSTNAME: 'scorer-7f9c' }).instanceId, 'scorer-7f9c');
    assert.equal(readPropagationScorerConfig({ HOSTNAME: 'scorer-7f9c', FORESIGHT_INSTANCE_ID: 'a' }).instanceId, 'a');
  });

  it('reads the incident and scoring settings', () => {
    const config = readPropagationScorerConfig({
      FORESIGHT_INCIDENT_TIMEOUT: '10m', FORESIGHT_MAX_AT_RISK: '50', FORESIGHT_ESTIMATOR: 'multipath', FORESIGHT_PROBABILITY_FLOOR: '0.05',
      FORESIGHT_ORIGIN_COUNT: '2', FORESIGHT_SNAPSHOT_MIN_INTERVAL: '30s',
    });
    assert.equal(config.scorer.incidentTimeoutMs, 600_000);
    assert.equal(config.scorer.maxAtRisk, 50);
    assert.equal(config.scorer.estimator, 'multipath');
    assert.equal(config.scorer.probabilityFloor, 0.05);
    assert.equal(config.scorer.originCount, 2);
    assert.equal(config.scorer.minRecompileIntervalMs, 30_000);
  });

  it('names every bad variable at once', () => {
    assert.throws(
      () => readPropagationScorerConfig({ FORESIGHT_ESTIMATOR: 'guess', FORESIGHT_MAX_AT_RISK: '100000' }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 2,
    );
  });
});
