import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, kafkaConnection, kafkaSettings, neo4jSettings, readSetting, redisSettings, registrySettings, type FileReader } from '../src/index.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const files: Record<string, string> = { '/pki/ca.pem': CA, '/pki/not-a-cert.txt': 'hello' };
const fakeFiles: FileReader = (path) => {
  const content = files[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return content;
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => `${p.variable}: ${p.reason}`);
  }
  return assert.fail('expected a ConfigError');
}

describe('custom CA files for Redis, Neo4j and the schema registry', () => {
  it('Redis: FORESIGHT_REDIS_TLS_CA_FILE gives TLS trusting that CA', () => {
    const redis = readSetting({ FORESIGHT_REDIS_TLS: 'true', FORESIGHT_REDIS_TLS_CA_FILE: '/pki/ca.pem' }, redisSettings(fakeFiles));
    assert.deepEqual(redis.tls, { ca: CA });
  });

  it('Redis: a CA file without TLS, unreadable or without a certificate is a problem naming the variable', () => {
    assert.deepEqual(problemsOf(() => readSetting({ FORESIGHT_REDIS_TLS_CA_FILE: '/pki/ca.pem' }, redisSettings(fakeFiles))),
      ['FORESIGHT_REDIS_TLS_CA_FILE: set but FORESIGHT_REDIS_TLS is off']);
    assert.deepEqual(problemsOf(() => readSetting({ FORESIGHT_REDIS_TLS: 'on', FORESIGHT_REDIS_TLS_CA_FILE: '/pki/none.pem' }, redisSettings(fakeFiles))),
      ["FORESIGHT_REDIS_TLS_CA_FILE: cannot read '/pki/none.pem' (ENOENT)"]);
    assert.deepEqual(problemsOf(() => readSetting({ FORESIGHT_REDIS_TLS: 'on', FORESIGHT_REDIS_TLS_CA_FILE: '/pki/not-a-cert.txt' }, redisSettings(fakeFiles))),
      ["FORESIGHT_REDIS_TLS_CA_FILE: '/pki/not-a-cert.txt' holds no PEM certificate"]);
  });

  it('Neo4j: FORESIGHT_NEO4J_TLS_CA_FILE turns TLS on and trusts only that CA (the driver reads the path)', () => {
    const neo4j = readSetting({ FORESIGHT_NEO4J_URI: 'bolt://db:7687', FORESIGHT_NEO4J_TLS_CA_FILE: '/pki/ca.pem' }, neo4jSettings(fakeFiles));
    assert.deepEqual(neo4j, { uri: 'bolt://db:7687', encrypted: true, trust: 'CUSTOM_CA', trustedCertificates: ['/pki/ca.pem'] });
  });

  it('Neo4j: a CA file with a +s scheme, with encryption off, or unreadable is refused', () => {
    assert.deepEqual(problemsOf(() => readSetting({ FORESIGHT_NEO4J_URI: 'neo4j+s://db:7687', FORESIGHT_NEO4J_TLS_CA_FILE: '/pki/ca.pem' }, neo4jSettings(fakeFiles))),
      ['FORESIGHT_NEO4J_TLS_CA_FILE: must be unset with a +s / +ssc URI scheme (use bolt:// or neo4j://)']);
    assert.deepEqual(problemsOf(() => readSetting({ FORESIGHT_NEO4J_ENCRYPTED: 'false', FORESIGHT_NEO4J_TLS_CA_FILE: '/pki/none.pem' }, neo4jSettings(fakeFiles))),
      ['FORESIGHT_NEO4J_TLS_CA_FILE: set but FORESIGHT_NEO4J_ENCRYPTED is false', "FORESIGHT_NEO4J_TLS_CA_FILE: cannot read '/pki/none.pem' (ENOENT)"]);
  });

  it('registry: FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE reaches the connection with the basic auth', () => {
    const env = {
      FORESIGHT_SCHEMA_REGISTRY_URL: 'https://registry:8081/apis/ccompat/v7', FORESIGHT_SCHEMA_REGISTRY_USERNAME: 'svc',
      FORESIGHT_SCHEMA_REGISTRY_PASSWORD: 'pw', FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE: '/pki/ca.pem',
    };
    const connection = kafkaConnection(readSetting(env, kafkaSettings()), readSetting(env, registrySettings(fakeFiles)));
    assert.deepEqual(connection.registry, { url: env.FORESIGHT_SCHEMA_REGISTRY_URL, auth: { username: 'svc', password: 'pw' }, ca: CA });
  });

  it('registry: a CA file with an http URL is refused', () => {
    assert.deepEqual(problemsOf(() => readSetting({ FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE: '/pki/ca.pem' }, registrySettings(fakeFiles))),
      ['FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE: set but FORESIGHT_SCHEMA_REGISTRY_URL is not https']);
  });
});
