// Issue 16, finding 3: one valid event dated ten years ahead wiped the topology (the builder's clock jumped to it and
// its sweep judged every other pathway stale). The services now dead-letter an event time more than
// FORESIGHT_MAX_EVENT_FUTURE ahead of their wall clock, with a reason, and go on with the next record.
// The real topology builder (`foresight run topology-builder`) on the real Kafka, registry and Neo4j.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { deadLetterTopicFor, type FlowEvent, type InventoryEvent } from '@foresight/contracts';
import { DEAD_LETTER_HEADERS, KafkaBus } from '@foresight/messaging';
import { Neo4jGraphStore } from '@foresight/stores';
import type { KafkaMessage } from 'kafkajs';
import { eventually, newTestWorld, type TestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { awaitReady, describeLogs, startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';

const world = newTestWorld('event-time');
/** The second test's world: the bound turned off, the builder's own clock alone. */
const unbounded = newTestWorld('event-time-off');
const kafka = rawKafka(`event-time-${world.id}`);
const graph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace: world.id });
const unboundedGraph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace: unbounded.id });
const TEN_YEARS = 10 * 365 * 24 * 3_600_000;
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  const state = { dropPrefix: () => Promise.resolve(), close: () => Promise.resolve() };
  await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state });
  await dropStackWorld(kafka, { topicPrefix: unbounded.topicPrefix, graph: unboundedGraph, state });
});

/** `foresight run topology-builder` in `w`, fast ticks and flushes, one partition per topic. */
function startBuilder(w: TestWorld, env: Readonly<Record<string, string>>): ServiceProcess {
  return startService(`topology-builder ${w.id}`, 'topology-builder', {
    FORESIGHT_TOPIC_PREFIX: w.topicPrefix,
    FORESIGHT_NEO4J_NAMESPACE: w.id,
    FORESIGHT_HTTP_PORT: '0',
    FORESIGHT_LOG_LEVEL: 'info',
    FORESIGHT_SHUTDOWN_TIMEOUT: '5s',
    FORESIGHT_TICK_INTERVAL: '200ms',
    FORESIGHT_KAFKA_SESSION_TIMEOUT: '6s',
    FORESIGHT_KAFKA_HEARTBEAT_INTERVAL: '500ms',
    FORESIGHT_KAFKA_MAX_WAIT: '100ms',
    FORESIGHT_KAFKA_PARTITIONS: '1',
    FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '100ms',
    FORESIGHT_TOPOLOGY_SWEEP_INTERVAL: '200ms',
    ...env,
  });
}

function vm(vmId: string, at: number, w = world): InventoryEvent {
  const resources = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };
  return {
    eventId: `${w.id}-inv-${vmId}`, eventTime: at, vmId, removed: false, hostId: 'h-1', groupId: 'g', systemId: 'sys',
    capacity: resources, allocation: resources, criticality: 0.5, labels: {},
  };
}

function flow(eventId: string, source: string, target: string, at: number, w = world): FlowEvent {
  return {
    eventId: `${w.id}-${eventId}`, eventTime: at, source, target, kind: 'API_CALL', windowStart: at - 60_000, windowEnd: at,
    bandwidthMbps: 10, callsPerSec: 100, latencyP50Ms: 5, latencyP99Ms: 20, errorRate: 0.01,
  };
}

async function storedPathways(store = graph): Promise<string[]> {
  return (await store.loadTopology()).pathways.map((p) => `${p.source}>${p.target}`).sort();
}

test('a flow dated ten years ahead lands on flows.dlq with its reason, and a valid flow after it is applied', { timeout: 180_000 }, async (t) => {
  let builder: ServiceProcess | undefined;
  try {
    builder = startBuilder(world, {});
    const running = builder;
    cleanups.push(async () => void (await stopService(running, 5_000)));
    await awaitReady(builder, 90_000);

    const bus = await KafkaBus.connect({ connection: stackConnection(`event-time-${world.id}`), topicPrefix: world.topicPrefix, partitions: 1, topics: ['inventory', 'flows'] });
    cleanups.push(() => bus.close());
    const now = Date.now();
    await bus.publish('inventory', ['a', 'b', 'c'].map((id) => vm(id, now)));
    await bus.publish('flows', [flow('a-b', 'a', 'b', now)]);
    await eventually('the builder to store a>b', async () => ((await storedPathways()).includes('a>b') ? true : undefined), 60_000);

    // The outlier, then a valid flow behind it on the same partition.
    const future = flow('future', 'a', 'c', now + TEN_YEARS);
    await bus.publish('flows', [future]);
    await bus.publish('flows', [flow('b-c', 'b', 'c', Date.now())]);

    await eventually('the valid flow behind the outlier to be applied', async () => ((await storedPathways()).includes('b>c') ? true : undefined), 60_000);
    const letters = await readAll(deadLetterTopicFor(world.topicPrefix, 'flows'), 1);
    assert.equal(letters.length, 1);
    const headers = Object.fromEntries(Object.entries(letters[0].headers ?? {}).map(([k, v]) => [k, String(v)]));
    assert.equal(headers[DEAD_LETTER_HEADERS.code], 'EVENT_TIME_OUT_OF_BOUNDS');
    assert.match(headers[DEAD_LETTER_HEADERS.reason], new RegExp(`^flows: \\$\\.eventTime ${future.eventTime} \\(20\\d\\d-.*\\) is \\d+ ms ahead of the consumer's clock \\d+ .*; at most 300000 ms ahead is accepted$`));
    assert.equal(letters[0].key?.toString(), 'a');
    // The builder's view is intact: the outlier never reached it, the pathways observed before it are kept.
    const stored = await storedPathways();
    assert.deepEqual(stored, ['a>b', 'b>c']);
    t.diagnostic(`dead letter: ${headers[DEAD_LETTER_HEADERS.reason]}`);
  } catch (error) {
    if (builder !== undefined) t.diagnostic(describeLogs([builder]));
    throw error;
  }
});

test('with the bound turned off, one flow ten years ahead no longer sweeps the other pathways away (the builder\'s own clock)', { timeout: 180_000 }, async (t) => {
  const builder = startBuilder(unbounded, { FORESIGHT_MAX_EVENT_FUTURE: '0' });
  cleanups.push(async () => void (await stopService(builder, 5_000)));
  try {
    await awaitReady(builder, 90_000);
    const bus = await KafkaBus.connect({ connection: stackConnection(`event-time-off-${unbounded.id}`), topicPrefix: unbounded.topicPrefix, partitions: 1, topics: ['inventory', 'flows'] });
    cleanups.push(() => bus.close());
    const vms = ['a', 'b', 'c', 'd', 'e', 'f'];
    const ring = vms.map((v, i) => `${v}>${vms[(i + 1) % vms.length]}`).sort();
    const now = Date.now();
    await bus.publish('inventory', vms.map((id) => vm(id, now, unbounded)));
    await bus.publish('flows', vms.map((v, i) => flow(`ring-${v}`, v, vms[(i + 1) % vms.length], now, unbounded)));
    await eventually('the builder to store the ring', async () => {
      const stored = await storedPathways(unboundedGraph);
      return ring.every((p) => stored.includes(p)) ? true : undefined;
    }, 60_000);
    await bus.publish('flows', [flow('future', 'a', 'c', now + TEN_YEARS, unbounded)]);
    await bus.publish('flows', [flow('after', 'b', 'd', Date.now(), unbounded)]);
    // Before the fix the outlier's flush swept the ring away at once, and nothing after it was ever flushed (the clock
    // stayed ten years ahead): each later flow is stored only after that flush, at later sweeps of the wall clock.
    await eventually('the flow after the outlier to be applied', async () => ((await storedPathways(unboundedGraph)).includes('b>d') ? true : undefined), 30_000);
    await bus.publish('flows', [flow('later', 'c', 'e', Date.now() + 1_000, unbounded)]);
    await eventually('a later flow to be applied', async () => ((await storedPathways(unboundedGraph)).includes('c>e') ? true : undefined), 60_000);
    const stored = await storedPathways(unboundedGraph);
    for (const pathway of ring) assert.ok(stored.includes(pathway), `${pathway} was swept away: ${stored.join(', ')}`);
  } catch (error) {
    t.diagnostic(describeLogs([builder]));
    throw error;
  }
});

/** The first `count` records of `topic` (from its beginning), read by a group of the test's own. */
async function readAll(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `${world.groupId}.dlq-reader` });
  await consumer.connect();
  cleanups.push(() => consumer.disconnect());
  const messages: KafkaMessage[] = [];
  await eventually(`${topic} to exist`, async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).includes(topic) ? true : undefined;
    } finally {
      await admin.disconnect();
    }
  }, 30_000);
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void messages.push(message)) });
  await eventually(`${count} record(s) on ${topic}`, () => (messages.length >= count ? true : undefined), 30_000);
  await consumer.stop();
  return messages;
}
