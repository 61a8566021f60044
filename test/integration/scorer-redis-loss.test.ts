import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AnomalyEvent, RiskAssessment } from '@foresight/contracts';
import type { Pathway, Vm } from '@foresight/core';
import { KafkaBus, consumerOf } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { Redis } from 'ioredis';
import { eventually, newTestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { awaitReady, describeLogs, startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';
import { loseRedisData } from './fixtures/redis-data-loss.js';

const RESOURCES = { cpuMillis: 1_000, memoryMiB: 1_024, networkMbps: 100 };
const vm = (id: string, groupId: string): Vm => ({ id, hostId: `h-${id}`, groupId, systemId: 'sys', capacity: RESOURCES, allocation: RESOURCES, criticality: 0.5 });
const call = (source: string, target: string, lastSeenAt: number): Pathway => ({
  source, target, kind: 'API_CALL', features: { bandwidthMbps: 10, callsPerSec: 2_000, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.01, lastSeenAt },
});

function anomaly(vmId: string, at: number, state: 'OPEN' | 'RESOLVED'): AnomalyEvent {
  return { eventId: `a-${vmId}-${state}-${at}`, eventTime: at, systemId: 'sys', level: 'COMPONENT', subjectId: vmId, anomalyType: 'latency', severity: state === 'OPEN' ? 0.9 : 0, state, detectedAt: at, attributes: {} };
}

describe('propagation scorer: Redis loses its data under a running scorer', () => {
  const world = newTestWorld('scorer-redis-loss');
  const kafka = rawKafka('scorer-redis-loss-test');
  const graph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace: world.id });
  const state = new RedisStateStore({ keyPrefix: world.keyPrefix });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let bus: KafkaBus | undefined;
  let scorer: ServiceProcess | undefined;

  after(async () => {
    if (scorer !== undefined) await stopService(scorer, 5_000);
    await bus?.close();
    await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state });
    redis.disconnect();
  });

  it('puts its open incidents back, so the RESOLVED that follows the loss closes the incident (CLOSED) without a restart', { timeout: 120_000 }, async (t) => {
    try {
      const t0 = Date.now();
      await graph.init();
      await graph.upsertVms([vm('web', 'g-web'), vm('api', 'g-api'), vm('db', 'g-data')]);
      await graph.upsertPathways([call('web', 'api', t0), call('api', 'db', t0)]);
      await state.init();

      scorer = startService('scorer', 'propagation-scorer', {
        FORESIGHT_TOPIC_PREFIX: world.topicPrefix,
        FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix,
        FORESIGHT_NEO4J_NAMESPACE: world.id,
        FORESIGHT_HTTP_PORT: '0',
        FORESIGHT_LOG_LEVEL: 'info',
        FORESIGHT_SHUTDOWN_TIMEOUT: '5s',
        FORESIGHT_TICK_INTERVAL: '100ms',
        FORESIGHT_KAFKA_MAX_WAIT: '100ms',
      });
      await awaitReady(scorer, 60_000);

      bus = await KafkaBus.connect({ connection: stackConnection('scorer-redis-loss-probe'), topicPrefix: world.topicPrefix, maxWaitTimeMs: 100, topics: ['anomalies'] });
      const risk: RiskAssessment[] = [];
      await bus.startConsumers([consumerOf({ topic: 'risk', groupId: `${world.groupId}.risk`, handle: (m: RiskAssessment) => Promise.resolve(void risk.push(m)) })]);
      await eventually('the probe to join', () => (bus?.health().ready === true ? true : undefined), 30_000);

      await bus.publish('anomalies', [anomaly('db', Date.now(), 'OPEN')]);
      const [opened] = await eventually('the incident opened', () => (risk.length > 0 ? risk : undefined), 30_000);
      assert.equal(opened.status, 'OPEN');
      assert.ok(opened.atRisk.some((e) => e.vmId === 'api'), 'api at risk');

      t.diagnostic(`deleted ${await loseRedisData(redis, world.keyPrefix)} keys under the prefix`);
      await bus.publish('anomalies', [anomaly('db', Date.now(), 'RESOLVED')]);
      const closed = await eventually('the incident CLOSED after the loss', () => risk.find((r) => r.incidentId === opened.incidentId && r.status === 'CLOSED'), 30_000);
      const versions = risk.filter((r) => r.incidentId === opened.incidentId);
      // Restored as a new OPEN version naming what the lost one named (an allocator that lost its ledger releases those).
      const restored = versions.find((r) => r.version === opened.version + 1);
      assert.equal(restored?.status, 'OPEN');
      assert.deepEqual(restored.atRisk.map((e) => e.vmId), opened.atRisk.map((e) => e.vmId));
      assert.ok(closed.version > restored.version);

      // The loss was signalled: a warning and the counter; the store holds the epoch again and no open incident.
      assert.ok(scorer.lines.some((line) => line.includes('"level":"warn"') && line.includes('lost the scorer state')), 'a warning names the loss');
      const metrics = await (await fetch(`http://127.0.0.1:${scorer.port() ?? 0}/metrics`)).text();
      assert.match(metrics, /foresight_scorer_state_lost\w*\{[^}]*cause="lost"[^}]*\} 1\b/);
      assert.match(metrics, /foresight_scorer_incidents_restored\w* 1\b/);
      assert.equal(await state.documents.get('propagation-scorer.incidents', 'sys'), undefined);
      assert.deepEqual(scorer.lines.filter((line) => line.includes('"level":"error"') && !line.includes('"logger":"kafkajs"')), [], 'no error logged');
    } catch (error) {
      if (scorer !== undefined) t.diagnostic(describeLogs([scorer], 60));
      throw error;
    }
  });
});
