import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AnomalyEvent, RiskAssessment } from '@foresight/contracts';
import { isHeldOutIncident, type LearnerState, type Vm } from '@foresight/core';
import { KafkaBus } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { eventually, newTestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { awaitReady, describeLogs, errorLines, startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';

const MINUTE = 60_000;
const CHILDREN = 6;
const TRAINING_INCIDENTS = 8;
const HELD_OUT_INCIDENTS = 4;
const FEATURES = { bandwidthMbps: 20, callsPerSec: 50, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.01, lastSeenAt: 0 };

/** The learner's JSON log lines with the given message. */
function logged(service: ServiceProcess, msg: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of service.lines) {
    if (!line.includes(msg)) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed['msg'] === msg) out.push(parsed);
    } catch {
      // stderr or a partial line: not a log record.
    }
  }
  return out;
}

function vmOf(id: string, systemId: string): Vm {
  const r = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };
  return { id, hostId: `host-${id}`, groupId: 'g', systemId, capacity: r, allocation: r, criticality: 0.5 };
}

describe('the learner process on the real stack', () => {
  const world = newTestWorld('learner-refit');
  const graph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace: world.id });
  const state = new RedisStateStore({ keyPrefix: world.keyPrefix });
  const kafka = rawKafka('learner-refit-test');
  let learner: ServiceProcess | undefined;
  let bus: KafkaBus | undefined;

  after(async () => {
    if (learner !== undefined) await stopService(learner, 5_000);
    await bus?.close();
    await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state });
  });

  it('judges incidents past their horizon, refits on its window in a worker thread, and persists the window', { timeout: 120_000 }, async () => {
    // Incidents from an hour ago: their horizon (30 min) has passed at the learner's first tick.
    const ids: string[] = [];
    let training = 0;
    let heldOut = 0;
    for (let n = 0; training < TRAINING_INCIDENTS || heldOut < HELD_OUT_INCIDENTS; n++) {
      const id = `inc-${n}`;
      if (isHeldOutIncident(id) ? heldOut++ < HELD_OUT_INCIDENTS : training++ < TRAINING_INCIDENTS) ids.push(id);
    }
    await graph.init();
    await state.init();
    const risks: RiskAssessment[] = [];
    const anomalies: AnomalyEvent[] = [];
    const t0 = Date.now() - 60 * MINUTE;
    for (const [i, incidentId] of ids.entries()) {
      // Each incident in its own system, so no incident's anomalies count as another's.
      const systemId = `sys-${incidentId}`;
      const source = `${incidentId}-src`;
      const children = Array.from({ length: CHILDREN }, (_, k) => `${incidentId}-c${k}`);
      await graph.upsertHosts([source, ...children].map((id) => ({ hostId: `host-${id}`, capacity: { cpuMillis: 8000, memoryMiB: 8192, networkMbps: 1000 } })));
      await graph.upsertVms([source, ...children].map((id) => vmOf(id, systemId)));
      await graph.upsertPathways(children.map((target) => ({ source, target, kind: 'API_CALL' as const, features: FEATURES })));
      const onsetAt = t0 + i * MINUTE;
      const generatedAt = onsetAt + 5_000;
      risks.push({
        eventId: `risk-${incidentId}-1`, eventTime: generatedAt, incidentId, version: 1, status: 'OPEN', systemId, anomalyType: 'mystery', severity: 1,
        estimator: 'most-probable-path', sources: [{ vmId: source, onsetAt }], modelVersion: 1, generatedAt,
        atRisk: children.map((vmId) => ({
          vmId, hostId: `host-${vmId}`, probability: 0.4, etaMs: MINUTE, path: [source, vmId],
          contributions: [{ from: source, to: vmId, kind: 'API_CALL', direction: 'forward', probability: 0.4, delayMs: MINUTE }],
        })),
      });
      // The source, then two of its six children, a minute apart.
      for (const [k, vmId] of [source, ...children.slice(0, 2)].entries()) {
        anomalies.push({ eventId: `anomaly-${vmId}`, eventTime: onsetAt + k * MINUTE, systemId, level: 'COMPONENT', subjectId: vmId, anomalyType: 'mystery', severity: 1, state: 'OPEN', detectedAt: onsetAt + k * MINUTE, attributes: {} });
      }
    }

    learner = startService('learner', 'learner', {
      FORESIGHT_TOPIC_PREFIX: world.topicPrefix,
      FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix,
      FORESIGHT_NEO4J_NAMESPACE: world.id,
      FORESIGHT_HTTP_PORT: '0',
      FORESIGHT_LOG_LEVEL: 'info',
      FORESIGHT_TICK_INTERVAL: '200ms',
      FORESIGHT_KAFKA_MAX_WAIT: '100ms',
      FORESIGHT_LEARNER_MIN_INCIDENTS: String(TRAINING_INCIDENTS),
      FORESIGHT_LEARNER_MIN_REFIT_INCIDENTS: String(TRAINING_INCIDENTS),
    });
    const service = learner;
    try {
      await awaitReady(service, 60_000);
      bus = await KafkaBus.connect({ connection: stackConnection('learner-refit-probe'), topicPrefix: world.topicPrefix, topics: ['risk', 'anomalies'] });
      await bus.publish('risk', risks);
      await bus.publish('anomalies', anomalies);

      await eventually('every incident labelled', () => (logged(service, 'incident labelled').length >= ids.length ? true : undefined), 60_000, 100);
      const learnt = await eventually('a candidate learnt with a refit', () => logged(service, 'candidate model learnt').find((l) => typeof l['refitMs'] === 'number'), 60_000, 100);
      assert.ok((learnt['windowIncidents'] as number) >= TRAINING_INCIDENTS, JSON.stringify(learnt));
      // The publication gate decided either way, and said so.
      await eventually('the publication decision', () => logged(service, 'published a new model version').length + logged(service, 'candidate model refused; keeping the current version').length > 0 || undefined, 30_000, 100);

      const doc = await state.documents.get('learner-training', 'state');
      assert.ok(doc !== undefined, 'the training state is persisted');
      const persisted = (JSON.parse(doc) as { learner: LearnerState }).learner;
      const window = persisted.window ?? [];
      assert.equal(window.length, TRAINING_INCIDENTS, 'the window holds the training incidents');
      assert.deepEqual(new Set(window.map((o) => o.incidentId)), new Set(ids.filter((id) => !isHeldOutIncident(id))));
      assert.equal(persisted.heldOut.length, HELD_OUT_INCIDENTS);
      assert.deepEqual(errorLines(service), []);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${describeLogs([service], 60)}`, { cause: error });
    }
  });
});
