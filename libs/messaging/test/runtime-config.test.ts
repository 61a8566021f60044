import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractError } from '@foresight/contracts';
import { InMemoryIdempotencyStore, RuntimeError, backoffDelayMs, classifyFailure, isDependencyOutage, validateKafkaConnection, type KafkaConnectionConfig } from '../src/index.js';

const good: KafkaConnectionConfig = { brokers: ['127.0.0.1:9092', 'kafka-2.internal:9093'], clientId: 'svc', registry: { url: 'http://127.0.0.1:8081/apis/ccompat/v7' } };

describe('Kafka connection config', () => {
  it('accepts a plain, a TLS and a SASL/SCRAM config', () => {
    assert.equal(validateKafkaConnection(good), good);
    validateKafkaConnection({ ...good, ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    validateKafkaConnection({ ...good, ssl: { ca: ['-----BEGIN CERTIFICATE-----'], servername: 'kafka' }, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
  });

  it('names the bad setting', () => {
    const cases: [Partial<KafkaConnectionConfig> | Record<string, unknown>, RegExp][] = [
      [{ brokers: [] }, /brokers must list/],
      [{ brokers: ['localhost'] }, /brokers\[0\] 'localhost' is not host:port/],
      [{ brokers: ['a:1', 'b:99999'] }, /brokers\[1\]/],
      [{ clientId: ' ' }, /clientId/],
      [{ sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }, /sasl.mechanism must be one of plain, scram-sha-256, scram-sha-512/],
      [{ sasl: { mechanism: 'plain', username: '', password: 'p' } }, /sasl.username/],
      [{ registry: { url: 'not a url' } }, /registry.url/],
      [{ registry: { url: 'ftp://x' } }, /registry.url must be http\(s\)/],
      [{ requestTimeoutMs: -1 }, /requestTimeoutMs/],
    ];
    for (const [patch, message] of cases) {
      assert.throws(() => validateKafkaConnection({ ...good, ...patch }), (e: unknown) => e instanceof RuntimeError && e.code === 'CONFIG_INVALID' && message.test(e.message), String(message));
    }
  });
});

describe('failure classification', () => {
  it('maps errors to retry, dead-letter or redeliver', () => {
    assert.equal(classifyFailure(new RuntimeError('HANDLER_RETRIABLE', 'x')).disposition, 'retry');
    assert.equal(classifyFailure(new RuntimeError('HANDLER_FATAL', 'x')).disposition, 'dead-letter');
    assert.equal(classifyFailure(new RuntimeError('DEPENDENCY_UNAVAILABLE', 'x')).disposition, 'redeliver');
    assert.equal(classifyFailure(new RuntimeError('BROKER_UNAVAILABLE', 'x')).disposition, 'redeliver');
    assert.deepEqual(classifyFailure(new ContractError('INVALID_MESSAGE', 'bad')), { disposition: 'dead-letter', code: 'INVALID_MESSAGE', reason: 'bad' });
    assert.equal(classifyFailure(Object.assign(new Error('no'), { retriable: false })).disposition, 'dead-letter');
    assert.equal(classifyFailure(new Error('unknown')).disposition, 'retry');
    assert.equal(new RuntimeError('HANDLER_FATAL', 'x').retriable, false);
    assert.equal(new RuntimeError('REGISTRY_UNAVAILABLE', 'x').retriable, true);
  });

  it("redelivers a dependency's own outage error (a store's STORE_UNAVAILABLE) and dead-letters its other failures", () => {
    const storeError = (code: string, retriable: boolean) => Object.assign(new Error(`redis reserve: ${code}`), { code, retriable });
    assert.deepEqual(classifyFailure(storeError('STORE_UNAVAILABLE', true)), { disposition: 'redeliver', code: 'DEPENDENCY_UNAVAILABLE', reason: 'redis reserve: STORE_UNAVAILABLE' });
    assert.equal(isDependencyOutage(storeError('STORE_UNAVAILABLE', true)), true);
    assert.deepEqual(classifyFailure(storeError('INVALID_INPUT', false)), { disposition: 'dead-letter', code: 'HANDLER_FATAL', reason: 'redis reserve: INVALID_INPUT' });
    assert.equal(classifyFailure(storeError('STORE_FAILURE', false)).disposition, 'dead-letter');
    assert.equal(classifyFailure(storeError('STORE_UNAVAILABLE', false)).disposition, 'dead-letter', 'an outage must say it is retriable');
    assert.equal(classifyFailure(storeError('LOCK_CONTENDED', true)).disposition, 'retry', 'retriable but not an outage: retried in place');
  });

  it('backs off exponentially up to the cap', () => {
    const policy = { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 1000, multiplier: 2 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(policy, n)), [100, 200, 400, 800, 1000, 1000]);
  });
});

describe('InMemoryIdempotencyStore', () => {
  it('claims once, forgets on release and after the TTL', async () => {
    let now = 0;
    const store = new InMemoryIdempotencyStore(() => now);
    assert.equal(await store.claim('g:e-1', 1000), true);
    assert.equal(await store.claim('g:e-1', 1000), false);
    assert.equal(await store.has('g:e-1'), true);
    now = 1001;
    assert.equal(await store.has('g:e-1'), false);
    assert.equal(await store.claim('g:e-1', 1000), true);
    await store.release('g:e-1');
    assert.equal(await store.has('g:e-1'), false);
  });
});
