import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessDeniedHint } from '../src/config/access-denied-hint.js';

describe('accessDeniedHint', () => {
  it("names the settings behind each server's refusal", () => {
    const cases: [string, string, RegExp][] = [
      ['kafka', 'cannot connect: SASL SCRAM SHA512 authentication failed: ... invalid credentials', /FORESIGHT_KAFKA_SASL_USERNAME and FORESIGHT_KAFKA_SASL_PASSWORD/],
      ['kafka consumers', 'cannot read the partitions of t.x: Not authorized to access topics: [Topic authorization failed]', /ACLs of FORESIGHT_KAFKA_SASL_USERNAME's principal/],
      ['kafka', "registry refused the schema of subject 't.hosts-value' (401): foresight - Unauthorized", /FORESIGHT_SCHEMA_REGISTRY_USERNAME and FORESIGHT_SCHEMA_REGISTRY_PASSWORD/],
      ['redis', 'redis init: Connection is closed. (the server answered: WRONGPASS invalid username-password pair)', /FORESIGHT_REDIS_USERNAME and FORESIGHT_REDIS_PASSWORD/],
      ['neo4j', 'neo4j init: The client is unauthorized due to authentication failure.', /FORESIGHT_NEO4J_USER and FORESIGHT_NEO4J_PASSWORD/],
      ['redis', 'redis init: self-signed certificate in certificate chain', /FORESIGHT_REDIS_TLS_CA_FILE/],
      ['kafka', 'schema registry at https://r:8081 unreachable: unable to verify the first certificate', /FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE/],
      ['kafka', 'cannot connect to Kafka: self-signed certificate in certificate chain', /FORESIGHT_KAFKA_TLS_CA_FILE/],
    ];
    for (const [step, message, expected] of cases) assert.match(accessDeniedHint(step, message), expected, `${step}: ${message}`);
  });

  it('adds nothing to a failure that is not a refusal', () => {
    assert.equal(accessDeniedHint('kafka', 'cannot connect to Kafka at 127.0.0.1:9092: Connection error: connect ECONNREFUSED 127.0.0.1:9092'), '');
    assert.equal(accessDeniedHint('redis', 'redis init: Connection is closed.'), '');
  });
});
