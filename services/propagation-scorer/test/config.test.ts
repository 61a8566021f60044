import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@foresight/service-kit';
import { hostname } from 'node:os';
import { DEFAULT_PROPAGATION_SCORER_OPTIONS, defaultInstanceId, readPropagationScorerConfig } from '../src/index.js';

describe('propagation scorer config', () => {
  it('defaults everything', () => {
    const config = readPropagationScorerConfig({});
    assert.deepEqual(config.scorer, DEFAULT_PROPAGATION_SCORER_OPTIONS);
    assert.equal(config.redisKeyPrefix, 'foresight:');
  });

  it('gives every live process its own instance id (so its own group) unless FORESIGHT_INSTANCE_ID names one', () => {
    // Two scorers on one host (same HOSTNAME) must not share the per-instance group: the pid tells them apart.
    assert.equal(readPropagationScorerConfig({ HOSTNAME: 'scorer-7f9c' }).instanceId, `scorer-7f9c-${process.pid}`);
    assert.notEqual(defaultInstanceId('scorer-7f9c', 101), defaultInstanceId('scorer-7f9c', 102));
    assert.equal(readPropagationScorerConfig({}).instanceId, defaultInstanceId(hostname(), process.pid));
    assert.match(readPropagationScorerConfig({}).instanceId, new RegExp(`-${process.pid}$`));
    assert.equal(readPropagationScorerConfig({ HOSTNAME: 'scorer-7f9c', FORESIGHT_INSTANCE_ID: 'a' }).instanceId, 'a');
    // A host name outside the group-name characters is made safe; none at all reads as "local".
    assert.equal(defaultInstanceId('scorer 1/eu', 7), 'scorer-1-eu-7');
    assert.equal(defaultInstanceId(undefined, 7), 'local-7');
    assert.equal(defaultInstanceId('  ', 7), 'local-7');
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

  it('refuses a zero time-out, score TTL or tick interval, naming the variable, and allows a zero recompile throttle', () => {
    assert.throws(
      () => readPropagationScorerConfig({ FORESIGHT_INCIDENT_TIMEOUT: '0', FORESIGHT_SCORE_TTL: '0', FORESIGHT_TICK_INTERVAL: '0' }),
      (error: unknown) => error instanceof ConfigError
        && error.problems.map((p) => p.variable).join() === 'FORESIGHT_TICK_INTERVAL,FORESIGHT_INCIDENT_TIMEOUT,FORESIGHT_SCORE_TTL'
        && /FORESIGHT_INCIDENT_TIMEOUT: expected a duration of at least 1ms/.test(error.message)
        && /FORESIGHT_TICK_INTERVAL: expected a duration of 10ms\.\.1d/.test(error.message),
    );
    assert.throws(() => readPropagationScorerConfig({ FORESIGHT_TICK_INTERVAL: '5ms' }), /FORESIGHT_TICK_INTERVAL/);
    assert.equal(readPropagationScorerConfig({ FORESIGHT_TICK_INTERVAL: '10ms' }).tickIntervalMs, 10);
    assert.equal(readPropagationScorerConfig({ FORESIGHT_SNAPSHOT_MIN_INTERVAL: '0' }).scorer.minRecompileIntervalMs, 0);
  });
});
