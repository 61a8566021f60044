import { parseArgs } from 'node:util';
import { ConfigError, readConfig, redisKeyPrefixSetting, redisSettings, type Env, type RedisSettings } from '@foresight/service-kit';
import { redactUrl } from '@foresight/messaging';
import { isStoreError, RedisRiskReadModel, type RiskReadModel } from '@foresight/stores';
import { formatIncidentRisk, formatVmRisk } from '../risk-table.js';
import { STACK_SETTINGS } from '../stack-config.js';
import type { RunOutput } from './run-command.js';

/** How many at-risk VMs `risk incident` lists unless --limit says otherwise, and the most it lists. */
export const DEFAULT_RISK_LIMIT = 20;
const MAX_RISK_LIMIT = 10_000;

/** `foresight risk` usage. */
export const RISK_USAGE = `Usage: foresight risk incident <incidentId> [--limit N] [--json]
       foresight risk vm <vmId> [--json]
  Reads the hot scores the propagation scorer keeps in Redis for every incident's latest risk version.
  incident   the incident's at-risk VMs, likeliest first: probability and ETA (event time), and the risk version
             (--limit N: at most N VMs, default ${DEFAULT_RISK_LIMIT}). Exit 1 when the incident has no live scores (unknown,
             or expired after FORESIGHT_SCORE_TTL); a closed incident has a version and no VM.
  vm         every live incident that scores the VM, highest probability first, with its version and ETA.
  --json     one JSON object on stdout instead of a table (vm: incidents [] when nothing threatens it).
  Redis comes from the services' settings: FORESIGHT_REDIS_HOST, _PORT, _USERNAME, _PASSWORD, _TLS, _DB, and the
  keys from FORESIGHT_REDIS_KEY_PREFIX (docs/operations.md).
`;

/** What `foresight risk` was asked. */
export type RiskQuery =
  | { readonly kind: 'incident'; readonly incidentId: string; readonly limit: number; readonly json: boolean }
  | { readonly kind: 'vm'; readonly vmId: string; readonly json: boolean };

/** Where the hot scores are: the services' Redis settings and key prefix. */
export interface RiskConnection {
  readonly redis: RedisSettings;
  readonly keyPrefix: string;
}

/** A read model the command closes when done. */
export type ClosableRiskReadModel = RiskReadModel & { close(): Promise<void> };

/** What the command reads from and writes to (tests inject an in-memory store and capture the output). */
export interface RiskCommandDeps {
  readonly output: RunOutput;
  readonly env: Env;
  readonly open: (connection: RiskConnection) => ClosableRiskReadModel;
  /** Wall clock, for "in 3m 20s" beside an ETA. */
  readonly now: () => number;
}

const DEFAULT_DEPS: RiskCommandDeps = {
  output: { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) },
  env: process.env,
  // An operator's query fails fast rather than retrying across reconnects.
  open: ({ redis, keyPrefix }) => new RedisRiskReadModel({ ...redis, keyPrefix, connectTimeoutMs: 3_000, maxRetriesPerRequest: 1 }),
  now: Date.now,
};

/** Parses `foresight risk` arguments; throws naming the bad one. */
export function parseRiskArguments(args: readonly string[]): RiskQuery | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { limit: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help === true || positionals[0] === 'help') return 'help';
  const [kind, id, ...rest] = positionals;
  if (kind !== 'incident' && kind !== 'vm') throw new Error(kind === undefined ? 'expected incident or vm' : `expected incident or vm, got '${kind}'`);
  if (id === undefined || id === '') throw new Error(`expected the ${kind === 'incident' ? 'incidentId' : 'vmId'} after ${kind}`);
  if (rest.length > 0) throw new Error(`unexpected argument '${rest[0]}'`);
  if (kind === 'vm') {
    if (values.limit !== undefined) throw new Error('--limit applies to risk incident only');
    return { kind, vmId: id, json: values.json };
  }
  const limit = values.limit === undefined ? DEFAULT_RISK_LIMIT : Number(values.limit);
  if (values.limit !== undefined && (!/^\d+$/.test(values.limit) || limit < 1 || limit > MAX_RISK_LIMIT)) {
    throw new Error(`--limit must be a whole number from 1 to ${MAX_RISK_LIMIT}, got '${values.limit}'`);
  }
  return { kind, incidentId: id, limit, json: values.json };
}

/** Reads where the hot scores are exactly as the services do; ConfigError names every bad variable. */
export function readRiskConnection(env: Env): RiskConnection {
  const c = readConfig(env, { redis: redisSettings(), keyPrefix: redisKeyPrefixSetting() });
  return { redis: c.redis, keyPrefix: c.keyPrefix };
}

/** `foresight risk incident <incidentId> [--limit N] [--json]` and `foresight risk vm <vmId> [--json]`. */
export async function riskCommand(args: readonly string[], deps: Partial<RiskCommandDeps> = {}): Promise<number> {
  const { output, env, open, now } = { ...DEFAULT_DEPS, ...deps };
  let query: RiskQuery;
  let connection: RiskConnection;
  try {
    const parsed = parseRiskArguments(args);
    if (parsed === 'help') {
      output.stdout(RISK_USAGE);
      return 0;
    }
    query = parsed;
    connection = readRiskConnection(env);
  } catch (error) {
    output.stderr(`foresight risk: ${redactUrl((error as Error).message)}\n${error instanceof ConfigError ? '' : `\n${RISK_USAGE}`}`);
    return 2;
  }
  const model = open(connection);
  try {
    if (query.kind === 'incident') {
      const scores = await model.topIncidentScores(query.incidentId, query.limit);
      if (scores === undefined) {
        output.stderr(`foresight risk: incident ${query.incidentId} has no live hot scores under key prefix '${connection.keyPrefix}' (unknown, or expired after FORESIGHT_SCORE_TTL)\n`);
        return 1;
      }
      output.stdout(query.json ? `${JSON.stringify(scores)}\n` : formatIncidentRisk(scores, query.limit, now()));
      return 0;
    }
    const risk = await model.vmRisk(query.vmId);
    output.stdout(query.json ? `${JSON.stringify(risk ?? { vmId: query.vmId, maxProbability: 0, incidents: [] })}\n` : formatVmRisk(query.vmId, risk, now()));
    return 0;
  } catch (error) {
    output.stderr(`foresight risk: ${redactUrl(describeFailure(error, connection))}\n`);
    return isStoreError(error, 'INVALID_INPUT') ? 2 : 1;
  } finally {
    await model.close();
  }
}

function describeFailure(error: unknown, { redis }: RiskConnection): string {
  const message = error instanceof Error ? error.message : String(error);
  if (isStoreError(error, 'STORE_UNAVAILABLE')) {
    return `Redis at ${redis.host}:${redis.port} did not answer (set ${STACK_SETTINGS.redis.join(' and ')}; is the stack up? foresight stack status): ${message}`;
  }
  if (isStoreError(error, 'STORE_FAILURE')) {
    return `Redis at ${redis.host}:${redis.port} refused the read (check FORESIGHT_REDIS_USERNAME, FORESIGHT_REDIS_PASSWORD, FORESIGHT_REDIS_TLS, FORESIGHT_REDIS_DB): ${message}`;
  }
  return message;
}
