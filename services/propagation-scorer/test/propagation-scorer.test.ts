import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultModel, serialiseModel } from '@foresight/core';
import { INCIDENTS_DOCUMENT_KIND } from '../src/index.js';
import type { AnomalyEvent, RiskAssessment } from '@foresight/contracts';
import { InMemoryBus, silentLogger, type ConsumerDeclaration, type MessageContext } from '@foresight/messaging';
import { createPropagationScorer } from '../src/index.js';
import { T0, anomaly, scorerWorld, versionsOf, type ScorerWorld } from './scorer-world.js';

describe('propagation scorer', () => {
  it('opens an incident on a component anomaly and publishes version 1 with VMs at risk along the direction latency travels', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();

    assert.equal(world.risk.length, 1);
    const [v1] = world.risk;
    assert.equal(v1.version, 1);
    assert.equal(v1.status, 'OPEN');
    assert.equal(v1.systemId, 'sys');
    assert.equal(v1.modelVersion, 1);
    assert.deepEqual(v1.sources.map((s) => [s.vmId, s.onsetAt]), [['db', T0]]);
    const atRisk = v1.atRisk.map((r) => r.vmId);
    // Latency travels callee → caller: api calls db, web calls api. db's own callee (disk) and api's other callee are not at risk.
    assert.deepEqual(atRisk, ['api', 'web']);
    const [api, web] = v1.atRisk;
    assert.ok(api.probability > web.probability);
    assert.equal(api.hostId, 'h-api');
    assert.deepEqual(api.path, ['db', 'api']);
    assert.deepEqual(web.path, ['db', 'api', 'web']);
    assert.equal(api.contributions[0].kind, 'API_CALL');
    assert.equal(api.contributions[0].direction, 'reverse');
    for (const r of v1.atRisk) assert.ok(r.etaMs >= 0 && Number.isInteger(r.etaMs));
    assert.ok(web.etaMs > api.etaMs);

    const hot = await world.stateStore.topIncidentScores(v1.incidentId, 10);
    assert.equal(hot?.version, 1);
    assert.deepEqual(hot?.entries.map((e) => e.vmId), ['api', 'web']);
    await world.close();
  });

  it('re-versions the same incident when a VM it predicted at risk becomes anomalous', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();
    await world.publish('anomalies', [anomaly('api', T0 + 20_000)]);
    await world.settle();

    assert.equal(world.risk.length, 2);
    const [v1, v2] = world.risk;
    assert.equal(v2.incidentId, v1.incidentId);
    assert.equal(v2.version, 2);
    assert.deepEqual(v2.sources.map((s) => s.vmId), ['api', 'db']);
    assert.deepEqual(v2.atRisk.map((r) => r.vmId), ['web']);
    assert.ok(v2.atRisk[0].probability > v1.atRisk[1].probability, 'web is likelier once api is anomalous');
    assert.equal(v2.generatedAt, T0 + 20_000);
    await world.close();
  });

  it('opens a separate incident for an anomaly nobody predicted', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();
    await world.publish('anomalies', [anomaly('disk', T0 + 1_000)]);
    await world.settle();
    const ids = new Set(world.risk.map((r) => r.incidentId));
    assert.equal(ids.size, 2);
    await world.close();
  });

  it('resolves and publishes CLOSED when every source recovers, and retracts the hot scores', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('db', T0), anomaly('api', T0 + 10_000)]);
    await world.settle();
    await world.publish('anomalies', [anomaly('db', T0 + 60_000, { state: 'RESOLVED', severity: 0 })]);
    await world.settle();
    const incidentId = world.risk[0].incidentId;
    let versions = versionsOf(world.risk, incidentId);
    assert.equal(versions.at(-1)?.status, 'OPEN', 'api is still anomalous');

    await world.publish('anomalies', [anomaly('api', T0 + 90_000, { state: 'RESOLVED', severity: 0 })]);
    await world.settle();
    versions = versionsOf(world.risk, incidentId);
    assert.deepEqual(versions.map((v) => v.version), [1, 2, 3, 4]);
    const closed = versions.at(-1)!;
    assert.equal(closed.status, 'CLOSED');
    assert.deepEqual(closed.atRisk, []);
    const hot = await world.stateStore.topIncidentScores(incidentId, 10);
    assert.ok(hot === undefined || hot.entries.length === 0, 'no VM is scored at risk by a closed incident');
    assert.equal(await world.stateStore.documents.get(INCIDENTS_DOCUMENT_KIND, 'sys'), undefined);
    await world.close();
  });

  it('times out an incident without evidence (tick with event time) and publishes CLOSED', async () => {
    const world = await scorerWorld({ incidentTimeoutMs: 600_000 });
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();
    await world.scorer.tick(T0 + 599_999);
    await world.settle();
    assert.equal(world.risk.length, 1, 'not yet due');

    await world.scorer.tick(T0 + 600_000);
    await world.settle();
    assert.equal(world.risk.length, 2);
    assert.equal(world.risk[1].status, 'CLOSED');
    assert.equal(world.risk[1].version, 2);
    assert.equal(world.risk[1].generatedAt, T0 + 600_000);
    await world.scorer.tick(T0 + 1_200_000);
    await world.settle();
    assert.equal(world.risk.length, 2, 'a closed incident is gone');
    await world.close();
  });

  it('a tick on another instance reads a system afresh once it changed since that instance last read it', async () => {
    const world = await scorerWorld({ incidentTimeoutMs: 600_000 });
    const otherBus = new InMemoryBus({ broker: world.broker, topicPrefix: world.prefix, groupId: `${world.prefix}propagation-scorer` });
    const other = createPropagationScorer({ bus: otherBus, stateStore: world.stateStore, graphStore: world.graphStore, logger: silentLogger, options: { incidentTimeoutMs: 600_000, minRecompileIntervalMs: 0 } });
    await other.start();
    await world.publish('anomalies', [anomaly('db', T0 + 300_000)]);
    await world.settle();
    await other.tick(T0 + 300_001);
    await world.settle();
    assert.equal(world.risk.length, 1, 'nothing due: the other instance only read the system');
    // A late report (event time T0) opens a second incident, written by the first instance only: due before the first.
    await world.publish('anomalies', [anomaly('cache', T0, { anomalyType: 'cpu' })]);
    await world.settle();
    assert.equal(world.risk.length, 2);
    const late = world.risk[1].incidentId;
    await other.tick(T0 + 600_000);
    await world.settle();
    assert.deepEqual(world.risk.slice(2).map((r) => [r.incidentId, r.status]), [[late, 'CLOSED']], 'the incident the other instance had not read timed out');
    await other.stop();
    await otherBus.close();
    await world.close();
  });

  it('traces the origin of a GROUP-level anomaly and scores from it', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('g-data', T0, { level: 'GROUP' })]);
    await world.settle();
    assert.equal(world.risk.length, 1);
    const [v1] = world.risk;
    assert.equal(v1.sources.length, 1);
    // The traced origin lies in the group, and whoever calls it is at risk.
    assert.ok(['db', 'cache'].includes(v1.sources[0].vmId));
    assert.equal(v1.sources[0].onsetAt, T0);
    assert.ok(v1.atRisk.some((r) => r.vmId === 'api'));

    // A second report of the same group is explained by the same incident: no new incident.
    await world.publish('anomalies', [anomaly('g-data', T0 + 5_000, { level: 'GROUP' })]);
    await world.settle();
    assert.equal(world.risk.length, 1);

    // Its resolution retires the traced origin: CLOSED.
    await world.publish('anomalies', [anomaly('g-data', T0 + 60_000, { level: 'GROUP', state: 'RESOLVED', severity: 0 })]);
    await world.settle();
    assert.equal(world.risk.at(-1)?.status, 'CLOSED');
    await world.close();
  });

  it('ignores a GROUP-level anomaly of a group the topology does not know, without failing', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('g-nowhere', T0, { level: 'GROUP' })]);
    await world.settle();
    assert.equal(world.risk.length, 0);
    assert.equal(world.scorerBus.deadLetters('anomalies').length, 0);
    await world.close();
  });

  it('hot-swaps a published model: later assessments carry its version, and open incidents are re-scored on tick', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();
    const next = { ...defaultModel(), version: 2, parentVersion: 1 };
    await world.publish('model', [{ eventId: 'model-2', eventTime: T0 + 1, modelId: next.modelId, version: 2, parentVersion: 1, parametersJson: serialiseModel(next), metrics: {} }]);
    await world.settle();
    assert.equal(world.scorer.modelVersion(), 2);

    await world.scorer.tick(T0 + 2_000);
    await world.settle();
    assert.deepEqual(world.risk.map((r) => [r.version, r.modelVersion]), [[1, 1], [2, 2]]);
    await world.publish('anomalies', [anomaly('api', T0 + 10_000)]);
    await world.settle();
    assert.deepEqual(world.risk.map((r) => [r.version, r.modelVersion]), [[1, 1], [2, 2], [3, 2]]);

    // An older version (a replay) is ignored.
    const old = { ...defaultModel(), version: 1 };
    await world.publish('model', [{ eventId: 'model-1', eventTime: T0 + 3, modelId: old.modelId, version: 1, parentVersion: null, parametersJson: serialiseModel(old), metrics: {} }]);
    await world.settle();
    assert.equal(world.scorer.modelVersion(), 2);
    await world.close();
  });

  it('dead-letters a model whose parameters are invalid and keeps scoring with the current one', async () => {
    const world = await scorerWorld();
    await world.publish('model', [{ eventId: 'bad', eventTime: T0, modelId: 'foresight', version: 3, parentVersion: 2, parametersJson: '{"modelId":"x"}', metrics: {} }]);
    await world.settle();
    assert.equal(world.scorerBus.deadLetters('model').length, 1);
    assert.equal(world.scorer.modelVersion(), 1);
    await world.close();
  });

  it('restores incidents after a restart: a new instance on the same state store continues the versions', async () => {
    const first = await scorerWorld();
    await first.publish('anomalies', [anomaly('db', T0)]);
    await first.settle();
    const next = { ...defaultModel(), version: 5, parentVersion: 1 };
    await first.publish('model', [{ eventId: 'model-5', eventTime: T0 + 1, modelId: next.modelId, version: 5, parentVersion: 1, parametersJson: serialiseModel(next), metrics: {} }]);
    await first.settle();

    const second = await first.restart();
    assert.equal(second.scorer.modelVersion(), 5, 'the adopted model survives the restart');
    await second.publish('anomalies', [anomaly('api', T0 + 20_000)]);
    await second.settle();
    const versions = versionsOf(second.risk, second.risk[0].incidentId);
    assert.deepEqual(versions.map((v) => v.version), [1, 2]);
    assert.deepEqual(versions[1].sources.map((s) => s.vmId), ['api', 'db']);
    assert.equal(versions[1].modelVersion, 5);
    await second.close();
  });

  it('records an anomaly on a VM the topology does not know, and scores it once a topology change brings the VM', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('ghost', T0)]);
    await world.settle();
    assert.equal(world.scorerBus.deadLetters('anomalies').length, 0);
    assert.equal(world.risk.length, 1);
    assert.equal(world.risk[0].status, 'OPEN');
    assert.deepEqual(world.risk[0].sources, []);
    assert.deepEqual(world.risk[0].atRisk, []);

    // The builder announces ghost (called by web) — the pathway comes first, from another partition.
    const pathway = { target: 'ghost', kind: 'API_CALL' as const, removed: false, bandwidthMbps: 1, callsPerSec: 2_000, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0, lastSeenAt: T0 };
    const vmState = { hostId: 'h-ghost', groupId: 'g-api', systemId: 'sys', capacity: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }, allocation: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }, criticality: 0.2 };
    await world.publish('topology-changes', [{ eventId: 'tc-1', eventTime: T0 + 1, topologyVersion: 1, vmId: 'web', vm: null, vmRemoved: false, pathways: [pathway] }]);
    await world.publish('topology-changes', [{ eventId: 'tc-2', eventTime: T0 + 2, topologyVersion: 2, vmId: 'ghost', vm: vmState, vmRemoved: false, pathways: [] }]);
    await world.settle();
    await world.scorer.tick(T0 + 5_000);
    await world.settle();
    assert.equal(world.risk.length, 2);
    assert.deepEqual(world.risk[1].sources.map((s) => s.vmId), ['ghost']);
    assert.deepEqual(world.risk[1].atRisk.map((r) => r.vmId), ['web']);
    await world.close();
  });

  it('follows topology changes: a new caller of an anomalous VM is at risk in the next assessment, a removed one is not', async () => {
    const world = await scorerWorld();
    const vmState = { hostId: 'h-batch', groupId: 'g-batch', systemId: 'sys', capacity: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }, allocation: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }, criticality: 0.2 };
    const toDb = { target: 'db', kind: 'API_CALL' as const, removed: false, bandwidthMbps: 1, callsPerSec: 2_000, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0, lastSeenAt: T0 };
    await world.publish('topology-changes', [{ eventId: 'tc-b', eventTime: T0, topologyVersion: 1, vmId: 'batch', vm: vmState, vmRemoved: false, pathways: [toDb] }]);
    await world.publish('topology-changes', [{ eventId: 'tc-w', eventTime: T0, topologyVersion: 1, vmId: 'web', vm: null, vmRemoved: true, pathways: [] }]);
    await world.settle();
    await world.publish('anomalies', [anomaly('db', T0 + 1_000)]);
    await world.settle();
    assert.deepEqual(world.risk[0].atRisk.map((r) => r.vmId).sort(), ['api', 'batch']);
    await world.close();
  });

  it('uses the last compiled snapshot until the recompile interval has passed (double buffering)', async () => {
    const world = await scorerWorld({ minRecompileIntervalMs: 60_000 });
    await world.publish('anomalies', [anomaly('cache', T0)]);
    await world.settle();
    const vmState = { hostId: 'h-batch', groupId: 'g-batch', systemId: 'sys', capacity: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }, allocation: { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 }, criticality: 0.2 };
    const toDb = { target: 'db', kind: 'API_CALL' as const, removed: false, bandwidthMbps: 1, callsPerSec: 2_000, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0, lastSeenAt: T0 };
    await world.publish('topology-changes', [{ eventId: 'tc-b', eventTime: T0, topologyVersion: 1, vmId: 'batch', vm: vmState, vmRemoved: false, pathways: [toDb] }]);
    await world.settle();
    await world.publish('anomalies', [anomaly('db', T0 + 1_000)]);
    await world.settle();
    assert.ok(!world.risk[1].atRisk.some((r) => r.vmId === 'batch'), 'the snapshot compiled at T0 is still used');
    await world.publish('anomalies', [anomaly('db', T0 + 61_000)]);
    await world.settle();
    assert.ok(world.risk[2].atRisk.some((r) => r.vmId === 'batch'), 'recompiled once the interval passed');
    await world.close();
  });
});

describe('propagation scorer: runs of one system (handleRun)', () => {
  /** The scorer's anomalies consumer, called directly with a run (the Kafka runtime does so under a backlog). */
  async function handleAsRun(world: ScorerWorld, events: readonly AnomalyEvent[]): Promise<RiskAssessment[]> {
    const declaration = world.scorer.consumers.find((c) => c.topic === 'anomalies') as ConsumerDeclaration<'anomalies'>;
    assert.ok(declaration.handleRun !== undefined, 'the scorer takes runs');
    const published: RiskAssessment[] = [];
    const context = {
      publish: async (topic: string, messages: readonly unknown[]) => {
        assert.equal(topic, 'risk');
        published.push(...(messages as RiskAssessment[]));
        await world.publish('risk', messages as RiskAssessment[]);
      },
    } as unknown as MessageContext;
    await declaration.handleRun(events, events.map(() => context));
    await world.settle();
    return published;
  }

  it('leaves the state one by one would, publishing each incident\'s newest version once, and later reports still join predicted incidents', async () => {
    // db, then api (which db's assessment predicted: it joins), then an unpredicted disk-free VM, then db recovers.
    const events = [anomaly('db', T0), anomaly('api', T0 + 20_000), anomaly('cache', T0 + 25_000, { anomalyType: 'cpu' }), anomaly('web', T0 + 30_000)];
    const single = await scorerWorld();
    for (const event of events) {
      await single.publish('anomalies', [event]);
      await single.settle();
    }
    const batched = await scorerWorld();
    const published = await handleAsRun(batched, events);

    const newest = new Map(single.risk.map((r) => [r.incidentId, r]));
    assert.ok(single.risk.length > newest.size, 'one by one re-versioned an incident within the run');
    const byId = (a: RiskAssessment, b: RiskAssessment) => (a.incidentId < b.incidentId ? -1 : 1);
    const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
    assert.deepEqual(plain([...published].sort(byId)), plain([...newest.values()].sort(byId)), 'one message per changed incident: its newest version, as one by one');
    const joined = published.find((r) => r.sources.some((s) => s.vmId === 'db'));
    assert.ok(joined !== undefined && joined.sources.some((s) => s.vmId === 'api'), 'api joined the incident db opened earlier in the same run');

    // What comes next is the same on both: the stored incidents are equal.
    const next = anomaly('disk', T0 + 40_000);
    await single.publish('anomalies', [next]);
    await single.settle();
    await batched.publish('anomalies', [next]);
    await batched.settle();
    assert.deepEqual(plain(batched.risk.slice(-1)), plain(single.risk.slice(-1)));
    await single.close();
    await batched.close();
  });

  it('refuses a run that mixes systems (the runtime then falls back to one by one)', async () => {
    const world = await scorerWorld();
    await assert.rejects(handleAsRun(world, [anomaly('db', T0), anomaly('api', T0 + 1, { systemId: 'other' })]), /one system/);
    assert.equal(world.risk.length, 0);
    await world.close();
  });
});
