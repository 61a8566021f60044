import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { IncidentEvaluation, RiskAssessment } from '@foresight/contracts';
import { defaultModel, serialiseModel } from '@foresight/core';
import { InMemoryBus, silentLogger } from '@foresight/messaging';
import { MODEL_DOCUMENT } from '@foresight/propagation-scorer';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { startLiveConsole, type LiveConsole } from '../src/console/live-console.js';
import { parseCounter } from '../src/console/service-counters.js';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const CAPACITY = { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 };
const FEATURES = { bandwidthMbps: 10, callsPerSec: 5, latencyP50Ms: 2, latencyP99Ms: 20, errorRate: 0.01, lastSeenAt: T0 };
const METRICS = [
  '# TYPE foresight_grants_refused_total counter',
  'foresight_grants_refused_total{reason="BUDGET_EXCEEDED",service_name="allocator"} 3',
  'foresight_grants_refused_total{reason="RATE_LIMITED",service_name="allocator"} 1',
  'foresight_model_decisions_total{published="false",verdict="TOO_FEW_POSITIVES"} 4',
  'foresight_model_decisions_total{published="true",verdict="PUBLISHED"} 1',
].join('\n');

function evaluation(k: number): IncidentEvaluation {
  return {
    eventId: `eval-${k}`, eventTime: T0 + k, incidentId: `INC-${k}`, anomalyType: 'latency', modelVersion: 1 + Math.floor(k / 10), predicted: 4, affected: 2, truePositives: 1,
    precision: 0.25, recall: k < 10 ? 0.5 : 1, brier: 0.1, leadTimesMs: [1000], usefulGrants: 1, wastedGrants: 3,
  };
}

describe('the console VM, model and pool views on the in-memory twins', () => {
  const bus = new InMemoryBus({ topicPrefix: 'console-views.' });
  const state = new InMemoryStateStore();
  const graph = new InMemoryGraphStore();
  let metricsServer: Server;
  let live: LiveConsole;
  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(new URL(path, live.server.url));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  before(async () => {
    metricsServer = createServer((_req, res) => res.end(METRICS));
    await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
    const metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
    const vm = (id: string, hostId: string) => ({ id, hostId, groupId: 'g1', systemId: 's1', capacity: CAPACITY, allocation: CAPACITY, criticality: 0.7 });
    await graph.upsertVms([vm('vm-a', 'h1'), vm('vm-b', 'h1'), vm('vm-c', 'h2')]);
    await graph.upsertPathways([
      { source: 'vm-a', target: 'vm-b', kind: 'API_CALL', features: FEATURES }, { source: 'vm-c', target: 'vm-a', kind: 'NETWORK', features: FEATURES },
      { source: 'vm-b', target: 'vm-c', kind: 'NETWORK', features: FEATURES },
    ]);
    await graph.recordIncident({ incidentId: 'OLD-1', anomalyType: 'latency', openedAt: T0 - 10_000, affectedVmIds: ['vm-b', 'vm-a'], sourceVmIds: ['vm-b'] });
    await graph.recordIncident({ incidentId: 'OLD-2', anomalyType: 'latency', openedAt: T0 - 5_000, affectedVmIds: ['vm-a'], sourceVmIds: ['vm-a'] });
    const model = { ...defaultModel('foresight', T0), version: 3, parentVersion: 2, vulnerability: { 'vm-a': { alpha: 3, beta: 1 } } };
    await state.documents.put(MODEL_DOCUMENT.kind, MODEL_DOCUMENT.id, serialiseModel(model));
    await state.setBudget({ cpuMillis: 10_000, memoryMiB: 10_000, networkMbps: 1_000 });
    for (const h of ['h1', 'h2', 'h3']) {
      await state.setHostCapacity(h, CAPACITY);
      await state.documents.put('allocator-host', h, JSON.stringify({ hostId: h, capacity: CAPACITY }));
    }
    await state.reserve({ commandId: 'c1', hostId: 'h2', vmId: 'vm-c', incidentId: 'INC-9', resources: { cpuMillis: 1000, memoryMiB: 512, networkMbps: 10 }, leaseExpiresAt: T0 + 60_000 });
    await state.putIncidentScores('INC-9', 2, [{ vmId: 'vm-a', probability: 0.6, etaAt: T0 + 30_000 }], 3_600_000);
    live = await startLiveConsole({
      bus, stores: { risk: state, documents: state.documents, ledger: state, graph }, groupId: 'console-views', host: '127.0.0.1', port: 0, token: undefined,
      logger: silentLogger, now: () => T0, metricsUrls: [metricsUrl, 'http://127.0.0.1:1/metrics'],
    });
  });

  after(async () => {
    await live.server.close();
    await bus.close();
    await new Promise((resolve) => metricsServer.close(resolve));
  });

  it('VM view: its pathways (a bounded page, both directions), what threatens it, its history and learned vulnerability', async () => {
    const risk: RiskAssessment = {
      eventId: 'r1', eventTime: T0, incidentId: 'INC-9', version: 3, status: 'OPEN', systemId: 's1', anomalyType: 'latency', severity: 0.5, estimator: 'mpp',
      sources: [{ vmId: 'vm-c', onsetAt: T0 }], modelVersion: 3, generatedAt: T0, atRisk: [{ vmId: 'vm-a', hostId: 'h1', probability: 0.7, etaMs: 5000, path: ['vm-c', 'vm-a'], contributions: [] }],
    };
    await bus.publish('risk', [risk]);
    await bus.drain();
    const view = await get('/api/vms/vm-a?size=1');
    assert.equal(view.status, 200);
    const pathways = view.body.pathways as { items: { direction: string; otherVmId: string; kind: string }[]; total: number };
    assert.deepEqual(pathways.items.map((p) => [p.direction, p.otherVmId, p.kind]), [['out', 'vm-b', 'API_CALL']]);
    assert.equal(pathways.total, 2);
    const second = await get('/api/vms/vm-a?size=1&page=2');
    assert.deepEqual((second.body.pathways as { items: { direction: string; otherVmId: string }[] }).items.map((p) => [p.direction, p.otherVmId]), [['in', 'vm-c']]);
    assert.deepEqual((view.body.risk as { incidents: { incidentId: string; probability: number }[] }).incidents.map((i) => [i.incidentId, i.probability]), [['INC-9', 0.6]]);
    assert.deepEqual((view.body.history as { points: { version: number; probability: number }[] }).points.map((p) => [p.version, p.probability]), [[3, 0.7]]);
    const vulnerability = view.body.vulnerability as { incidents: number; affected: number; asSource: number; learned: { mean: number; learned: boolean; modelVersion: number } };
    assert.deepEqual([vulnerability.incidents, vulnerability.affected, vulnerability.asSource], [2, 1, 1]);
    assert.deepEqual([vulnerability.learned.mean, vulnerability.learned.learned, vulnerability.learned.modelVersion], [0.75, true, 3]);
    assert.equal((await get('/api/vms/vm-nobody')).status, 404);
    const deep = await get('/api/vms/vm-a?size=200&page=51');
    assert.equal(deep.status, 400);
    assert.equal((deep.body.error as { code: string }).code, 'INVALID_INPUT');
  });

  it('model view: versions with held-out metrics and why, the gate\'s verdicts from /metrics, the learning curve from evaluations', async () => {
    await bus.publish('model', [{
      eventId: 'm4', eventTime: T0, modelId: 'foresight', version: 4, parentVersion: 3, parametersJson: serialiseModel({ ...defaultModel('foresight', T0), version: 4, parentVersion: 3 }),
      metrics: { heldOutAuprc: 0.4, heldOutLogLoss: 0.2, currentLogLoss: 0.21, heldOutExamples: 300, heldOutPositives: 12, heldOutAuprcDifference: 0.01, heldOutAuprcDifferenceLower: -0.02, heldOutAuprcDifferenceUpper: 0.05 },
    }]);
    await bus.publish('evaluations', Array.from({ length: 30 }, (_, k) => evaluation(k)));
    await bus.drain();
    const view = await get('/api/models');
    assert.equal(view.status, 200);
    const versions = view.body.versions as { version: number; origin: string; why: string; metrics: Record<string, number> }[];
    assert.deepEqual(versions.map((v) => [v.version, v.origin]), [[3, 'stores'], [4, 'live']]);
    assert.match(versions[1].why, /passed the gate on 300 held-out exposures, 12 positives/);
    assert.deepEqual(view.body.decisions, [
      { verdict: 'TOO_FEW_POSITIVES', count: 4, meaning: 'refused: too few held-out positives to judge' },
      { verdict: 'PUBLISHED', count: 1, meaning: 'published: not worse than the current model on the held-out incidents' },
    ]);
    assert.match(view.body.decisionsSource as string, /1 did not answer/);
    const curve = (view.body.learningCurve as { points: { n: number; recall: number }[] }).points;
    assert.equal(curve.length, 30);
    assert.equal(curve[9].recall, 0.5);
    assert.equal(curve[29].recall, 1);
  });

  it('pool view: the budget, one page of hosts with reserved and free, the refusing guardrails', async () => {
    const view = await get('/api/pool?size=2');
    assert.equal(view.status, 200);
    assert.deepEqual((view.body.budget as { reserved: { cpuMillis: number } }).reserved.cpuMillis, 1000);
    assert.equal(view.body.activeReservations, 1);
    const hosts = view.body.hosts as { items: { hostId: string; ledger: { reserved: { cpuMillis: number }; free: { cpuMillis: number } } }[]; total: number };
    assert.deepEqual(hosts.items.map((h) => [h.hostId, h.ledger.reserved.cpuMillis, h.ledger.free.cpuMillis]), [['h1', 0, 4000], ['h2', 1000, 3000]]);
    assert.equal(hosts.total, 3);
    assert.deepEqual((view.body.refusals as { reason: string; count: number }[]).map((r) => [r.reason, r.count]), [['BUDGET_EXCEEDED', 3], ['RATE_LIMITED', 1]]);
  });

  it('reads Prometheus counters by label, skipping other metrics and samples without the label', () => {
    const sums = parseCounter(`${METRICS}\nforesight_grants_refused_total 9\nforesight_grants_refused_total_x{reason="X"} 5\nforesight_grants_refused_total{reason="RATE_LIMITED"} 2`, 'foresight_grants_refused_total', 'reason');
    assert.deepEqual([...sums], [['BUDGET_EXCEEDED', 3], ['RATE_LIMITED', 3]]);
  });
});
