import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newTestWorld } from '../support/test-world.js';
import { startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';
import kafkajs from 'kafkajs';
import { SECURED, kafkaAdminStep, serviceCredentials, stackKafkaConnection } from './fixtures/stack-access.js';

/**
 * A service the secured stack refuses (wrong password, missing ACL) stops at start-up with one line on stderr naming
 * the setting to check and the server's answer, exit code 1, no stack trace. Runs on the secured profile only
 * (npm run test:secure, which exports its settings).
 */
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } = kafkajs;

/** Removes the group ACLs the admin step granted `principal` under `prefix` (its topics stay allowed). */
async function revokeGroupAcls(prefix: string, principal: string): Promise<void> {
  const { brokers, clientId, ssl, sasl } = stackKafkaConnection('secure-denied-admin');
  const admin = new Kafka({ brokers: [...brokers], clientId, ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteAcls({ filters: [{
      resourceType: AclResourceTypes.GROUP, resourceName: `${prefix}${principal}`, resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: `User:${principal}`, host: '*', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ALLOW,
    }] });
  } finally {
    await admin.disconnect();
  }
}

describe('a service refused by the secured stack', () => {
  const world = newTestWorld('secure-denied');
  const started: ServiceProcess[] = [];

  before(async () => {
    assert.ok(SECURED, 'needs the secured profile: run it with npm run test:secure (bash infra/stack.sh env --secure)');
    await kafkaAdminStep('provision', world.topicPrefix);
  });

  after(async () => {
    await Promise.allSettled(started.map((s) => stopService(s, 2_000)));
    await kafkaAdminStep('revoke', world.topicPrefix).catch(() => undefined);
  });

  /** Starts a service with `overrides` on top of its own principal; resolves with its exit code and stderr lines. */
  async function refused(service: string, overrides: Record<string, string>, killAfterMs = 60_000): Promise<{ code: number | null; stderr: string[] }> {
    const process = startService(`${service}-denied`, service, {
      FORESIGHT_TOPIC_PREFIX: world.topicPrefix,
      FORESIGHT_NEO4J_NAMESPACE: world.id,
      FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix,
      FORESIGHT_HTTP_PORT: '0',
      FORESIGHT_LOG_LEVEL: 'silent',
      ...serviceCredentials(service),
      ...overrides,
    });
    started.push(process);
    const timer = setTimeout(() => process.child.kill('SIGKILL'), killAfterMs);
    const { code } = await process.exited;
    clearTimeout(timer);
    return { code, stderr: process.lines.filter((line) => line.startsWith('[stderr] ')).map((line) => line.slice('[stderr] '.length)) };
  }

  /** Exactly one line, the start-up failure, and no stack frame anywhere. */
  function theOneLine(stderr: readonly string[]): string {
    const lines = stderr.filter((line) => line.trim() !== '' && !line.includes('DeprecationWarning') && !line.includes('--trace-deprecation'));
    assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr.join('\n')}`);
    assert.ok(!stderr.some((line) => /^\s+at /.test(line)), `no stack trace:\n${stderr.join('\n')}`);
    return lines[0];
  }

  it('a wrong Kafka password: names FORESIGHT_KAFKA_SASL_* and quotes the broker', { timeout: 90_000 }, async () => {
    const { code, stderr } = await refused('topology-builder', { FORESIGHT_KAFKA_SASL_PASSWORD: 'not-the-password' });
    assert.equal(code, 1);
    assert.match(theOneLine(stderr),
      /^topology-builder: start-up failed: kafka: .*invalid credentials with SASL mechanism SCRAM-SHA-512 \(check FORESIGHT_KAFKA_SASL_USERNAME and FORESIGHT_KAFKA_SASL_PASSWORD\)$/);
  });

  it('a principal without ACLs on its topics: names its ACLs and quotes the broker', { timeout: 90_000 }, async () => {
    // A prefix the admin step never provisioned: no topic there, and no ACL for the topology builder's principal.
    const { code, stderr } = await refused('topology-builder', { FORESIGHT_TOPIC_PREFIX: `${world.topicPrefix}unprovisioned.` });
    assert.equal(code, 1);
    assert.match(theOneLine(stderr), /^topology-builder: start-up failed: kafka consumers: .*Not authorized to access (topics|group).* \(check the ACLs of FORESIGHT_KAFKA_SASL_USERNAME's principal/);
  });

  it('a principal allowed its topics but not its consumer group: stops, naming its ACLs', { timeout: 120_000 }, async () => {
    // Kafka answers FindCoordinator for a group the principal may not use with GROUP_AUTHORIZATION_FAILED, which
    // kafkajs swallows into "Failed to find group coordinator" and retries for ever: the service used to hang.
    const prefix = `${world.topicPrefix}nogroup.`;
    await kafkaAdminStep('provision', prefix);
    try {
      await revokeGroupAcls(prefix, 'topology-builder');
      const { code, stderr } = await refused('topology-builder', { FORESIGHT_TOPIC_PREFIX: prefix }, 110_000);
      assert.equal(code, 1);
      assert.match(theOneLine(stderr),
        /^topology-builder: (start-up )?failed: kafka consumers: consumer group '.*topology-builder' stopped for good: .*not authorized to access the group.* \(check the ACLs of FORESIGHT_KAFKA_SASL_USERNAME's principal/);
    } finally {
      await kafkaAdminStep('revoke', prefix).catch(() => undefined);
    }
  });

  it('a wrong Redis password: names FORESIGHT_REDIS_* and quotes Redis', { timeout: 90_000 }, async () => {
    const { code, stderr } = await refused('allocator', { FORESIGHT_REDIS_PASSWORD: 'not-the-password' });
    assert.equal(code, 1);
    assert.match(theOneLine(stderr), /^allocator: start-up failed: redis: .*WRONGPASS.* \(check FORESIGHT_REDIS_USERNAME and FORESIGHT_REDIS_PASSWORD\)$/);
  });

  it('a wrong registry password: names FORESIGHT_SCHEMA_REGISTRY_* and quotes the registry', { timeout: 90_000 }, async () => {
    const { code, stderr } = await refused('topology-builder', { FORESIGHT_SCHEMA_REGISTRY_PASSWORD: 'not-the-password' });
    assert.equal(code, 1);
    assert.match(theOneLine(stderr), /^topology-builder: start-up failed: kafka: .*\(401\).*Unauthorized.* \(check FORESIGHT_SCHEMA_REGISTRY_USERNAME and FORESIGHT_SCHEMA_REGISTRY_PASSWORD\)$/);
  });

  it('a wrong Neo4j password: names FORESIGHT_NEO4J_USER/PASSWORD and quotes Neo4j', { timeout: 90_000 }, async () => {
    const { code, stderr } = await refused('topology-builder', { FORESIGHT_NEO4J_PASSWORD: 'not-the-password' });
    assert.equal(code, 1);
    assert.match(theOneLine(stderr), /^topology-builder: start-up failed: neo4j: .*unauthorized.* \(check FORESIGHT_NEO4J_USER and FORESIGHT_NEO4J_PASSWORD\)$/i);
  });
});
