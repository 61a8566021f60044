import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigError, kafkaSettings, neo4jSettings, readConfig, readSetting, redisSettings, registrySettings, serviceSettings, type FileReader,
} from '../src/index.js';

const files: Record<string, string> = { '/pki/ca.pem': 'CA PEM', '/pki/client.pem': 'CERT PEM', '/pki/client.key': 'KEY PEM' };
const fakeFiles: FileReader = (path) => {
  const content = files[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return content;
};

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('connection settings', () => {
  it('default to the local stack with no TLS and no credentials', () => {
    assert.deepEqual(readConfig({}, {
      kafka: kafkaSettings({ clientId: 'allocator' }),
      registry: registrySettings(),
      redis: redisSettings(),
      neo4j: neo4jSettings(),
      service: serviceSettings(),
    }), {
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'allocator' },
      registry: { url: 'http://127.0.0.1:8081/apis/ccompat/v7' },
      redis: { host: '127.0.0.1', port: 6379, tls: false, db: 0 },
      neo4j: { uri: 'bolt://127.0.0.1:7687' },
      service: { logLevel: 'info', httpHost: '127.0.0.1', httpPort: 0, shutdownTimeoutMs: 10_000, stallAfterMs: 60_000 },
    });
  });

  it('read a fully secured setup, loading TLS material from files', () => {
    const env = {
      FORESIGHT_KAFKA_BROKERS: 'k1.internal:9093,k2.internal:9093',
      FORESIGHT_KAFKA_TLS: 'true',
      FORESIGHT_KAFKA_TLS_CA_FILE: '/pki/ca.pem',
      FORESIGHT_KAFKA_TLS_CERT_FILE: '/pki/client.pem',
      FORESIGHT_KAFKA_TLS_KEY_FILE: '/pki/client.key',
      FORESIGHT_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      FORESIGHT_KAFKA_SASL_USERNAME: 'svc',
      FORESIGHT_KAFKA_SASL_PASSWORD: 'kpw',
      FORESIGHT_SCHEMA_REGISTRY_URL: 'https://registry.internal',
      FORESIGHT_SCHEMA_REGISTRY_USERNAME: 'reg',
      FORESIGHT_SCHEMA_REGISTRY_PASSWORD: 'rpw',
      FORESIGHT_REDIS_HOST: 'redis.internal', FORESIGHT_REDIS_PORT: '6380', FORESIGHT_REDIS_PASSWORD: 'redpw', FORESIGHT_REDIS_TLS: 'on', FORESIGHT_REDIS_DB: '3',
      FORESIGHT_NEO4J_URI: 'neo4j://graph.internal:7687', FORESIGHT_NEO4J_USER: 'neo', FORESIGHT_NEO4J_PASSWORD: 'npw',
      FORESIGHT_NEO4J_DATABASE: 'foresight', FORESIGHT_NEO4J_ENCRYPTED: 'true',
    };
    assert.deepEqual(readSetting(env, kafkaSettings({}, fakeFiles)), {
      brokers: ['k1.internal:9093', 'k2.internal:9093'],
      clientId: 'foresight',
      ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
      sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'kpw' },
    });
    assert.deepEqual(readSetting(env, registrySettings()), { url: 'https://registry.internal', username: 'reg', password: 'rpw' });
    assert.deepEqual(readSetting(env, redisSettings()), { host: 'redis.internal', port: 6380, password: 'redpw', tls: true, db: 3 });
    assert.deepEqual(readSetting(env, neo4jSettings()), {
      uri: 'neo4j://graph.internal:7687', user: 'neo', password: 'npw', database: 'foresight', encrypted: true,
    });
    assert.deepEqual(readSetting({ FORESIGHT_KAFKA_TLS: '1' }, kafkaSettings()).ssl, true);
  });

  it('report every inconsistent connection setting at once, without echoing secrets', () => {
    const message = messageOf(() => readConfig({
      FORESIGHT_KAFKA_BROKERS: 'localhost',
      FORESIGHT_REDIS_PORT: '0',
      FORESIGHT_NEO4J_URI: 'http://graph:7474',
      FORESIGHT_SCHEMA_REGISTRY_PASSWORD: 'registry-secret',
      FORESIGHT_LOG_LEVEL: 'chatty',
    }, { kafka: kafkaSettings(), redis: redisSettings(), neo4j: neo4jSettings(), registry: registrySettings(), service: serviceSettings() }));
    for (const fragment of [
      "FORESIGHT_KAFKA_BROKERS: expected a ','-separated list of host:port, got 'localhost'",
      "FORESIGHT_REDIS_PORT: expected an integer 1..65535, got '0'",
      "FORESIGHT_NEO4J_URI: expected a URL (bolt, neo4j, bolt+s, neo4j+s, bolt+ssc, neo4j+ssc), got 'http://graph:7474'",
      'FORESIGHT_SCHEMA_REGISTRY_USERNAME: required when FORESIGHT_SCHEMA_REGISTRY_PASSWORD is set',
      "FORESIGHT_LOG_LEVEL: expected one of debug, info, warn, error, silent, got 'chatty'",
    ]) assert.ok(message.includes(fragment), `missing "${fragment}" in:\n${message}`);
    assert.ok(!message.includes('registry-secret'));
  });

  it('reject Kafka TLS files without TLS, unreadable files, half a key pair and SASL without credentials', () => {
    const off = messageOf(() => readSetting({ FORESIGHT_KAFKA_TLS_CA_FILE: '/pki/ca.pem', FORESIGHT_KAFKA_SASL_PASSWORD: 'x' }, kafkaSettings({}, fakeFiles)));
    assert.match(off, /FORESIGHT_KAFKA_TLS_CA_FILE: set but FORESIGHT_KAFKA_TLS is off/);
    assert.match(off, /FORESIGHT_KAFKA_SASL_PASSWORD: set but FORESIGHT_KAFKA_SASL_MECHANISM is not/);
    const on = messageOf(() => readSetting({
      FORESIGHT_KAFKA_TLS: 'true', FORESIGHT_KAFKA_TLS_CA_FILE: '/pki/missing.pem', FORESIGHT_KAFKA_TLS_CERT_FILE: '/pki/client.pem',
      FORESIGHT_KAFKA_SASL_MECHANISM: 'plain',
    }, kafkaSettings({}, fakeFiles)));
    assert.match(on, /FORESIGHT_KAFKA_TLS_CA_FILE: cannot read '\/pki\/missing.pem' \(ENOENT\)/);
    assert.match(on, /FORESIGHT_KAFKA_TLS_KEY_FILE: must be set together with FORESIGHT_KAFKA_TLS_CERT_FILE/);
    assert.match(on, /FORESIGHT_KAFKA_SASL_USERNAME: required when FORESIGHT_KAFKA_SASL_MECHANISM is set/);
    assert.match(on, /FORESIGHT_KAFKA_SASL_PASSWORD: required when FORESIGHT_KAFKA_SASL_MECHANISM is set/);
  });

  it('reject an explicit Neo4j encryption flag on a +s URI and OTLP metrics without an endpoint', () => {
    assert.match(messageOf(() => readSetting({ FORESIGHT_NEO4J_URI: 'neo4j+s://x.databases.neo4j.io', FORESIGHT_NEO4J_ENCRYPTED: 'false' }, neo4jSettings())),
      /FORESIGHT_NEO4J_ENCRYPTED: must be unset with a \+s \/ \+ssc URI scheme/);
    assert.match(messageOf(() => readSetting({ FORESIGHT_OTLP_METRICS_INTERVAL: '30s' }, serviceSettings())),
      /FORESIGHT_OTLP_METRICS_INTERVAL: set but FORESIGHT_OTLP_ENDPOINT is not/);
    assert.deepEqual(readSetting({ FORESIGHT_OTLP_ENDPOINT: 'http://collector:4318', FORESIGHT_OTLP_METRICS_INTERVAL: '15s', FORESIGHT_SHUTDOWN_TIMEOUT: '2s' }, serviceSettings()), {
      logLevel: 'info', httpHost: '127.0.0.1', httpPort: 0, otlpEndpoint: 'http://collector:4318', otlpMetricsIntervalMs: 15_000, shutdownTimeoutMs: 2_000, stallAfterMs: 60_000,
    });
  });

  it('reject a shutdown timeout under 100ms or over a day (a longer timer would fire at once)', () => {
    for (const bad of ['0', '50ms', '25d']) {
      assert.match(messageOf(() => readSetting({ FORESIGHT_SHUTDOWN_TIMEOUT: bad }, serviceSettings())), /FORESIGHT_SHUTDOWN_TIMEOUT: expected a duration of 100ms\.\.1d/, bad);
    }
  });
});
