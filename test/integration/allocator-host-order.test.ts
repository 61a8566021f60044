import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import avro from 'avsc';
import { topicSchemas, type AllocationCommand, type HostEvent, type InventoryEvent, type RiskAssessment } from '@foresight/contracts';
import { KafkaBus, SchemaRegistryClient, consumerOf } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { eventually, newTestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { awaitReady, describeLogs, startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';

// Each host has room for exactly one grant (1000 millicores; a cpu_saturation grant at severity 1 is 1000). Incident
// X<i> is granted VM a<i>, then closes (RELEASE a<i>), then incident Y<i> is granted VM b<i> on the same host: the
// ledger is never over capacity, and neither may an actuator be that applies what it consumes in order.
const HOSTS = 6;
const ROOM = 1_000;
const hostIds = Array.from({ length: HOSTS }, (_, i) => `host-${i}`);
const vmA = (i: number): string => `vm-a-${i}`;
const vmB = (i: number): string => `vm-b-${i}`;

/** A command as the probe consumed it: its partition and offset. */
interface Consumed { readonly command: AllocationCommand; readonly partition: number; readonly offset: number }

function assessment(incidentId: string, version: number, at: number, vmId: string | undefined, hostId: string): RiskAssessment {
  return {
    eventId: `risk-${incidentId}-${version}`, eventTime: at, incidentId, version, status: vmId === undefined ? 'CLOSED' : 'OPEN', systemId: 'sys',
    anomalyType: 'cpu_saturation', severity: 1, estimator: 'most-probable-path', sources: [{ vmId: 'vm-src', onsetAt: at - 100 }], modelVersion: 1, generatedAt: at,
    atRisk: vmId === undefined ? [] : [{ vmId, hostId, probability: 0.9, etaMs: 60_000, path: ['vm-src', vmId], contributions: [] }],
  };
}

/** What a lease command changes on its host (ENFORCE): + what a GRANT or ADJUST adds, − what a RELEASE frees. */
function deltas(commands: readonly AllocationCommand[]): number[] {
  const held = new Map<string, number>();
  return commands.map((c) => {
    const pair = `${c.incidentId}/${c.vmId}`;
    const before = held.get(pair) ?? 0;
    const after = c.action === 'RELEASE' ? 0 : c.resources.cpuMillis;
    if (c.action === 'RELEASE') held.delete(pair);
    else held.set(pair, after);
    return after - before;
  });
}

const maxPrefix = (values: readonly number[]): number => values.reduce((acc, v) => ({ sum: acc.sum + v, max: Math.max(acc.max, acc.sum + v) }), { sum: 0, max: 0 }).max;

describe('allocator: what an actuator sees of one host', () => {
  const world = newTestWorld('allocator-host-order');
  const kafka = rawKafka('allocator-host-order-test');
  const graph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace: world.id });
  const state = new RedisStateStore({ keyPrefix: world.keyPrefix });
  let bus: KafkaBus | undefined;
  let allocator: ServiceProcess | undefined;

  const subject = `${world.topicPrefix}allocations-evolution-value`;

  after(async () => {
    await fetch(`${stackConnection('allocator-host-order').registry.url}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' }).catch(() => undefined);
    if (allocator !== undefined) await stopService(allocator, 5_000);
    await bus?.close();
    await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state });
  });

  it('the command schema with hostSequence and ledgerEpoch is backward compatible: the registry accepts it, and old records read with defaults', async () => {
    const registryUrl = stackConnection('allocator-host-order').registry.url;
    const current = topicSchemas.allocations.schema as unknown as { fields: { name: string }[] };
    const previous = { ...current, fields: current.fields.filter((f) => f.name !== 'hostSequence' && f.name !== 'ledgerEpoch') };
    assert.equal(previous.fields.length, current.fields.length - 2);
    const registry = new SchemaRegistryClient({ url: registryUrl });
    const v1 = await registry.register(subject, JSON.stringify(previous));
    const config = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    assert.equal(config.status, 200, await config.text());
    assert.notEqual(await registry.register(subject, JSON.stringify(current)), v1);
    const oldType = avro.Type.forSchema(previous as unknown as avro.Schema);
    const newType = avro.Type.forSchema(current as unknown as avro.Schema);
    const old = {
      eventId: 'c', eventTime: 1, commandId: 'c', incidentId: 'i', vmId: 'v', hostId: 'h', action: 'GRANT', resources: { cpuMillis: 1, memoryMiB: 0, networkMbps: 0 },
      leaseExpiresAt: 2, mode: 'ENFORCE', reason: { probability: 0.5, etaMs: 0, path: [], why: 'at_risk' },
    };
    const read = newType.fromBuffer(oldType.toBuffer(old), newType.createResolver(oldType)) as AllocationCommand;
    assert.equal(read.hostSequence, 0);
    assert.equal(read.ledgerEpoch, '');
  });

  it('one host\'s commands share a partition in ledger order, numbered by hostSequence: applied in order, no host is ever over its room', { timeout: 120_000 }, async (t) => {
    try {
      await state.init();
      allocator = startService('allocator', 'allocator', {
        FORESIGHT_TOPIC_PREFIX: world.topicPrefix,
        FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix,
        FORESIGHT_NEO4J_NAMESPACE: world.id,
        FORESIGHT_HTTP_PORT: '0',
        FORESIGHT_LOG_LEVEL: 'info',
        FORESIGHT_SHUTDOWN_TIMEOUT: '5s',
        FORESIGHT_TICK_INTERVAL: '100ms',
        FORESIGHT_KAFKA_MAX_WAIT: '100ms',
        FORESIGHT_ALLOCATOR_BUDGET_CPU_MILLIS: '1000000',
        FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE: '100000',
      });
      await awaitReady(allocator, 60_000);

      bus = await KafkaBus.connect({ connection: stackConnection('allocator-host-order-probe'), topicPrefix: world.topicPrefix, maxWaitTimeMs: 100, topics: ['hosts', 'inventory', 'risk'] });
      const consumed: Consumed[] = [];
      await bus.startConsumers([consumerOf({
        topic: 'allocations', groupId: `${world.groupId}.allocations`,
        handle: (command, context) => { consumed.push({ command, partition: context.partition, offset: Number(context.offset) }); return Promise.resolve(); },
      })]);
      await eventually('the probe to join', () => (bus?.health().ready === true ? true : undefined), 30_000);

      const t0 = Date.now();
      const hosts: HostEvent[] = hostIds.map((hostId) => ({ eventId: `host-${hostId}`, eventTime: t0, hostId, removed: false, capacity: { cpuMillis: ROOM, memoryMiB: 100_000, networkMbps: 100_000 } }));
      const inventory: InventoryEvent[] = hostIds.flatMap((hostId, i) => [vmA(i), vmB(i)].map((vmId) => ({
        eventId: `vm-${vmId}`, eventTime: t0, vmId, removed: false, hostId, groupId: 'g', systemId: 'sys',
        capacity: { cpuMillis: 4_000, memoryMiB: 8_192, networkMbps: 1_000 }, allocation: { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 }, criticality: 0.5, labels: {},
      })));
      await bus.publish('hosts', hosts);
      await bus.publish('inventory', inventory);
      await eventually('every host in the ledger', async () => ((await state.hostLedgers(hostIds)).every((l) => l?.capacity.cpuMillis === ROOM) ? true : undefined), 30_000);

      const count = (action: string): number => consumed.filter((c) => c.command.action === action).length;
      await bus.publish('risk', hostIds.map((hostId, i) => assessment(`X${i}`, 1, t0 + 10, vmA(i), hostId)));
      await eventually('every a granted', () => (count('GRANT') === HOSTS ? true : undefined), 30_000);
      await bus.publish('risk', hostIds.map((hostId, i) => assessment(`X${i}`, 2, t0 + 20, undefined, hostId)));
      await eventually('every a released', () => (count('RELEASE') === HOSTS ? true : undefined), 30_000);
      await bus.publish('risk', hostIds.map((hostId, i) => assessment(`Y${i}`, 1, t0 + 30, vmB(i), hostId)));
      await eventually('every b granted', () => (count('GRANT') === 2 * HOSTS ? true : undefined), 30_000);

      for (const hostId of hostIds) {
        const mine = consumed.filter((c) => c.command.hostId === hostId && c.command.mode === 'ENFORCE');
        // An actuator consuming partitions independently may apply them interleaved in any way that keeps each
        // partition's order: at worst it reaches every partition's peak at once.
        const partitions = [...new Set(mine.map((c) => c.partition))];
        const worst = partitions.reduce((sum, p) => sum + maxPrefix(deltas(mine.filter((c) => c.partition === p).sort((a, b) => a.offset - b.offset).map((c) => c.command))), 0);
        assert.ok(worst <= ROOM, `${hostId}: an actuator applying each partition in order can hold ${worst} > ${ROOM} (commands on partitions ${partitions.join(', ')})`);
        // In hostSequence order (one epoch): 1, 2, 3, … with no gap, and never over the room at any prefix.
        const bySequence = [...mine].sort((a, b) => a.command.hostSequence - b.command.hostSequence).map((c) => c.command);
        assert.deepEqual(bySequence.map((c) => c.hostSequence), bySequence.map((_, k) => k + 1), `${hostId}: sequence`);
        assert.equal(new Set(bySequence.map((c) => c.ledgerEpoch)).size, 1);
        assert.ok(maxPrefix(deltas(bySequence)) <= ROOM, `${hostId}: over its room in hostSequence order`);
        assert.deepEqual(bySequence.map((c) => `${c.action} ${c.vmId}`), [`GRANT ${vmA(hostIds.indexOf(hostId))}`, `RELEASE ${vmA(hostIds.indexOf(hostId))}`, `GRANT ${vmB(hostIds.indexOf(hostId))}`]);
      }
    } catch (error) {
      if (allocator !== undefined) t.diagnostic(describeLogs([allocator], 60));
      throw error;
    }
  });
});
