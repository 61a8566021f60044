// Functional checks for the local real stack. Run by infra/stack.sh from .stack/probe (where its
// dependencies are installed), never imported by the workspace.
//
//   node probe.mjs kafka    <host:port>                 -> cluster metadata via the Kafka protocol
//   node probe.mjs neo4j    <bolt-uri> [user] [pass]    -> RETURN 1 over Bolt
//   node probe.mjs smoke    <kafka> <registry-url> <bolt-uri> [user] [pass]
//        -> end-to-end: Avro schema registered through the Confluent-compatible API, encoded
//           message produced to and consumed from Kafka, node written to and read from Neo4j.
// Exit code 0 on success, 1 on failure (message on stderr).
// Secured profile: PROBE_KAFKA_CA, PROBE_KAFKA_USER, PROBE_KAFKA_PASSWORD (SCRAM-SHA-512 over TLS), PROBE_NEO4J_CA,
// PROBE_NEO4J_PASSWORD, PROBE_REGISTRY_CA, PROBE_REGISTRY_USER, PROBE_REGISTRY_PASSWORD.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'noop.js'));
const [cmd, ...args] = process.argv.slice(2);

// Readiness probes fail fast (the caller polls); the smoke test keeps kafkajs' default retries, which
// it needs while the group coordinator (__consumer_offsets) is created on first use.
// The secured profile (stack.sh --secure) passes its CA and credentials in the environment, never on the command line.
const env = process.env;
const readCa = (file) => (file ? require('node:fs').readFileSync(file, 'utf8') : undefined);

function kafkaClient(broker, clientId, { failFast = true } = {}) {
  const { Kafka, logLevel } = require('kafkajs');
  const ca = readCa(env.PROBE_KAFKA_CA);
  return new Kafka({
    clientId,
    brokers: [broker],
    ...(ca ? { ssl: { ca } } : {}),
    ...(env.PROBE_KAFKA_USER ? { sasl: { mechanism: 'scram-sha-512', username: env.PROBE_KAFKA_USER, password: env.PROBE_KAFKA_PASSWORD ?? '' } } : {}),
    logLevel: logLevel.NOTHING, // failures surface as rejected promises
    connectionTimeout: 2000,
    requestTimeout: failFast ? 5000 : 30000,
    ...(failFast ? { retry: { retries: 0 } } : {}),
  });
}

async function probeKafka(broker) {
  const admin = kafkaClient(broker, 'foresight-stack-probe').admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.length || cluster.controller == null) throw new Error('no brokers/controller in metadata');
    await admin.listTopics();
    return `brokers=${cluster.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',')} controller=${cluster.controller}`;
  } finally {
    await admin.disconnect();
  }
}

function neo4jDriver(uri, user, pass) {
  const neo4j = require('neo4j-driver');
  const auth = user ? neo4j.auth.basic(user, pass ?? env.PROBE_NEO4J_PASSWORD ?? '') : undefined;
  const tls = env.PROBE_NEO4J_CA ? { encrypted: 'ENCRYPTION_ON', trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: [env.PROBE_NEO4J_CA] } : {};
  return { neo4j, driver: neo4j.driver(uri, auth, { connectionTimeout: 3000, maxConnectionPoolSize: 2, ...tls }) };
}

async function probeNeo4j(uri, user, pass) {
  const { driver } = neo4jDriver(uri, user, pass);
  try {
    const res = await driver.executeQuery('RETURN 1 AS one');
    const one = res.records[0].get('one').toNumber();
    if (one !== 1) throw new Error(`unexpected result ${one}`);
    const info = await driver.getServerInfo();
    return `server=${info.agent} protocol=${info.protocolVersion}`;
  } finally {
    await driver.close();
  }
}

async function smoke(broker, registryUrl, boltUri, user, pass) {
  const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
  const suffix = `${Date.now()}-${process.pid}`;
  const topic = `stack-smoke-${suffix}`;
  const subject = `${topic}-value`;

  // 1. Schema registry (Confluent-compatible API of Apicurio).
  const registryCa = readCa(env.PROBE_REGISTRY_CA);
  const registry = new SchemaRegistry({
    host: registryUrl,
    ...(env.PROBE_REGISTRY_USER ? { auth: { username: env.PROBE_REGISTRY_USER, password: env.PROBE_REGISTRY_PASSWORD ?? '' } } : {}),
    ...(registryCa ? { agent: new (require('node:https').Agent)({ ca: registryCa, keepAlive: true }) } : {}),
  });
  const schema = {
    type: 'record',
    name: 'SmokeEvent',
    namespace: 'dev.foresight.stack',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int' },
    ],
  };
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
  if (!Number.isInteger(id)) throw new Error(`registry returned non-integer id ${id}`);
  const idAgain = await registry.getLatestSchemaId(subject);
  if (idAgain !== id) throw new Error(`latest id ${idAgain} != registered id ${id}`);
  const payload = { id: suffix, n: 42 };
  const encoded = await registry.encode(id, payload);
  console.log(`registry: registered ${subject} id=${id}, encoded ${encoded.length} bytes`);

  // 2. Kafka: produce the encoded message, consume it back, decode through the registry.
  const kafka = kafkaClient(broker, 'foresight-stack-smoke', { failFast: false });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic, messages: [{ key: suffix, value: encoded }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `stack-smoke-${suffix}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const decoded = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message consumed within 60s')), 60000);
    consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    consumer
      .run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(await registry.decode(message.value));
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  if (decoded.id !== payload.id || decoded.n !== payload.n) {
    throw new Error(`decoded ${JSON.stringify(decoded)} != ${JSON.stringify(payload)}`);
  }
  console.log(`kafka: produced+consumed 1 Avro message on ${topic}, decoded ${JSON.stringify(decoded)}`);

  // 3. Neo4j over Bolt: write, read, delete.
  const { driver } = neo4jDriver(boltUri, user, pass);
  try {
    await driver.executeQuery('CREATE (:StackSmoke {id: $id})-[:SEES]->(:StackSmoke {id: $id + "-b"})', { id: suffix });
    const res = await driver.executeQuery(
      'MATCH (a:StackSmoke {id: $id})-[:SEES]->(b) RETURN b.id AS b', { id: suffix });
    if (res.records.length !== 1 || res.records[0].get('b') !== `${suffix}-b`) {
      throw new Error(`unexpected neo4j result ${JSON.stringify(res.records.map((r) => r.toObject()))}`);
    }
    await driver.executeQuery('MATCH (n:StackSmoke) WHERE n.id STARTS WITH $id DETACH DELETE n', { id: suffix });
    console.log('neo4j: created, matched and deleted a 2-node pattern over Bolt');
  } finally {
    await driver.close();
  }
}

const commands = {
  kafka: () => probeKafka(args[0]),
  neo4j: () => probeNeo4j(args[0], args[1], args[2]),
  smoke: () => smoke(args[0], args[1], args[2], args[3], args[4]),
};

if (!commands[cmd]) {
  console.error(`usage: node probe.mjs kafka|neo4j|smoke ...`);
  process.exit(2);
}
try {
  const out = await commands[cmd]();
  if (out) console.log(out);
  process.exit(0);
} catch (err) {
  console.error(`${cmd} probe failed: ${err?.message ?? err}`);
  process.exit(1);
}
