import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { InMemoryStateStore, StoreError, type RiskReadModel } from '@foresight/stores';
import { main } from '../src/cli.js';
import { DEFAULT_RISK_LIMIT, RISK_USAGE, parseRiskArguments, riskCommand, type RiskCommandDeps, type RiskConnection } from '../src/commands/risk-command.js';
import { USAGE } from '../src/help.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;

/** The command on an in-memory store: what it printed, and where it was asked to connect. */
function harness(store: RiskReadModel & { close(): Promise<void> } = new InMemoryStateStore(), env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const opened: RiskConnection[] = [];
  let closed = 0;
  const deps: RiskCommandDeps = {
    output: { stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) },
    env,
    open: (connection) => {
      opened.push(connection);
      return { topIncidentScores: (i, l) => store.topIncidentScores(i, l), vmRisk: (v) => store.vmRisk(v), close: () => { closed += 1; return Promise.resolve(); } };
    },
    now: () => NOW,
  };
  return { deps, out, err, opened, closed: () => closed, run: (args: readonly string[]) => riskCommand(args, deps) };
}

async function scored(): Promise<InMemoryStateStore> {
  const store = new InMemoryStateStore();
  await store.putIncidentScores('inc-1', 4, [
    { vmId: 'vm-a', probability: 0.31, etaAt: NOW + 200_000 },
    { vmId: 'vm-b', probability: 0.9, etaAt: NOW + 45_000 },
    { vmId: 'vm-c', probability: 0.5, etaAt: NOW - 60_000 },
  ], HOUR);
  await store.putIncidentScores('inc-2', 2, [{ vmId: 'vm-a', probability: 0.62, etaAt: NOW + 2 * HOUR + 5 * 60_000 }], HOUR);
  return store;
}

describe('foresight risk arguments', () => {
  it('reads incident with a default or given limit, and vm, with --json', () => {
    assert.deepEqual(parseRiskArguments(['incident', 'inc-1']), { kind: 'incident', incidentId: 'inc-1', limit: DEFAULT_RISK_LIMIT, json: false });
    assert.deepEqual(parseRiskArguments(['incident', 'inc-1', '--limit', '5', '--json']), { kind: 'incident', incidentId: 'inc-1', limit: 5, json: true });
    assert.deepEqual(parseRiskArguments(['vm', 'vm-a', '--json']), { kind: 'vm', vmId: 'vm-a', json: true });
  });

  it('refuses bad arguments with exit 2, naming the problem, without connecting', async () => {
    const cases: [string[], string][] = [
      [[], 'expected incident or vm'],
      [['host', 'h1'], "got 'host'"],
      [['incident'], 'expected the incidentId'],
      [['vm'], 'expected the vmId'],
      [['incident', 'a', 'b'], "unexpected argument 'b'"],
      [['incident', 'a', '--limit', '0'], "--limit must be a whole number from 1 to 10000, got '0'"],
      [['incident', 'a', '--limit', '1.5'], "got '1.5'"],
      [['incident', 'a', '--limit', 'ten'], "got 'ten'"],
      [['incident', 'a', '--limit', '10001'], "got '10001'"],
      [['incident', 'a', '--limit'], "'--limit <value>' argument missing"],
      [['vm', 'v', '--limit', '3'], '--limit applies to risk incident only'],
      [['vm', 'v', '--colour'], "'--colour'"],
    ];
    for (const [args, fragment] of cases) {
      const h = harness();
      assert.equal(await h.run(args), 2, args.join(' '));
      assert.deepEqual(h.out, [], args.join(' '));
      assert.ok(h.err.join('').includes(fragment), `${args.join(' ')}: ${h.err.join('')}`);
      assert.ok(h.err.join('').includes(RISK_USAGE), args.join(' '));
      assert.deepEqual(h.opened, [], args.join(' '));
    }
  });

  it('names a bad FORESIGHT_REDIS_* setting with exit 2, without connecting', async () => {
    const h = harness(undefined, { FORESIGHT_REDIS_PORT: 'sixty' });
    assert.equal(await h.run(['vm', 'v']), 2);
    assert.match(h.err.join(''), /FORESIGHT_REDIS_PORT/);
    assert.deepEqual(h.opened, []);
  });

  it('prints its usage for --help and help (exit 0), and foresight --help lists it', async () => {
    for (const args of [['--help'], ['-h'], ['help'], ['incident', 'x', '--help']]) {
      const h = harness();
      assert.equal(await h.run(args), 0, args.join(' '));
      assert.equal(h.out.join(''), RISK_USAGE);
    }
    for (const fragment of ['risk incident ID [--limit N] [--json]', 'risk vm ID [--json]']) assert.ok(USAGE.includes(fragment), fragment);
  });
});

describe('foresight risk incident', () => {
  it('lists the incident\'s VMs likeliest first with probability, ETA and the version, up to --limit', async () => {
    const h = harness(await scored(), { FORESIGHT_REDIS_KEY_PREFIX: 'prod:', FORESIGHT_REDIS_HOST: 'redis.internal', FORESIGHT_REDIS_PORT: '6380' });
    assert.equal(await h.run(['incident', 'inc-1', '--limit', '2']), 0);
    assert.equal(h.out.join(''), [
      'incident inc-1, risk version 4: its 2 likeliest at-risk VMs',
      '#  vm    probability  eta',
      '-  ----  -----------  ---------------------------------',
      '1  vm-b        0.900  2025-01-01T12:00:45Z (in 45s)',
      '2  vm-c        0.500  2025-01-01T11:59:00Z (1m 00s ago)',
      '',
    ].join('\n'));
    assert.deepEqual(h.err, []);
    assert.deepEqual(h.opened, [{ redis: { host: 'redis.internal', port: 6380, tls: false, db: 0 }, keyPrefix: 'prod:' }]);
    assert.equal(h.closed(), 1);
  });

  it('gives the same as one JSON object with --json', async () => {
    const h = harness(await scored());
    assert.equal(await h.run(['incident', 'inc-1', '--json']), 0);
    assert.deepEqual(JSON.parse(h.out.join('')), {
      incidentId: 'inc-1',
      version: 4,
      entries: [
        { vmId: 'vm-b', probability: 0.9, etaAt: NOW + 45_000 },
        { vmId: 'vm-c', probability: 0.5, etaAt: NOW - 60_000 },
        { vmId: 'vm-a', probability: 0.31, etaAt: NOW + 200_000 },
      ],
    });
    assert.deepEqual(h.opened.map((c) => c.keyPrefix), ['foresight:'], 'the services\' default key prefix');
  });

  it('says a closed incident threatens no VM', async () => {
    const store = await scored();
    await store.putIncidentScores('inc-1', 5, [], HOUR);
    const h = harness(store);
    assert.equal(await h.run(['incident', 'inc-1']), 0);
    assert.equal(h.out.join(''), 'incident inc-1, risk version 5: no VM at risk (closed, or its scores reach no VM)\n');
  });

  it('exits 1 naming the incident and the key prefix when it has no live scores', async () => {
    const h = harness(await scored());
    assert.equal(await h.run(['incident', 'inc-9', '--json']), 1);
    assert.deepEqual(h.out, []);
    assert.match(h.err.join(''), /incident inc-9 has no live hot scores under key prefix 'foresight:'.*FORESIGHT_SCORE_TTL/);
    assert.equal(h.closed(), 1);
  });
});

describe('foresight risk vm', () => {
  it('lists every live incident that scores the VM, highest probability first', async () => {
    const h = harness(await scored());
    assert.equal(await h.run(['vm', 'vm-a']), 0);
    assert.equal(h.out.join(''), [
      'vm vm-a: at risk from 2 live incidents, highest probability 0.620',
      'incident  version  probability  eta',
      '--------  -------  -----------  --------------------------------',
      'inc-2           2        0.620  2025-01-01T14:05:00Z (in 2h 05m)',
      'inc-1           4        0.310  2025-01-01T12:03:20Z (in 3m 20s)',
      '',
    ].join('\n'));
  });

  it('gives the risk as JSON, and no incidents for a VM nothing threatens (exit 0)', async () => {
    const h = harness(await scored());
    assert.equal(await h.run(['vm', 'vm-b', '--json']), 0);
    assert.deepEqual(JSON.parse(h.out.join('')), { vmId: 'vm-b', maxProbability: 0.9, incidents: [{ incidentId: 'inc-1', version: 4, probability: 0.9, etaAt: NOW + 45_000 }] });
    const quiet = harness(await scored());
    assert.equal(await quiet.run(['vm', 'vm-z', '--json']), 0);
    assert.deepEqual(JSON.parse(quiet.out.join('')), { vmId: 'vm-z', maxProbability: 0, incidents: [] });
    const table = harness(await scored());
    assert.equal(await table.run(['vm', 'vm-z']), 0);
    assert.equal(table.out.join(''), 'vm vm-z: no live incident scores it\n');
  });
});

describe('foresight risk when Redis does not answer', () => {
  it('exits 1 naming FORESIGHT_REDIS_HOST and FORESIGHT_REDIS_PORT (a store that is unavailable)', async () => {
    const down = {
      topIncidentScores: () => Promise.reject(new StoreError('STORE_UNAVAILABLE', 'redis topIncidentScores: connect ECONNREFUSED')),
      vmRisk: () => Promise.reject(new StoreError('STORE_UNAVAILABLE', 'redis vmRisk: connect ECONNREFUSED')),
      close: () => Promise.resolve(),
    };
    const h = harness(down, { FORESIGHT_REDIS_HOST: '10.0.0.9' });
    assert.equal(await h.run(['incident', 'inc-1']), 1);
    assert.match(h.err.join(''), /Redis at 10\.0\.0\.9:6379 did not answer \(set FORESIGHT_REDIS_HOST and FORESIGHT_REDIS_PORT;.*ECONNREFUSED/);
    assert.equal(h.closed(), 1);
  });

  it('exits 1 naming the settings on a real connection to a port nobody listens on', { timeout: 20_000 }, async () => {
    const err: string[] = [];
    const code = await riskCommand(['vm', 'vm-a'], {
      env: { FORESIGHT_REDIS_HOST: '127.0.0.1', FORESIGHT_REDIS_PORT: '1' },
      output: { stdout: () => assert.fail('nothing on stdout'), stderr: (text) => void err.push(text) },
    });
    assert.equal(code, 1);
    assert.match(err.join(''), /Redis at 127\.0\.0\.1:1 did not answer \(set FORESIGHT_REDIS_HOST and FORESIGHT_REDIS_PORT/);
  });
});

describe('foresight risk from the command line', () => {
  it('is dispatched by main', async () => {
    const write = mock.method(process.stdout, 'write', () => true);
    try {
      assert.equal(await main(['risk', '--help']), 0);
      assert.equal(write.mock.calls[0]?.arguments[0], RISK_USAGE);
    } finally {
      write.mock.restore();
    }
  });
});
