// Issue 19: the alerting rules shipped in infra/prometheus/rules fire on the real Prometheus of the stack
// (infra/stack.d/prometheus.sh) for real faults of the messaging runtime: a stalled consumer (a handler that hangs:
// lag stuck above 0, readiness failing its `consumers` check) and a dead letter (a handler's fatal error).
// The test serves /metrics like a service (the kit's instruments, readiness gauge and health server), announces itself
// in the stack's target directory (file_sd), and loads a copy of the shipped alert group with `for:` cut to 1s and a 1s
// evaluation interval (rules.d, POST /-/reload), so the expressions under test are the shipped ones. It awaits the
// alerts through /api/v1/rules, filtered by its own service label.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { hostEvent } from '@foresight/contracts/testing';
import { KafkaBus, RuntimeError, consumerOf } from '@foresight/messaging';
import {
  PrometheusTextReader, Readiness, announcePrometheusTarget, createServiceInstruments, dependencyChecks, observeReadiness, startHealthServer,
} from '@foresight/service-kit';
import { parse, stringify } from 'yaml';
import { eventually, newTestWorld } from '../support/test-world.js';
import { deleteTopicsUnder, rawKafka, stackConnection } from './fixtures/messaging-stack.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PROMETHEUS = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090';
const TARGETS = process.env.FORESIGHT_PROMETHEUS_TARGETS_DIR ?? join(REPO, '.stack', 'run', 'prometheus', 'targets');
const RULES_D = join(dirname(TARGETS), 'rules.d');

const world = newTestWorld('alerts');
const service = `alert-test-${world.id}`;
const rulesFile = join(RULES_D, `${world.id}.yml`);
const cleanups: (() => unknown)[] = [];

interface RuleGroup { readonly name: string; readonly interval?: string; readonly rules: { alert?: string; for?: string }[] }
interface ApiAlert { readonly labels: Record<string, string>; readonly state: string }
interface ApiRules { readonly data: { readonly groups: { name: string; rules: { name: string; alerts?: ApiAlert[] }[] }[] } }

async function prometheus<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${PROMETHEUS}${path}`, init);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (path.startsWith('/api/') ? response.json() : response.text()) as Promise<T>;
}

/** The shipped alert group, renamed for this test, evaluated every second, every `for:` cut to 1s. */
function quickAlerts(): string {
  const shipped = parse(readFileSync(join(REPO, 'infra', 'prometheus', 'rules', 'foresight.rules.yml'), 'utf8')) as { groups: RuleGroup[] };
  const alerts = shipped.groups.find((g) => g.name === 'foresight.alerts');
  assert.ok(alerts, 'the shipped rules have a foresight.alerts group');
  return stringify({ groups: [{ ...alerts, name: `test.${world.id}`, interval: '1s', rules: alerts.rules.map((r) => ({ ...r, for: '1s' })) }] });
}

/** This test's alerts in its own group, as Prometheus evaluates them now. */
async function firing(alert: string): Promise<ApiAlert[]> {
  const { data } = await prometheus<ApiRules>('/api/v1/rules?type=alert');
  const group = data.groups.find((g) => g.name === `test.${world.id}`);
  return (group?.rules.find((r) => r.name === alert)?.alerts ?? []).filter((a) => a.state === 'firing' && a.labels.service === service);
}

before(async () => {
  await prometheus<string>('/-/ready').catch((error: unknown) => {
    throw new Error(`no Prometheus at ${PROMETHEUS} (npm run stack:up starts it): ${String(error)}`);
  });
  mkdirSync(RULES_D, { recursive: true });
  writeFileSync(rulesFile, quickAlerts());
  cleanups.push(async () => {
    rmSync(rulesFile, { force: true });
    await prometheus('/-/reload', { method: 'POST' });
  });
  await prometheus('/-/reload', { method: 'POST' });
  await eventually('the test group loaded', async () => {
    const { data } = await prometheus<ApiRules>('/api/v1/rules?type=alert');
    return data.groups.some((g) => g.name === `test.${world.id}`) ? true : undefined;
  }, 15_000, 200);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
  const admin = rawKafka(`alerts-cleanup-${world.id}`).admin();
  await admin.connect();
  await deleteTopicsUnder(admin, world.topicPrefix);
  await admin.disconnect();
});

test('a stalled consumer fires ForesightNotReady (consumers) and ForesightConsumerLagGrowing; a dead letter fires ForesightDeadLetters', { timeout: 180_000 }, async () => {
  const reader = new PrometheusTextReader();
  const meters = new MeterProvider({ readers: [reader] });
  cleanups.push(() => meters.shutdown());
  const instruments = createServiceInstruments(meters.getMeter(service));
  cleanups.push(() => instruments.close());
  const busOptions = {
    topicPrefix: world.topicPrefix, partitions: 1, topics: ['hosts'] as const,
    onConsumerLag: (lag: Parameters<typeof instruments.recordLag>[0]) => instruments.recordLag(lag),
    onDeadLetter: (letter: Parameters<typeof instruments.recordDeadLetter>[0]) => instruments.recordDeadLetter(letter),
  };
  // The stalled one: its handler hangs on the first record until the test ends.
  const stalled = await KafkaBus.connect({ ...busOptions, connection: stackConnection(`alerts-a-${world.id}`), groupId: `${world.groupId}.stalled` });
  cleanups.push(() => stalled.close());
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  cleanups.push(() => release()); // runs before the bus closes (cleanups run in reverse): close awaits the handler
  await stalled.startConsumers([consumerOf({ topic: 'hosts', handle: () => gate })]);
  // The refusing one: the same records, refused for good (dead-lettered at once).
  const refusing = await KafkaBus.connect({ ...busOptions, connection: stackConnection(`alerts-b-${world.id}`), groupId: `${world.groupId}.refusing` });
  cleanups.push(() => refusing.close());
  await refusing.startConsumers([consumerOf({ topic: 'hosts', handle: (event) => {
    throw new RuntimeError('HANDLER_FATAL', `refused ${event.eventId}`);
  } })]);

  const readiness = new Readiness();
  for (const [name, check] of Object.entries(dependencyChecks({ bus: stalled }, 1_500))) readiness.add(name, check);
  observeReadiness(meters.getMeter(service), readiness);
  const health = await startHealthServer({ port: 0, readiness, metrics: reader });
  cleanups.push(() => health.close());
  const target = await announcePrometheusTarget({ dir: TARGETS, service, host: '127.0.0.1', port: health.port });
  cleanups.push(() => target.remove());
  await eventually('Prometheus scraping the test target', async () => {
    const ready = await prometheus<{ data: { result: unknown[] } }>(`/api/v1/query?query=${encodeURIComponent(`foresight_readiness_check{service="${service}",check="consumers"} == 1`)}`);
    return ready.data.result.length > 0 ? true : undefined;
  }, 60_000, 250);
  for (const alert of ['ForesightNotReady', 'ForesightConsumerLagGrowing', 'ForesightDeadLetters']) {
    assert.deepEqual(await firing(alert), [], `${alert} quiet before the fault`);
  }

  await stalled.publish('hosts', [hostEvent('blocking', 'h-1'), hostEvent('behind-it', 'h-1')]);

  const started = Date.now();
  const [notReady] = await eventually('ForesightNotReady firing for the stalled partition', async () => {
    const alerts = await firing('ForesightNotReady');
    return alerts.length > 0 ? alerts : undefined;
  }, 90_000, 500);
  assert.equal(notReady.labels.check, 'consumers');
  assert.equal(notReady.labels.severity, 'critical');
  const [lagging] = await eventually('ForesightConsumerLagGrowing firing for the stalled group', async () => {
    const alerts = await firing('ForesightConsumerLagGrowing');
    return alerts.length > 0 ? alerts : undefined;
  }, 90_000, 500);
  assert.equal(lagging.labels.group, `${world.groupId}.stalled`);
  assert.equal(lagging.labels.topic, `${world.topicPrefix}hosts`);
  const [deadLetters] = await eventually('ForesightDeadLetters firing for the refused records', async () => {
    const alerts = await firing('ForesightDeadLetters');
    return alerts.length > 0 ? alerts : undefined;
  }, 90_000, 500);
  assert.equal(deadLetters.labels.topic, 'hosts');
  assert.equal(deadLetters.labels.reason, 'HANDLER_FATAL');
  process.stderr.write(`alerts firing ${Math.round((Date.now() - started) / 1000)} s after the fault\n`);
});
