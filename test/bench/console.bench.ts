// `npm run bench -- console [--json] [--vms N] [--incidents N] [--at-risk N]`: the console's first paint on a large fleet.
// The console runs on the in-memory twins of its ports (the embedded mode's bus and stores), filled with a fleet of N
// VMs (default 100,000) on N/20 hosts, 4 pathways each, and `incidents` open incidents (default 300) of `at-risk` VMs
// each (default 200, the most it keeps per incident), each with grants. Then headless Chromium loads the page:
// first contentful paint (the page's shell) and the fleet view drawn with its data (the first paint that shows the
// fleet: from navigation to the frame after the view's tables are in the DOM), the bytes the page fetched, and the server's
// answer time for each view. Three page loads; the median is printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import type { Pathway, Vm } from '@foresight/core';
import { startLiveConsole } from '@foresight/app';
import { InMemoryBus, silentLogger } from '@foresight/messaging';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { HeadlessChromium } from '../support/headless-chromium.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const VMS = option('vms', 100_000);
const INCIDENTS = option('incidents', 300);
const AT_RISK = option('at-risk', 200);
const HOSTS = Math.max(1, Math.floor(VMS / 20));
const LOADS = 3;
const T0 = Date.now();
const R = { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const vmId = (i: number): string => `vm-${String(i).padStart(6, '0')}`;

async function main(): Promise<void> {
  // ---- the fleet in the stores ----
  let t = performance.now();
  const graph = new InMemoryGraphStore();
  const state = new InMemoryStateStore();
  const vms: Vm[] = Array.from({ length: VMS }, (_, i) => ({ id: vmId(i), hostId: `host-${i % HOSTS}`, groupId: `g-${i % 1000}`, systemId: `s-${i % 100}`, capacity: R, allocation: R, criticality: 0.5 }));
  const pathways: Pathway[] = vms.flatMap((v, i) => [1, 7, 31, 101].map((d) => ({
    source: v.id, target: vmId((i + d) % VMS), kind: d === 31 ? 'NETWORK' as const : 'API_CALL' as const,
    features: { bandwidthMbps: 5, callsPerSec: 10, latencyP50Ms: 2, latencyP99Ms: 20, errorRate: 0.001, lastSeenAt: T0 },
  })));
  await graph.upsertVms(vms);
  await graph.upsertPathways(pathways);
  await state.setBudget({ cpuMillis: 1e9, memoryMiB: 1e9, networkMbps: 1e9 });
  for (let h = 0; h < HOSTS; h++) {
    await state.setHostCapacity(`host-${h}`, { cpuMillis: 64_000, memoryMiB: 262_144, networkMbps: 10_000 });
    await state.documents.put('allocator-host', `host-${h}`, JSON.stringify({ hostId: `host-${h}` }));
  }
  const fillMs = performance.now() - t;

  // ---- the console, then the incidents arriving on its topics ----
  const bus = new InMemoryBus({ topicPrefix: 'bench-console.' });
  const live = await startLiveConsole({
    bus, stores: { risk: state, documents: state.documents, ledger: state, graph }, groupId: 'bench-console', host: '127.0.0.1', port: 0, token: undefined, logger: silentLogger,
  });
  t = performance.now();
  const risks: RiskAssessment[] = [];
  const commands: AllocationCommand[] = [];
  for (let k = 0; k < INCIDENTS; k++) {
    const source = (k * 331) % VMS;
    risks.push({
      eventId: `risk-${k}`, eventTime: T0, incidentId: `INC-${k}`, version: 1, status: 'OPEN', systemId: `s-${source % 100}`, anomalyType: 'latency', severity: 0.5 + (k % 5) / 10,
      estimator: 'mpp', sources: [{ vmId: vmId(source), onsetAt: T0 }], modelVersion: 1, generatedAt: T0,
      atRisk: Array.from({ length: AT_RISK }, (_, j) => {
        const target = (source + 1 + j * 7) % VMS;
        return {
          vmId: vmId(target), hostId: `host-${target % HOSTS}`, probability: 0.9 / (1 + j * 0.05) * (0.5 + (k % 7) / 14), etaMs: 10_000 * (1 + (j % 30)),
          path: [vmId(source), vmId(target)], contributions: [{ from: vmId(source), to: vmId(target), kind: 'API_CALL', direction: 'REVERSE', probability: 0.5, delayMs: 10_000 }],
        };
      }),
    });
    for (let j = 0; j < 20; j++) {
      const target = (source + 1 + j * 7) % VMS;
      commands.push({
        eventId: `cmd-${k}-${j}`, eventTime: T0 + j, commandId: `cmd-${k}-${j}`, incidentId: `INC-${k}`, vmId: vmId(target), hostId: `host-${target % HOSTS}`, action: 'GRANT',
        resources: { cpuMillis: 500, memoryMiB: 256, networkMbps: 10 }, leaseExpiresAt: T0 + 600_000, mode: 'ENFORCE',
        reason: { probability: 0.5, etaMs: 10_000, path: [], why: 'at_risk' }, hostSequence: 0, ledgerEpoch: '',
      });
    }
  }
  for (let i = 0; i < risks.length; i += 50) await bus.publish('risk', risks.slice(i, i + 50));
  for (let i = 0; i < commands.length; i += 500) await bus.publish('allocations', commands.slice(i, i + 500));
  await bus.drain();
  const ingestMs = performance.now() - t;
  const atRiskVms = live.fleet.rankedVms().length;

  // ---- the server's answer times (cold: the first after the incidents arrived, then warm) ----
  const timed = async (path: string): Promise<{ ms: number; bytes: number; status: number }> => {
    const start = performance.now();
    const response = await fetch(new URL(path, live.server.url));
    const body = await response.arrayBuffer();
    return { ms: performance.now() - start, bytes: body.byteLength, status: response.status };
  };
  const api: Record<string, { ms: number; bytes: number }> = {};
  for (const [name, path] of [['fleet (cold)', '/api/fleet'], ['fleet', '/api/fleet'], ['fleet, page 100', '/api/fleet?vmPage=100'], ['incident', '/api/incidents/INC-0'],
    ['vm', `/api/vms/${vmId(1)}`], ['model', '/api/models'], ['pool', '/api/pool'], ['pool, page 40', '/api/pool?page=40']] as const) {
    const r = await timed(path);
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
    api[name] = { ms: r.ms, bytes: r.bytes };
  }

  // ---- first paint in headless Chromium ----
  const profile = mkdtempSync(join(tmpdir(), 'foresight-console-bench-'));
  const browser = await HeadlessChromium.launch(join(profile, 'chromium'));
  const loads: { fcp: number; fleet: number; incident: number; bytes: number }[] = [];
  try {
    for (let n = 0; n < LOADS; n++) {
      await browser.navigate(`${live.server.url}?load=${n}`);
      // The frame after the fleet's tables are in the DOM: when a paint shows them (later if they were in already).
      const fleet = await browser.evaluate<number>(`new Promise((resolve) => {
        const painted = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
        const ready = () => document.querySelectorAll('#fleet-at-risk tbody tr').length > 0;
        if (ready()) return painted();
        const observer = new MutationObserver(() => { if (ready()) { observer.disconnect(); painted(); } });
        observer.observe(document, { subtree: true, childList: true });
      })`);
      const fcp = await browser.evaluate<number>("(performance.getEntriesByName('first-contentful-paint')[0] || { startTime: NaN }).startTime");
      const bytes = await browser.evaluate<number>('performance.getEntriesByType(\'resource\').concat(performance.getEntriesByType(\'navigation\')).reduce((s, e) => s + (e.encodedBodySize || 0), 0)');
      const before = await browser.evaluate<number>('performance.now()');
      await browser.evaluate("location.hash = '#/incident/INC-0'; true");
      const drawn = await browser.waitFor<number>('the incident view', "document.querySelector('#incident-graph svg') !== null && performance.now()", 60_000);
      loads.push({ fcp, fleet, incident: drawn - before, bytes });
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    await live.server.close();
    await bus.close();
  }
  const result = {
    vms: VMS, hosts: HOSTS, pathways: pathways.length, incidents: INCIDENTS, atRiskPerIncident: AT_RISK, atRiskVms, grants: commands.length,
    fillStoresMs: Math.round(fillMs), ingestMs: Math.round(ingestMs), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    firstContentfulPaintMs: Math.round(median(loads.map((l) => l.fcp))), fleetViewDrawnMs: Math.round(median(loads.map((l) => l.fleet))),
    incidentViewDrawnMs: Math.round(median(loads.map((l) => l.incident))), pageBytes: median(loads.map((l) => l.bytes)),
    api: Object.fromEntries(Object.entries(api).map(([k, v]) => [k, { ms: Math.round(v.ms * 10) / 10, bytes: v.bytes }])),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const lines = [
    `console first paint: ${VMS.toLocaleString('en')} VMs on ${HOSTS.toLocaleString('en')} hosts, ${pathways.length.toLocaleString('en')} pathways; ${INCIDENTS} open incidents × ${AT_RISK} at-risk VMs (${atRiskVms.toLocaleString('en')} distinct), ${commands.length.toLocaleString('en')} grants`,
    `  stores filled in ${result.fillStoresMs} ms; the console took the incidents and grants from its topics in ${result.ingestMs} ms; process RSS ${result.rssMiB} MiB`,
    `  headless Chromium, median of ${LOADS} loads: first contentful paint ${result.firstContentfulPaintMs} ms, fleet view painted with its data ${result.fleetViewDrawnMs} ms (${(result.pageBytes / 1024).toFixed(0)} KiB fetched); incident view drawn ${result.incidentViewDrawnMs} ms after the click`,
    '  server answer times:',
    ...Object.entries(result.api).map(([k, v]) => `    ${k.padEnd(16)} ${v.ms.toFixed(1).padStart(7)} ms  ${(v.bytes / 1024).toFixed(1).padStart(7)} KiB`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
