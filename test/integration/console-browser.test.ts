import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AllocationCommand, AnomalyEvent, RiskAssessment } from '@foresight/contracts';
import { defaultModel, serialiseModel } from '@foresight/core';
import { KafkaBus, consumerOf } from '@foresight/messaging';
import { flowEvents, generateTopology, hostEvents, inventoryEvents } from '@foresight/sim';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { HeadlessChromium } from '../support/headless-chromium.js';
import { eventually, newTestWorld } from '../support/test-world.js';
import { dropStackWorld, rawKafka, stackConnection } from './fixtures/messaging-stack.js';
import { awaitReady, describeLogs, startService, stopService, type ServiceProcess } from './fixtures/service-processes.js';

const CLI = fileURLToPath(new URL('../../../apps/foresight/bin/foresight.js', import.meta.url));
const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const VMS = 200;

/** `foresight console` as a child process, with the address it prints. */
function startConsole(env: Readonly<Record<string, string>>): { child: ChildProcess; lines: string[]; url: Promise<string> } {
  const child = spawn(process.execPath, [CLI, 'console', '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        lines.push(line);
        const match = /foresight console: serving (http:\/\/\S+\/)/.exec(line);
        if (match !== null) resolve(match[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`foresight console exited ${code}: ${lines.slice(-20).join('\n')}`)));
  });
  return { child, lines, url };
}

describe('the console in headless Chromium, against the real stack during a simulated incident', () => {
  const world = newTestWorld('console-browser');
  const kafka = rawKafka('console-browser-test');
  const graph = new Neo4jGraphStore({ uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687', namespace: world.id });
  const state = new RedisStateStore({ keyPrefix: world.keyPrefix });
  const profile = mkdtempSync(join(tmpdir(), 'foresight-console-browser-'));
  let services: ServiceProcess | undefined;
  let consoleProcess: ReturnType<typeof startConsole> | undefined;
  let bus: KafkaBus | undefined;
  let browser: HeadlessChromium | undefined;

  after(async () => {
    await browser?.close();
    if (consoleProcess !== undefined && consoleProcess.child.exitCode === null) {
      const exited = new Promise((resolve) => consoleProcess?.child.once('exit', resolve));
      consoleProcess.child.kill('SIGTERM');
      await exited;
    }
    if (services !== undefined) await stopService(services, 5_000);
    await bus?.close();
    await dropStackWorld(kafka, { topicPrefix: world.topicPrefix, graph, state });
    rmSync(profile, { recursive: true, force: true });
  });

  it('lists the incident, draws its at-risk VMs and grants, and updates when a new risk version arrives', { timeout: 300_000 }, async (t) => {
    const started = Date.now();
    const phase = (name: string): void => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)}s ${name}`);
    const env = {
      FORESIGHT_TOPIC_PREFIX: world.topicPrefix, FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix, FORESIGHT_NEO4J_NAMESPACE: world.id, FORESIGHT_HTTP_PORT: '0',
      FORESIGHT_LOG_LEVEL: 'info', FORESIGHT_SHUTDOWN_TIMEOUT: '5s', FORESIGHT_TICK_INTERVAL: '200ms', FORESIGHT_KAFKA_MAX_WAIT: '100ms',
      FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '100ms', FORESIGHT_SNAPSHOT_MIN_INTERVAL: '0ms', FORESIGHT_ALLOCATOR_BUDGET_CPU_MILLIS: '100000000',
      FORESIGHT_ALLOCATOR_BUDGET_MEMORY_MIB: '100000000', FORESIGHT_ALLOCATOR_BUDGET_NETWORK_MBPS: '100000000', FORESIGHT_ALLOCATOR_MAX_GRANTS_PER_MINUTE: '100000',
      FORESIGHT_LEARNER_MIN_INCIDENTS: '100000',
    };
    try {
      // ---- the services, as one `foresight run all` process ----
      services = startService('services', 'all', env);
      await state.init();
      await awaitReady(services, 120_000);
      bus = await KafkaBus.connect({ connection: stackConnection('console-browser-probe'), topicPrefix: world.topicPrefix, maxWaitTimeMs: 100, topics: ['inventory', 'hosts', 'flows', 'anomalies', 'model'] });
      const risks: RiskAssessment[] = [];
      const commands: AllocationCommand[] = [];
      await bus.startConsumers([
        consumerOf({ topic: 'risk', groupId: `${world.groupId}.risk`, handle: (m) => Promise.resolve(void risks.push(m)) }),
        consumerOf({ topic: 'allocations', groupId: `${world.groupId}.allocations`, handle: (m) => Promise.resolve(void commands.push(m)) }),
      ]);
      await eventually('the probes to join', () => (bus?.health().ready === true ? true : undefined), 30_000);
      phase('services ready');

      // ---- a world: hosts, VMs, flows; a model that grants on this fleet ----
      const now0 = Date.now();
      const fleet = generateTopology({ vms: VMS, seed: 5, epoch: now0 });
      const flows = flowEvents(fleet, { seed: 5, until: now0, dropRate: 0 });
      await bus.publish('hosts', hostEvents(fleet, now0));
      await bus.publish('inventory', inventoryEvents(fleet, now0));
      for (let i = 0; i < flows.length; i += 500) await bus.publish('flows', flows.slice(i, i + 500));
      const pathways = new Set(flows.map((f) => `${f.source}|${f.target}|${f.kind}`)).size;
      await eventually('the graph to hold the fleet', async () => {
        const stored = await graph.loadTopology();
        return stored.vms.length === VMS && stored.pathways.length === pathways ? true : undefined;
      }, 90_000, 250);
      await eventually("the allocator's ledger to know every host", async () => ((await state.hostLedgers(fleet.hosts.map((h) => h.id))).every((l) => l !== undefined) ? true : undefined), 60_000, 250);
      const model = { ...defaultModel('foresight', now0), version: 2, parentVersion: 1, grantThreshold: 0.02, releaseThreshold: 0.01 };
      await bus.publish('model', [{ eventId: 'model:foresight:2', eventTime: now0, modelId: 'foresight', version: 2, parentVersion: 1, parametersJson: serialiseModel(model), metrics: { heldOutAuprc: 0.31, heldOutBrier: 0.05 } }]);
      await eventually('the allocator to adopt model version 2', async () => ((await state.documents.get('allocator-model', 'foresight')) !== undefined ? true : undefined), 30_000);
      phase('world and model published');

      // ---- the console, its own process and group, then the page ----
      consoleProcess = startConsole({ ...env, FORESIGHT_CONSOLE_METRICS_URLS: `http://127.0.0.1:${services.port()}/metrics` });
      const url = await consoleProcess.url;
      browser = await HeadlessChromium.launch(join(profile, 'chromium'));
      await browser.navigate(url);
      await browser.waitFor('the live stream to connect', "document.getElementById('live-status').className === 'live'");
      phase(`console at ${url}`);

      // ---- a simulated incident: a callee with many callers goes bad ----
      const systemOf = new Map(fleet.vms.map((v) => [v.id, v.systemId]));
      const callers = new Map<string, number>();
      for (const p of fleet.pathways) if (p.kind === 'API_CALL' && systemOf.get(p.source) === systemOf.get(p.target)) callers.set(p.target, (callers.get(p.target) ?? 0) + 1);
      const source = [...callers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
      let sequence = 0;
      const anomaly = async (vmId: string): Promise<AnomalyEvent> => {
        const at = Date.now() + sequence;
        const event: AnomalyEvent = {
          eventId: `console-anomaly-${++sequence}`, eventTime: at, systemId: systemOf.get(vmId)!, level: 'COMPONENT', subjectId: vmId, anomalyType: 'latency', severity: 0.9,
          state: 'OPEN', detectedAt: at, attributes: {},
        };
        await bus!.publish('anomalies', [event]);
        return event;
      };
      await anomaly(source);
      const first = await eventually(`an assessment with source ${source}`, () => risks.find((r) => r.sources.some((s) => s.vmId === source) && r.atRisk.length > 0), 60_000);
      const incidentId = first.incidentId;
      const granted = await eventually(`GRANTs for ${incidentId}`, () => {
        const grants = commands.filter((c) => c.incidentId === incidentId && c.action === 'GRANT' && c.mode === 'ENFORCE');
        return grants.length > 0 ? grants : undefined;
      }, 60_000);
      phase(`${incidentId}: ${first.atRisk.length} at risk, ${granted.length} grants`);

      // The fleet view lists the incident (the page updates itself: no reload).
      await browser.waitFor(`the fleet view to list ${incidentId}`, `[...document.querySelectorAll('#fleet-incidents a')].some((a) => a.textContent === ${JSON.stringify(incidentId)})`);
      await browser.waitFor('the fleet view to rank at-risk VMs', "document.querySelectorAll('#fleet-at-risk tbody tr').length > 0");
      const ranked = await browser.evaluate<string[]>("[...document.querySelectorAll('#fleet-at-risk tbody tr td:nth-child(2)')].map((td) => td.textContent)");
      assert.ok(ranked.length > 0 && first.atRisk.some((r) => r.vmId === ranked[0]), `the likeliest VM ${ranked[0]} is one the scorer put at risk`);
      mkdirSync(IMAGES, { recursive: true });
      await browser.screenshot(join(IMAGES, 'console-fleet.png'));

      // The incident view draws its at-risk VMs and its grants.
      await browser.evaluate(`location.hash = ${JSON.stringify(`#/incident/${encodeURIComponent(incidentId)}`)}; true`);
      await browser.waitFor('the incident graph', "document.querySelector('#incident-graph svg') !== null");
      await browser.waitFor('grants on the timeline', "[...document.querySelectorAll('#incident-grants svg rect title')].some((t) => t.textContent.startsWith('Foresight grant on '))");
      const onTimeline = await browser.evaluate<string[]>("[...document.querySelectorAll('#incident-grants svg rect title')].map((t) => /^Foresight grant on (\\S+):/.exec(t.textContent)?.[1]).filter((v) => v)");
      const grantedIds = new Set(granted.map((g) => g.vmId));
      assert.ok(onTimeline.length > 0 && onTimeline.every((vmId) => grantedIds.has(vmId)), `the timeline draws granted VMs only (${onTimeline.join(', ')})`);
      // Incidents are tracked per system: the VM that turns anomalous next is a granted one of the source's system.
      const grantedVm = [...onTimeline, ...granted.map((g) => g.vmId)].find((vmId) => systemOf.get(vmId) === systemOf.get(source));
      assert.ok(grantedVm !== undefined, `a grant in ${systemOf.get(source)}`);
      const drawn = await browser.evaluate<string[]>("[...document.querySelectorAll('#incident-graph svg text.node')].map((t) => t.textContent)");
      assert.ok(drawn.includes(source), `the source ${source} is drawn (${drawn.join(', ')})`);
      const latest = risks.filter((r) => r.incidentId === incidentId).at(-1)!;
      assert.ok(latest.atRisk.slice(0, 5).some((r) => drawn.includes(r.vmId)), `the likeliest at-risk VMs are drawn (${drawn.join(', ')})`);
      const shownVersion = Number(await browser.evaluate<string>("document.getElementById('risk-version').textContent"));
      assert.ok(shownVersion >= first.version);
      phase(`incident view at risk version ${shownVersion}`);

      // A new risk version (the granted VM turns anomalous and joins the incident) updates the open page.
      // A marker on the window: it survives only if the page is never reloaded.
      await browser.evaluate('window.consoleTestMarker = 1; true');
      await anomaly(grantedVm);
      const updated = Number(await browser.waitFor<string>(`a risk version above ${shownVersion} with ${grantedVm} among the sources, on the page`,
        `Number(document.getElementById('risk-version')?.textContent) > ${shownVersion} && document.querySelector('#main .facts').textContent.includes(${JSON.stringify(grantedVm)}) && document.getElementById('risk-version').textContent`, 60_000));
      assert.ok(updated > shownVersion);
      assert.equal(await browser.evaluate<number>('window.consoleTestMarker'), 1, 'the page updated itself over the live stream, without a reload');
      assert.ok(risks.some((r) => r.incidentId === incidentId && r.version === updated && r.sources.some((s) => s.vmId === grantedVm)), `version ${updated} is the one the scorer published with ${grantedVm} as a source`);
      await browser.screenshot(join(IMAGES, 'console-incident.png'));
      phase(`the page moved to risk version ${updated} by itself`);

      // The other views, each read from the stores and the live state (screenshots for docs/console.md).
      await browser.evaluate(`location.hash = ${JSON.stringify(`#/vm/${encodeURIComponent(grantedVm)}`)}; true`);
      await browser.waitFor(`the VM view of ${grantedVm}`, "document.querySelectorAll('#vm-pathways tbody tr').length > 0 && document.querySelectorAll('#vm-grants tbody tr').length > 0");
      await browser.screenshot(join(IMAGES, 'console-vm.png'));
      await browser.evaluate("location.hash = '#/model'; true");
      await browser.waitFor('model version 2, the one the scorers use', "[...document.querySelectorAll('#model-versions tbody tr td:nth-child(2)')].some((td) => td.textContent === '2')");
      await browser.screenshot(join(IMAGES, 'console-model.png'));
      await browser.evaluate("location.hash = '#/pool'; true");
      await browser.waitFor('the pool with reservations', "document.querySelectorAll('#pool-hosts tbody tr').length > 0 && /[1-9]\\d* active reservations/.test(document.getElementById('pool-budget').textContent)");
      await browser.screenshot(join(IMAGES, 'console-pool.png'));
      phase('VM, model and pool views drawn');

      assert.deepEqual(browser.problems, [], 'the page logged no error');
    } catch (error) {
      t.diagnostic(describeLogs(services === undefined ? [] : [services], 60));
      if (consoleProcess !== undefined) t.diagnostic(consoleProcess.lines.slice(-40).join('\n'));
      throw error;
    }
  });
});
