import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@foresight/service-kit';
import { readAllocatorConfig } from '../src/config.js';
import { DEFAULT_ALLOCATOR_SETTINGS } from '../src/allocator-settings.js';

const BASE = { FORESIGHT_KAFKA_BROKERS: 'localhost:9092', FORESIGHT_SCHEMA_REGISTRY_URL: 'http://localhost:8081' };

describe('readAllocatorConfig', () => {
  it('reads the defaults', () => {
    const config = readAllocatorConfig(BASE);
    assert.deepEqual(config.allocator, DEFAULT_ALLOCATOR_SETTINGS);
    assert.equal(config.topicPrefix, 'foresight.');
  });

  it('reads modes, guardrails and lease timing', () => {
    const config = readAllocatorConfig({
      ...BASE, FORESIGHT_ALLOCATOR_MODE: 'shadow', FORESIGHT_ALLOCATOR_ENFORCE_SYSTEMS: 'pay, shop', FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE: '7',
      FORESIGHT_ALLOCATOR_BUDGET_CPU_MILLIS: '16000', FORESIGHT_ALLOCATOR_LEASE_TTL: '20m', FORESIGHT_ALLOCATOR_RENEW_BEFORE: '2m',
      FORESIGHT_ALLOCATOR_DEGRADED_LEASES: 'handover',
    });
    assert.equal(config.allocator.policy.degradedLeases, 'handover');
    assert.equal(DEFAULT_ALLOCATOR_SETTINGS.policy.degradedLeases, 'keep');
    assert.equal(config.allocator.defaultMode, 'SHADOW');
    assert.deepEqual(config.allocator.enforceSystems, ['pay', 'shop']);
    assert.equal(config.allocator.maxGrantsPerMinute, 7);
    assert.equal(config.allocator.budget.cpuMillis, 16_000);
    assert.equal(config.allocator.policy.leaseTtlMs, 20 * 60_000);
    assert.equal(config.allocator.policy.renewBeforeMs, 2 * 60_000);
  });

  it('names every bad variable', () => {
    const bad = { ...BASE, FORESIGHT_ALLOCATOR_MODE: 'maybe', FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE: '0', FORESIGHT_ALLOCATOR_DEGRADED_LEASES: 'hold' };
    assert.throws(() => readAllocatorConfig(bad), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.variable).sort(), ['FORESIGHT_ALLOCATOR_DEGRADED_LEASES', 'FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE', 'FORESIGHT_ALLOCATOR_MODE']);
      return true;
    });
    assert.throws(() => readAllocatorConfig({ ...BASE, FORESIGHT_ALLOCATOR_LEASE_TTL: '5m', FORESIGHT_ALLOCATOR_RENEW_BEFORE: '5m' }), ConfigError);
  });

  it('refuses a zero lease TTL and tick interval, naming the variable; renewing right at expiry (0) is allowed', () => {
    assert.throws(() => readAllocatorConfig({ ...BASE, FORESIGHT_ALLOCATOR_LEASE_TTL: '0', FORESIGHT_TICK_INTERVAL: '0' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((p) => p.variable).sort(), ['FORESIGHT_ALLOCATOR_LEASE_TTL', 'FORESIGHT_TICK_INTERVAL']);
      assert.match(error.message, /FORESIGHT_ALLOCATOR_LEASE_TTL: expected a duration of at least 1ms/);
      return true;
    });
    assert.equal(readAllocatorConfig({ ...BASE, FORESIGHT_ALLOCATOR_RENEW_BEFORE: '0' }).allocator.policy.renewBeforeMs, 0);
  });
});
