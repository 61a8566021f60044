// The observability files shipped in infra/: the Prometheus rules (promtool check + its rule unit tests in
// infra/prometheus/test/) and the Grafana dashboard, whose every expression must name a metric a service serves on
// /metrics or a recording rule. The metric names come from the instruments the sources create (the OpenTelemetry
// names, mapped as the Prometheus serializer maps them: dots to underscores, counters with _total, histograms with
// _bucket/_sum/_count).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RULES = join(REPO, 'infra', 'prometheus', 'rules', 'foresight.rules.yml');
const DASHBOARD = join(REPO, 'infra', 'grafana', 'foresight-overview.json');
/** Series Prometheus itself makes: scrape health and the alerts' state. */
const BUILT_IN = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Prometheus names of every instrument created in libs/, services/ and apps/ sources. */
export function servedMetricNames() {
  const names = new Set();
  const files = ['libs', 'services', 'apps'].flatMap((group) => readdirSync(join(REPO, group)).map((pkg) => join(REPO, group, pkg, 'src')))
    .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory()).flatMap((dir) => sources(dir));
  const instrument = /create(Counter|UpDownCounter|Histogram|ObservableGauge|Gauge|StateGauge)(?:<[^>]*>)?\(\s*(?:meter,\s*\{\s*name:\s*)?'(foresight\.[a-z0-9_.]+)'/g;
  for (const file of files) {
    for (const [, kind, otelName] of readFileSync(file, 'utf8').matchAll(instrument)) {
      const name = otelName.replaceAll('.', '_');
      if (kind === 'Counter') names.add(`${name}_total`);
      else if (kind === 'Histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
      else names.add(name);
    }
  }
  return names;
}

const rules = parse(readFileSync(RULES, 'utf8'));
const recorded = new Set(rules.groups.flatMap((g) => g.rules).filter((r) => r.record !== undefined).map((r) => r.record));
const served = servedMetricNames();

/** Metric names in a PromQL expression (identifiers outside strings and label matchers that look like Foresight's). */
function metricsIn(expr) {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}');
  return [...bare.matchAll(/(?<![\w:])(foresight[_:][A-Za-z0-9_:]+|up|ALERTS)(?![\w:(])/g)].map((m) => m[1]);
}

function unknownMetrics(expr) {
  return metricsIn(expr).filter((name) => !served.has(name) && !recorded.has(name) && !BUILT_IN.has(name));
}

describe('metric names served by the services', () => {
  it('include the runtime\'s and each service\'s instruments, as the serializer names them', () => {
    for (const name of ['foresight_messages_dead_lettered_total', 'foresight_consumer_lag', 'foresight_handler_duration_bucket',
      'foresight_readiness_check', 'foresight_allocator_state_lost_total', 'foresight_model_decisions_total', 'foresight_grants_active']) {
      assert.ok(served.has(name), `${name} among ${[...served].join(', ')}`);
    }
    assert.ok(!served.has('foresight_messages_dead_lettered'), 'a counter is served with _total');
  });
});

describe('infra/prometheus rules', () => {
  it('name only served metrics and recordings', () => {
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      assert.ok(metricsIn(rule.expr).length > 0, `${rule.record ?? rule.alert}: names a metric`);
      assert.deepEqual(unknownMetrics(rule.expr), [], `${rule.record ?? rule.alert}: ${rule.expr}`);
    }
  });

  it('have an alert for each fault the operator must hear of', () => {
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined).map((r) => r.alert);
    for (const name of ['ForesightConsumerLagGrowing', 'ForesightDeadLetters', 'ForesightNotReady', 'ForesightNoGrantsWhileAtRisk',
      'ForesightModelRefusedRepeatedly', 'ForesightAllocatorStateLost']) assert.ok(alerts.includes(name), name);
  });

  it('pass promtool check rules and their unit tests (promtool test rules)', () => {
    const which = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    assert.equal(which.error, undefined, 'promtool not found: `bash infra/stack.sh install` installs Debian\'s prometheus package');
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const tests = spawnSync('promtool', ['test', 'rules', 'foresight.rules.test.yml'], { cwd: join(REPO, 'infra', 'prometheus', 'test'), encoding: 'utf8' });
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);
  });
});

describe('infra/grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  it('covers lag, throughput, dead letters, risk and grants, model decisions and the ledger', () => {
    const all = targets.map((t) => t.expr).join('\n');
    for (const metric of ['foresight:consumer_lag:max', 'foresight:messages_processed:rate5m', 'foresight:messages_dead_lettered:new10m',
      'foresight_vms_at_risk', 'foresight_grants_active', 'foresight_model_decisions_total', 'foresight_resources_reserved']) {
      assert.ok(all.includes(metric), metric);
    }
  });

  it('names, in every expression, only served metrics and recordings', () => {
    assert.ok(targets.length >= 10);
    for (const { panel, expr } of targets) {
      assert.ok(metricsIn(expr).length > 0, `${panel}: ${expr} names a metric`);
      assert.deepEqual(unknownMetrics(expr), [], `${panel}: ${expr}`);
    }
  });

  it('finds a misspelt metric (the check itself)', () => {
    assert.deepEqual(unknownMetrics('sum(rate(foresight_messages_dead_lettered[5m]))'), ['foresight_messages_dead_lettered']);
    assert.deepEqual(unknownMetrics('foresight:consumer_lag:max{topic="foresight_nothing"}'), []);
  });
});
