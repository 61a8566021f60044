#!/usr/bin/env node
// The admin step of a Kafka where topics are not auto-created and every principal needs ACLs (the secured profile of
// infra/stack.sh, or production): for one topic prefix, creates every topic of the contracts with its .dlq topic, and
// grants each service principal what it needs on them and nothing else.
//
//   node infra/secure/kafka-admin.mjs provision <prefix>   topics (idempotent) and ACLs for <prefix>
//   node infra/secure/kafka-admin.mjs revoke <prefix>      removes the ACLs provision granted for <prefix>
//   bash infra/stack.sh kafka-admin --secure provision <prefix>   the same against the secured stack
//
// Connection: the services' own FORESIGHT_KAFKA_* variables (brokers, TLS, CA file, SASL), as a principal allowed to
// create topics and ACLs (the stack's `admin`); FORESIGHT_KAFKA_PARTITIONS (default 3) for new topics.
// Principals: one per service (its name) and `producer`, for what writes the telemetry topics.
import { readFileSync } from 'node:fs';
import kafkajs from 'kafkajs';
import { deadLetterTopicFor, topicFor, topicNames } from '@foresight/contracts';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

/** What each principal reads (consumes, with a consumer group named `<prefix><principal>…`) and writes. */
export const ROLES = {
  'topology-builder': { reads: ['inventory', 'hosts', 'flows'], writes: ['topology-changes'] },
  'propagation-scorer': { reads: ['anomalies', 'topology-changes', 'model'], writes: ['risk'] },
  allocator: { reads: ['risk', 'hosts', 'inventory', 'allocation-outcomes', 'model'], writes: ['allocations'] },
  learner: { reads: ['anomalies', 'risk', 'allocations', 'allocation-outcomes', 'model'], writes: ['evaluations', 'model'] },
  producer: { reads: [], writes: ['inventory', 'hosts', 'flows', 'anomalies', 'allocation-outcomes'] },
};

function connection(env = process.env) {
  const tls = /^(true|1|yes|on)$/i.test(env.FORESIGHT_KAFKA_TLS ?? '');
  const ca = env.FORESIGHT_KAFKA_TLS_CA_FILE ? readFileSync(env.FORESIGHT_KAFKA_TLS_CA_FILE, 'utf8') : undefined;
  const mechanism = env.FORESIGHT_KAFKA_SASL_MECHANISM?.toLowerCase();
  return {
    clientId: 'foresight-kafka-admin',
    brokers: (env.FORESIGHT_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    ...(tls ? { ssl: ca ? { ca } : true } : {}),
    ...(mechanism ? { sasl: { mechanism, username: env.FORESIGHT_KAFKA_SASL_USERNAME ?? '', password: env.FORESIGHT_KAFKA_SASL_PASSWORD ?? '' } } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
  };
}

/** Every ACL binding provision grants for a prefix (literal topics, prefixed groups, idempotent writes). */
export function aclsFor(prefix) {
  const acls = [];
  const allow = (principal, resourceType, resourceName, patternType, operation) => acls.push({
    resourceType, resourceName, resourcePatternType: patternType, principal: `User:${principal}`, host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
  });
  const topic = (principal, name, operation) => allow(principal, AclResourceTypes.TOPIC, name, ResourcePatternTypes.LITERAL, operation);
  for (const [principal, { reads, writes }] of Object.entries(ROLES)) {
    for (const t of reads) {
      topic(principal, topicFor(prefix, t), AclOperationTypes.READ);
      topic(principal, topicFor(prefix, t), AclOperationTypes.DESCRIBE);
      // A consumer dead-letters what it cannot handle next to the topic.
      topic(principal, deadLetterTopicFor(prefix, t), AclOperationTypes.WRITE);
      topic(principal, deadLetterTopicFor(prefix, t), AclOperationTypes.DESCRIBE);
    }
    for (const t of writes) {
      topic(principal, topicFor(prefix, t), AclOperationTypes.WRITE);
      topic(principal, topicFor(prefix, t), AclOperationTypes.DESCRIBE);
    }
    if (reads.length > 0) {
      allow(principal, AclResourceTypes.GROUP, `${prefix}${principal}`, ResourcePatternTypes.PREFIXED, AclOperationTypes.READ);
      allow(principal, AclResourceTypes.GROUP, `${prefix}${principal}`, ResourcePatternTypes.PREFIXED, AclOperationTypes.DESCRIBE);
    }
    allow(principal, AclResourceTypes.CLUSTER, 'kafka-cluster', ResourcePatternTypes.LITERAL, AclOperationTypes.IDEMPOTENT_WRITE);
  }
  return acls;
}

async function provision(admin, prefix, partitions) {
  const wanted = topicNames.flatMap((t) => [topicFor(prefix, t), deadLetterTopicFor(prefix, t)]);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions })) });
  }
  const acls = aclsFor(prefix);
  await admin.createAcls({ acl: acls });
  return `provisioned '${prefix}': ${missing.length} topics created (${wanted.length - missing.length} existed), ${acls.length} ACL bindings for ${Object.keys(ROLES).join(', ')}`;
}

async function revoke(admin, prefix) {
  // Topic and group ACLs of this prefix only; the cluster-wide IDEMPOTENT_WRITE stays (it names no prefix).
  const filters = aclsFor(prefix).filter((a) => a.resourceType !== AclResourceTypes.CLUSTER);
  const { filterResponses } = await admin.deleteAcls({ filters });
  const removed = filterResponses.reduce((sum, r) => sum + r.matchingAcls.length, 0);
  return `revoked ${removed} ACL bindings of '${prefix}'`;
}

const [command, prefix] = process.argv.slice(2);
if (!['provision', 'revoke'].includes(command) || !prefix || !/^[A-Za-z0-9._-]+$/.test(prefix)) {
  console.error('usage: node infra/secure/kafka-admin.mjs provision|revoke <topic-prefix>   (letters, digits, . _ -)');
  process.exit(2);
}
const partitions = Number(process.env.FORESIGHT_KAFKA_PARTITIONS ?? 3);
const admin = new Kafka(connection()).admin();
try {
  await admin.connect();
  console.log(command === 'provision' ? await provision(admin, prefix, partitions) : await revoke(admin, prefix));
  await admin.disconnect();
} catch (error) {
  await admin.disconnect().catch(() => undefined);
  console.error(`kafka-admin ${command} '${prefix}' failed: ${error?.message ?? error}`);
  process.exit(1);
}
