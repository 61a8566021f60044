import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@foresight/service-kit';
import { readLearnerConfig } from '../src/config.js';

const BASE = { FORESIGHT_KAFKA_BROKERS: 'localhost:9092', FORESIGHT_SCHEMA_REGISTRY_URL: 'http://localhost:8081', FORESIGHT_NEO4J_URI: 'bolt://localhost:7687' };

describe('readLearnerConfig', () => {
  it('reads the defaults and overrides', () => {
    assert.equal(readLearnerConfig(BASE).learner.minIncidentsPerStep, 10);
    const config = readLearnerConfig({ ...BASE, FORESIGHT_LEARNER_MIN_INCIDENTS: '25', FORESIGHT_LEARNER_PREDICTION_THRESHOLD: '0.3', FORESIGHT_LEARNER_MIN_HELD_OUT_EXAMPLES: '50' });
    assert.equal(config.learner.minIncidentsPerStep, 25);
    assert.equal(config.learner.predictionThreshold, 0.3);
    assert.equal(config.learner.publication.minHeldOutExamples, 50);
    assert.equal(readLearnerConfig(BASE).learner.typePooling, 2);
    assert.equal(readLearnerConfig({ ...BASE, FORESIGHT_LEARNER_TYPE_POOLING: '0' }).learner.typePooling, 0);
    assert.equal(readLearnerConfig(BASE).learner.state.windowCapacity, 400);
    assert.equal(readLearnerConfig({ ...BASE, FORESIGHT_LEARNER_WINDOW: '50' }).learner.state.windowCapacity, 50);
  });

  it('reads the initial model horizon, unset by default', () => {
    assert.equal(readLearnerConfig(BASE).initialHorizonMs, undefined);
    assert.equal(readLearnerConfig({ ...BASE, FORESIGHT_LEARNER_INITIAL_HORIZON: '8s' }).initialHorizonMs, 8_000);
  });

  it('rejects a bad value', () => {
    assert.throws(() => readLearnerConfig({ ...BASE, FORESIGHT_LEARNER_PREDICTION_THRESHOLD: '2' }), ConfigError);
    assert.throws(() => readLearnerConfig({ ...BASE, FORESIGHT_LEARNER_TYPE_POOLING: '-1' }), (e: unknown) => e instanceof ConfigError && /FORESIGHT_LEARNER_TYPE_POOLING/.test(e.message));
  });

  it('refuses zero durations (retention, claim TTL, initial horizon, tick), naming each variable', () => {
    const zero = { FORESIGHT_LEARNER_ONSET_RETENTION: '0', FORESIGHT_LEARNER_TRAINING_CLAIM_TTL: '0', FORESIGHT_LEARNER_INITIAL_HORIZON: '0', FORESIGHT_TICK_INTERVAL: '0' };
    assert.throws(() => readLearnerConfig({ ...BASE, ...zero }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.variable).sort(), Object.keys(zero).sort());
      assert.match(error.message, /FORESIGHT_LEARNER_TRAINING_CLAIM_TTL: expected a duration of at least 1ms/);
      return true;
    });
  });
});
