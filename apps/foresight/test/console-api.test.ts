import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import { InMemoryBus, silentLogger } from '@foresight/messaging';
import { INCIDENTS_DOCUMENT_KIND } from '@foresight/propagation-scorer';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { startLiveConsole, type LiveConsole } from '../src/console/live-console.js';

const T0 = Date.parse('2026-01-01T12:00:00Z');
const RESOURCES = { cpuMillis: 500, memoryMiB: 256, networkMbps: 10 };

function risk(incidentId: string, version: number, atRisk: readonly [string, number][], status: 'OPEN' | 'CLOSED' = 'OPEN'): RiskAssessment {
  return {
    eventId: `risk:${incidentId}:${version}`, eventTime: T0 + version * 1000, incidentId, version, status, systemId: 'sys-1', anomalyType: 'latency', severity: 0.8,
    estimator: 'mpp', sources: [{ vmId: 'vm-src', onsetAt: T0 }], modelVersion: 1, generatedAt: T0 + version * 1000,
    atRisk: atRisk.map(([vmId, probability], k) => ({
      vmId, hostId: `host-${k % 2}`, probability, etaMs: 30_000 * (k + 1), path: ['vm-src', vmId],
      contributions: [{ from: 'vm-src', to: vmId, kind: 'API_CALL', direction: 'REVERSE', probability, delayMs: 30_000 * (k + 1) }],
    })),
  };
}

function grant(incidentId: string, vmId: string, at: number, action: AllocationCommand['action'] = 'GRANT'): AllocationCommand {
  return {
    eventId: `cmd:${incidentId}:${vmId}:${action}:${at}`, eventTime: at, commandId: `${incidentId}/${vmId}/${action}/${at}`, incidentId, vmId, hostId: 'host-0', action,
    resources: RESOURCES, leaseExpiresAt: at + 600_000, mode: 'ENFORCE', reason: { probability: 0.7, etaMs: 30_000, path: ['vm-src', vmId], why: 'at_risk' }, hostSequence: 0, ledgerEpoch: '',
  };
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

describe('the console API on the in-memory twins (bus, state store, graph store)', () => {
  const bus = new InMemoryBus({ topicPrefix: 'console-test.' });
  const state = new InMemoryStateStore();
  const graph = new InMemoryGraphStore();
  let live: LiveConsole;
  let base: string;
  const get = async (path: string, init?: RequestInit): Promise<Answer> => {
    const response = await fetch(new URL(path, base), init);
    const text = await response.text();
    return { status: response.status, body: response.headers.get('content-type')?.startsWith('application/json') === true ? (JSON.parse(text) as Record<string, unknown>) : { text }, headers: response.headers };
  };

  before(async () => {
    // Before the console starts: an incident the scorer keeps open, with hot scores and a reservation in the ledger.
    await state.documents.put(INCIDENTS_DOCUMENT_KIND, 'sys-9', JSON.stringify({ incidents: [['INC-old', 3]] }));
    await state.documents.put('propagation-scorer.incident', 'INC-old#3', JSON.stringify({
      systemId: 'sys-9', incidentId: 'INC-old', anomalyType: 'cpu', openedAt: T0 - 60_000, status: 'OPEN', riskVersion: 5, generatedAt: T0 - 1_000, modelVersion: 1,
      sources: [['vm-old-src', { onsetAt: T0 - 60_000, severity: 0.6, lastAnomalousAt: T0 }]],
    }));
    await state.putIncidentScores('INC-old', 5, [{ vmId: 'vm-old-1', probability: 0.4, etaAt: T0 + 60_000 }, { vmId: 'vm-old-2', probability: 0.2, etaAt: T0 + 90_000 }], 3_600_000);
    await state.setBudget({ cpuMillis: 10_000, memoryMiB: 10_000, networkMbps: 1_000 });
    await state.setHostCapacity('host-old', { cpuMillis: 4_000, memoryMiB: 4_000, networkMbps: 400 });
    assert.deepEqual(await state.reserve({ commandId: 'cmd-old', hostId: 'host-old', vmId: 'vm-old-1', incidentId: 'INC-old', resources: RESOURCES, leaseExpiresAt: T0 + 600_000 }), { ok: true });
    live = await startLiveConsole({
      bus, stores: { risk: state, documents: state.documents, ledger: state, graph }, groupId: 'console-test', host: '127.0.0.1', port: 0, token: undefined,
      logger: silentLogger, now: () => T0, stream: { maxClients: 2, coalesceMs: 10, heartbeatMs: 60_000 },
    });
    base = live.server.url;
  });

  after(async () => {
    await live.server.close();
    await bus.close();
  });

  it('reads what was open before it started from the stores: the incident, its hot scores and its reservation', async () => {
    assert.equal(live.loadedIncidents, 1);
    const fleet = await get('/api/fleet');
    assert.equal(fleet.status, 200);
    const incidents = fleet.body.incidents as { items: { incidentId: string; version: number; anomalyType: string; grants: number; atRisk: number }[] };
    assert.deepEqual(incidents.items.map((i) => [i.incidentId, i.version, i.anomalyType, i.grants, i.atRisk]), [['INC-old', 5, 'cpu', 1, 2]]);
    const incident = await get('/api/incidents/INC-old');
    assert.equal(incident.status, 200);
    assert.deepEqual((incident.body.atRisk as { items: { vmId: string }[] }).items.map((r) => r.vmId), ['vm-old-1', 'vm-old-2']);
    assert.equal((incident.body.incident as { origin: string }).origin, 'stores');
  });

  it('follows the risk and allocations topics live: the fleet ranks at-risk VMs over open incidents, highest probability first', async () => {
    await bus.publish('risk', [risk('INC-1', 1, [['vm-a', 0.9], ['vm-b', 0.5], ['vm-old-2', 0.7]])]);
    await bus.publish('allocations', [grant('INC-1', 'vm-a', T0 + 2_000)]);
    await bus.drain();
    const fleet = await get('/api/fleet?vmSize=3');
    const ranked = (fleet.body.atRisk as { items: { vmId: string; probability: number; incidentId: string; incidents: number }[]; total: number });
    assert.deepEqual(ranked.items.map((r) => [r.vmId, r.probability, r.incidentId, r.incidents]), [['vm-a', 0.9, 'INC-1', 1], ['vm-old-2', 0.7, 'INC-1', 2], ['vm-b', 0.5, 'INC-1', 1]]);
    assert.equal(ranked.total, 4);
    assert.deepEqual(fleet.body.counts, { openIncidents: 2, closedIncidents: 0, atRiskVms: 4 });
    const second = await get('/api/fleet?vmSize=3&vmPage=2');
    assert.deepEqual((second.body.atRisk as { items: { vmId: string }[] }).items.map((r) => r.vmId), ['vm-old-1']);
  });

  it('draws the incident: sources, at-risk VMs on their likeliest paths with per-hop contributions, and its grants', async () => {
    const view = await get('/api/incidents/INC-1');
    assert.equal(view.status, 200);
    const svg = view.body.graphSvg as string;
    for (const vm of ['vm-src', 'vm-a', 'vm-b']) assert.match(svg, new RegExp(`>${vm}<`), `${vm} on the graph`);
    assert.match(svg, /vm-src → vm-a via API_CALL/);
    assert.match(view.body.grantsSvg as string, /Foresight grant on vm-a/);
    const atRisk = (view.body.atRisk as { items: { vmId: string; contributions: { kind: string; delayMs: number }[] }[] }).items;
    assert.deepEqual(atRisk[0].contributions.map((c) => [c.kind, c.delayMs]), [['API_CALL', 30_000]]);
    assert.deepEqual((view.body.commands as { action: string; vmId: string }[]).map((c) => [c.action, c.vmId]), [['GRANT', 'vm-a']]);
  });

  it('keeps the newest risk version: an older one arriving late changes nothing, a closed incident leaves the ranking', async () => {
    await bus.publish('risk', [risk('INC-1', 3, [['vm-a', 0.95]])]);
    await bus.publish('risk', [risk('INC-1', 2, [['vm-z', 0.99]])]);
    await bus.drain();
    let view = await get('/api/incidents/INC-1');
    assert.equal((view.body.incident as { version: number }).version, 3);
    assert.deepEqual((view.body.versions as { version: number }[]).map((v) => v.version), [1, 3]);
    await bus.publish('risk', [risk('INC-1', 4, [], 'CLOSED')]);
    await bus.drain();
    view = await get('/api/incidents/INC-1');
    assert.equal((view.body.incident as { status: string }).status, 'CLOSED');
    const fleet = await get('/api/fleet');
    assert.deepEqual((fleet.body.atRisk as { items: { vmId: string }[] }).items.map((r) => r.vmId), ['vm-old-1', 'vm-old-2']);
    const all = await get('/api/fleet?status=all');
    assert.deepEqual((all.body.incidents as { items: { incidentId: string }[] }).items.map((i) => i.incidentId), ['INC-old', 'INC-1']);
  });

  it('pushes a coalesced change event to the page when a new risk version arrives', async () => {
    const controller = new AbortController();
    const response = await fetch(new URL('/api/events', base), { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = async (until: RegExp): Promise<void> => {
      while (!until.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${String(until)}: ${text}`);
        text += decoder.decode(value);
      }
    };
    await read(/event: hello/);
    await bus.publish('risk', [risk('INC-2', 1, [['vm-c', 0.3]])]);
    await bus.publish('risk', [risk('INC-2', 2, [['vm-c', 0.4]])]);
    await read(/event: change\ndata: .*INC-2.*\n\n/);
    const data = JSON.parse(/event: change\ndata: (.*INC-2.*)\n/.exec(text)![1]) as { risk: { incidentId: string; version: number }[] };
    // Both versions arrived within one coalescing interval: the page is told once, of the newest.
    assert.deepEqual(data.risk.filter((r) => r.incidentId === 'INC-2'), [{ incidentId: 'INC-2', version: 2, status: 'OPEN' }]);
    controller.abort();
  });

  it('validates every input and answers errors as JSON with a code', async () => {
    const cases: [string, number, string][] = [
      ['/api/incidents/INC-unknown', 404, 'NOT_FOUND'],
      ['/api/incidents/%3Cscript%3E', 400, 'INVALID_INPUT'],
      [`/api/incidents/${'x'.repeat(201)}`, 400, 'INVALID_INPUT'],
      ['/api/incidents/%E0%A4%A', 400, 'INVALID_INPUT'],
      ['/api/fleet?vmSize=201', 400, 'INVALID_INPUT'],
      ['/api/fleet?vmSize=0', 400, 'INVALID_INPUT'],
      ['/api/fleet?incidentPage=-1', 400, 'INVALID_INPUT'],
      ['/api/fleet?vmPage=1e3', 400, 'INVALID_INPUT'],
      ['/api/incidents/INC-1?draw=41', 400, 'INVALID_INPUT'],
      ['/api/nothing', 404, 'NOT_FOUND'],
      [`/api/fleet?x=${'y'.repeat(3000)}`, 400, 'INVALID_INPUT'],
    ];
    for (const [path, status, code] of cases) {
      const answer = await get(path);
      assert.equal(answer.status, status, path.slice(0, 80));
      assert.equal((answer.body.error as { code: string }).code, code, path.slice(0, 80));
    }
    const post = await get('/api/fleet', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal((post.body.error as { code: string }).code, 'METHOD_NOT_ALLOWED');
  });

  it('serves the page with a nonce CSP and no inline handlers', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce !== undefined, csp);
    assert.match(page.body.text as string, new RegExp(`<script nonce="${nonce.replace(/[+/]/g, '\\$&')}">`));
    assert.doesNotMatch(page.body.text as string, /\son[a-z]+="/);
  });

  it('refuses more live streams than allowed, with a code', async () => {
    // The streams of earlier tests are gone once the server saw them close.
    for (let open = -1; open !== 0;) open = ((await (await fetch(new URL('/healthz', base))).json()) as { streams: number }).streams;
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(controllers.map((c) => fetch(new URL('/api/events', base), { signal: c.signal })));
    assert.deepEqual(open.map((r) => r.status), [200, 200]);
    const third = await get('/api/events');
    assert.equal(third.status, 503);
    assert.equal((third.body.error as { code: string }).code, 'TOO_MANY_STREAMS');
    for (const c of controllers) c.abort();
  });
});
