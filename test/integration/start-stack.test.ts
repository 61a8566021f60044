import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import { dropStackRun, type StackConnection } from '@foresight/app';
import { KafkaBus, consumerOf } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore } from '@foresight/stores';
import { Redis } from 'ioredis';
import { eventually, newTestWorld } from '../support/test-world.js';
import { rawKafka, stackConnection } from './fixtures/messaging-stack.js';

const CLI = fileURLToPath(new URL('../../../apps/foresight/bin/foresight.js', import.meta.url));
const VMS = 200;
const SEED = 5;
const RUN_ID = 'it';

/** What `foresight start` wrote to result.json (the fields this test reads). */
interface ResultJson {
  readonly runtime: { readonly mode: string; readonly description: string };
  readonly fleet: { readonly vms: number; readonly hosts: number };
  readonly incidents: number;
  readonly messages: { readonly risk: number; readonly allocations: number; readonly published: number };
  readonly wallMs: number;
}

/** Runs the CLI to completion; its exit code and output. */
function runCli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('foresight start --stack on the real stack', () => {
  const world = newTestWorld('start-stack');
  const run = `sim-${SEED}-${RUN_ID}`;
  // The naming the CLI documents: the configured prefix, namespace and key prefix, then the run's own suffix.
  const stack: StackConnection = {
    kafka: stackConnection('start-stack-test'),
    neo4j: { uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687' },
    redis: {},
    topicPrefix: `${world.topicPrefix}${run}.`,
    neo4jNamespace: `${world.id}.${run}`,
    redisKeyPrefix: `${world.keyPrefix}${run}:`,
  };
  const out = mkdtempSync(join(tmpdir(), 'foresight-start-stack-'));
  const graph = new Neo4jGraphStore({ ...stack.neo4j, namespace: stack.neo4jNamespace });
  const state = new RedisStateStore({ keyPrefix: stack.redisKeyPrefix });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let probe: KafkaBus | undefined;

  after(async () => {
    await probe?.close();
    await dropStackRun(stack).catch(() => undefined);
    await Promise.allSettled([graph.close(), state.close()]);
    redis.disconnect();
    rmSync(out, { recursive: true, force: true });
  });

  it('simulates on Kafka, Neo4j and Redis under its own names, writes the report, and drops it all afterwards', { timeout: 300_000 }, async (t) => {
    const { code, output } = await runCli(
      ['start', '--stack', '--vms', String(VMS), '--duration', '6m', '--seed', String(SEED), '--out', out, '--keep', '--run-id', RUN_ID],
      { FORESIGHT_TOPIC_PREFIX: world.topicPrefix, FORESIGHT_NEO4J_NAMESPACE: world.id, FORESIGHT_REDIS_KEY_PREFIX: world.keyPrefix },
    );
    assert.equal(code, 0, output);
    assert.match(output, /\[#{24}\] 100% sim/, 'the live line reached the end');
    assert.ok(output.includes(`left on the stack (--keep): topics and consumer groups ${stack.topicPrefix}*`), output);

    // ---- the summary, the result and the report ----
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ResultJson;
    t.diagnostic(`${result.fleet.vms} VMs, ${result.incidents} incidents: ${(result.wallMs / 1000).toFixed(1)} s on the stack; ` +
      `${result.messages.published} events in, ${result.messages.risk} risk assessments, ${result.messages.allocations} allocation commands`);
    assert.equal(result.runtime.mode, 'stack');
    assert.equal(result.fleet.vms, VMS);
    assert.ok(result.messages.risk > 0, 'risk assessments');
    assert.ok(result.messages.allocations > 0, 'allocation commands');
    assert.match(readFileSync(join(out, 'summary.txt'), 'utf8'), /^Foresight, on the stack: 200 VMs/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.ok(html.includes('All four services in one process on the real stack'), 'the report says where the services ran');
    assert.ok(html.includes('data-chart="chart-degraded"'));

    // ---- Kafka: the risk assessments and allocation commands, under the run's prefix ----
    probe = await KafkaBus.connect({ connection: stackConnection('start-stack-probe'), topicPrefix: stack.topicPrefix, maxWaitTimeMs: 100 });
    const risks: RiskAssessment[] = [];
    const commands: AllocationCommand[] = [];
    await probe.startConsumers([
      consumerOf({ topic: 'risk', groupId: `${stack.topicPrefix}test-probe`, handle: (m) => Promise.resolve(void risks.push(m)) }),
      consumerOf({ topic: 'allocations', groupId: `${stack.topicPrefix}test-probe`, handle: (m) => Promise.resolve(void commands.push(m)) }),
    ]);
    await eventually('every risk assessment and allocation command of the run on its topics', () =>
      (risks.length >= result.messages.risk && commands.length >= result.messages.allocations ? true : undefined), 60_000, 100);
    assert.equal(risks.length, result.messages.risk, 'the topic holds what the run recorded');
    assert.equal(commands.length, result.messages.allocations);
    assert.ok(commands.some((c) => c.action === 'GRANT'), 'grants among the commands');
    await probe.close();
    probe = undefined;

    // ---- Neo4j: the fleet's graph in the run's namespace; Redis: hot scores under the run's key prefix ----
    const topology = await graph.loadTopology();
    assert.equal(topology.vms.length, VMS);
    assert.equal(topology.hosts.length, result.fleet.hosts);
    assert.ok(topology.pathways.length > VMS, `pathways stored (${topology.pathways.length})`);
    await state.init();
    // The scorer writes each version's hot scores (an incident's ranked VMs, and per VM its risk by incident); a CLOSED
    // version lists no VM, so what stays is the last version of every incident and the VM risk hashes.
    const lastVersion = new Map<string, number>();
    for (const r of risks) lastVersion.set(r.incidentId, Math.max(lastVersion.get(r.incidentId) ?? 0, r.version));
    for (const [incidentId, version] of lastVersion) assert.equal((await state.topIncidentScores(incidentId, 5))?.version, version, `hot scores of ${incidentId}`);
    // A VM's risk comes from the live incidents only: a closed incident leaves the live index.
    const atRisk = new Set(risks.flatMap((r) => r.atRisk.map((v) => v.vmId)));
    assert.ok(atRisk.size > 0, 'VMs were at risk during the run');
    const closed = new Set(risks.filter((r) => r.status === 'CLOSED').map((r) => r.incidentId));
    const open = [...lastVersion.keys()].filter((id) => !closed.has(id));
    for (const vmId of atRisk) {
      const risk = await state.vmRisk(vmId);
      for (const incident of risk?.incidents ?? []) assert.ok(!closed.has(incident.incidentId), `${vmId} still at risk in closed ${incident.incidentId}`);
    }
    const live = await redis.zrange(`${stack.redisKeyPrefix}scorelive`, 0, -1);
    for (const incidentId of closed) assert.ok(!live.includes(incidentId), `closed ${incidentId} left the live index`);
    if (open.length === 0) assert.equal(live.length, 0, 'every incident closed: no live incident left');

    // ---- the cleanup the CLI does without --keep ----
    const dropped = await dropStackRun(stack);
    assert.ok(dropped.topics.includes(`${stack.topicPrefix}risk`) && dropped.topics.includes(`${stack.topicPrefix}allocations`), dropped.topics.join(', '));
    assert.ok(dropped.groups.includes(`${stack.topicPrefix}allocator`), dropped.groups.join(', '));
    assert.ok(dropped.subjects.includes(`${stack.topicPrefix}risk-value`), dropped.subjects.join(', '));
    const admin = rawKafka('start-stack-admin').admin();
    await admin.connect();
    try {
      await eventually('the run\'s topics to be gone', async () => ((await admin.listTopics()).some((name) => name.startsWith(stack.topicPrefix)) ? undefined : true), 30_000, 250);
    } finally {
      await admin.disconnect();
    }
    assert.equal((await graph.loadTopology()).vms.length, 0, 'the namespace is empty');
    assert.deepEqual(await redis.keys(`${stack.redisKeyPrefix}*`), [], 'no key left under the prefix');
  });
});
