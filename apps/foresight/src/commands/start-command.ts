import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_SIMULATION_OPTIONS, dropStackRun, embeddedRuntime, formatDuration, formatProgress, formatSummary, probeStack, renderReport, runSimulation,
  stackRuntime, type PipelineRuntime, type SimulationOptions, type StackConnection,
} from '../index.js';
import { redactUrl } from '@foresight/messaging';
import type { Env } from '@foresight/service-kit';
import { readStackConnection, STACK_SETTINGS } from '../stack-config.js';

/** What `--stack` simulates unless told otherwise: smaller than the embedded default, because every step waits for Kafka. */
export const STACK_DEFAULTS: Readonly<Pick<SimulationOptions, 'vms' | 'durationMs'>> = Object.freeze({ vms: 300, durationMs: 30 * 60_000 });

/** `foresight start|demo` flags. */
export const START_USAGE = `Usage: foresight start [--vms N] [--duration 60m] [--seed S] [--incidents N] [--out DIR] [--stack [--keep] [--run-id ID]]
  Runs all four services in one process against a simulated fleet, faster than real time, then prints a summary and
  writes DIR/report.html (self-contained), DIR/summary.txt and DIR/result.json.
  --vms N         fleet size (default 2000; 300 with --stack)
  --duration D    simulated time over which incidents start: 90s, 60m, 1h (default 60m; 30m with --stack); the run adds
                  the 30 min horizon
  --seed S        world and incidents seed (default 1)
  --incidents N   incidents over the duration (default one every 90 s)
  --out DIR       output folder (default out/foresight)
  --stack         the same services on the real stack instead of the embedded defaults: Kafka and the schema registry,
                  Neo4j, Redis, reached through the services' own settings (FORESIGHT_KAFKA_*, FORESIGHT_SCHEMA_REGISTRY_*,
                  FORESIGHT_NEO4J_*, FORESIGHT_REDIS_*; defaults: the local stack of \`npm run stack:up\`). The run gets
                  its own topics, groups, namespace and keys: <prefix>sim-<seed>-<run id>; every step waits until every
                  consumer group has caught up, so it is slower than embedded.
  --keep          with --stack: leave the run's topics, Neo4j namespace and Redis keys (default: dropped at the end)
  --run-id ID     with --stack: the run id in those names (default: random)
`;

/** A parsed `foresight start` command line. */
export interface StartRequest {
  readonly options: Partial<SimulationOptions>;
  readonly out: string;
  readonly stack: boolean;
  readonly keep: boolean;
  readonly runId: string | undefined;
}

/** Where the command reads its environment and writes its output (the process, or a test's capture). */
export interface StartShell {
  readonly env: Env;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly tty: boolean;
}

const PROCESS_SHELL: StartShell = {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  tty: process.stderr.isTTY,
};

/** Parses `90s`, `60m`, `1h` or a plain number of minutes into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'm') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isInteger(v)) throw new Error(`--${name} must be an integer, got '${text}'`);
  return v;
}

/** Parses the flags; 'help' for --help; throws an Error naming the bad flag. */
export function parseStartArgs(args: readonly string[]): StartRequest | 'help' {
  const { values } = parseArgs({
    args: [...args],
    options: {
      vms: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' }, incidents: { type: 'string' }, out: { type: 'string' },
      stack: { type: 'boolean' }, keep: { type: 'boolean' }, 'run-id': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) return 'help';
  const stack = values.stack === true;
  if (!stack && values.keep === true) throw new Error('--keep only applies with --stack');
  if (!stack && values['run-id'] !== undefined) throw new Error('--run-id only applies with --stack');
  const runId = values['run-id'];
  if (runId !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(runId)) throw new Error(`--run-id must be 1-40 letters, digits, _ or -, got '${runId}'`);
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  if (values.duration !== undefined && durationMs === undefined) throw new Error(`--duration must look like 90s, 60m or 1h, got '${values.duration}'`);
  const vms = integer('vms', values.vms);
  const seed = integer('seed', values.seed);
  const incidents = integer('incidents', values.incidents);
  const defaults = stack ? STACK_DEFAULTS : {};
  const options: Partial<SimulationOptions> = {
    ...defaults,
    ...(vms === undefined ? {} : { vms }), ...(seed === undefined ? {} : { seed }), ...(incidents === undefined ? {} : { incidents }),
    ...(durationMs === undefined ? {} : { durationMs }),
  };
  return { options, out: resolve(values.out ?? join('out', 'foresight')), stack, keep: values.keep === true, runId };
}

/** The stack's connection for this run, checked: undefined (and the reason written) when a setting is bad or a server does not answer. */
async function connectStack(request: StartRequest, shell: StartShell): Promise<StackConnection | undefined> {
  let stack: StackConnection;
  try {
    stack = readStackConnection(shell.env, { seed: request.options.seed ?? DEFAULT_SIMULATION_OPTIONS.seed, runId: request.runId ?? randomUUID().slice(0, 8) });
  } catch (error) {
    shell.stderr(`foresight start --stack: ${redactUrl((error as Error).message)}\n`);
    return undefined;
  }
  const problems = await probeStack(stack);
  if (problems.length === 0) return stack;
  shell.stderr(`foresight start --stack: the stack does not answer (${problems.length} of 4):\n`);
  for (const p of problems) shell.stderr(redactUrl(`  ${p.dependency} at ${p.address} (${STACK_SETTINGS[p.dependency].join(', ')}): ${p.detail}\n`));
  shell.stderr('Start the local stack with `npm run stack:up` (or `foresight stack up`), or point those settings at yours (docs/operations.md).\n');
  return undefined;
}

/** `foresight start`: the whole pipeline on a simulated fleet (embedded, or --stack), with a progress line, a summary and a report. */
export async function startCommand(args: readonly string[], shell: StartShell = PROCESS_SHELL): Promise<number> {
  let request: StartRequest;
  try {
    const parsed = parseStartArgs(args);
    if (parsed === 'help') {
      shell.stdout(START_USAGE);
      return 0;
    }
    request = parsed;
  } catch (error) {
    shell.stderr(`foresight start: ${(error as Error).message}\n\n${START_USAGE}`);
    return 2;
  }
  const stack = request.stack ? await connectStack(request, shell) : undefined;
  if (request.stack && stack === undefined) return 1;
  const runtime: PipelineRuntime = stack === undefined ? embeddedRuntime() : stackRuntime(stack);
  const o = { ...DEFAULT_SIMULATION_OPTIONS, ...request.options };
  shell.stderr(`foresight: simulating ${o.vms} VMs, incidents over ${formatDuration(o.durationMs)} (+ the 30 min horizon), seed ${o.seed}; ${runtime.description}\n`);
  if (stack !== undefined) {
    shell.stderr(`foresight: every step waits until each consumer group has caught up on Kafka; the run's data is ${request.keep ? 'kept (--keep)' : 'dropped at the end (--keep leaves it)'}\n`);
  }
  // NOTE: with --stack, a first Ctrl-C stops the run at its next step so its data can be dropped; a second one kills.
  const interrupted = new AbortController();
  const interrupt = (): void => interrupted.abort(new Error('interrupted (SIGINT)'));
  if (stack !== undefined) process.once('SIGINT', interrupt);
  let result;
  try {
    result = await runSimulation(request.options, {
      runtime,
      signal: interrupted.signal,
      wallClock: () => performance.now(),
      progressEveryMs: shell.tty ? 30_000 : 10 * 60_000,
      onProgress: (p) => shell.stderr(shell.tty ? `\r${formatProgress(p)}\x1b[K` : `${formatProgress(p)}\n`),
    });
  } catch (error) {
    shell.stderr(`${shell.tty ? '\n' : ''}foresight start${stack === undefined ? '' : ' --stack'}: the run failed: ${(error as Error).message}\n`);
    if (stack !== undefined) await settleStackRun(stack, request.keep, shell);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
  if (shell.tty) shell.stderr('\n');
  mkdirSync(request.out, { recursive: true });
  const summary = formatSummary(result);
  const { showcase: _showcase, ...json } = result;
  writeFileSync(join(request.out, 'report.html'), renderReport(result));
  writeFileSync(join(request.out, 'summary.txt'), `${summary}\n`);
  writeFileSync(join(request.out, 'result.json'), `${JSON.stringify(json, null, 2)}\n`);
  shell.stdout(`\n${summary}\n\nReport: ${join(request.out, 'report.html')} (open it in a browser; it needs no network)\n`);
  return stack === undefined || (await settleStackRun(stack, request.keep, shell)) ? 0 : 1;
}

/** Drops the run's data from the stack, or says where it is with --keep; false when dropping failed. */
async function settleStackRun(stack: StackConnection, keep: boolean, shell: StartShell): Promise<boolean> {
  const names = `topics and consumer groups ${stack.topicPrefix}*, Neo4j namespace ${stack.neo4jNamespace}, Redis keys ${stack.redisKeyPrefix}*`;
  if (keep) {
    shell.stderr(`foresight: left on the stack (--keep): ${names}. \`npm run stack:down\` wipes the local stack.\n`);
    return true;
  }
  try {
    const dropped = await dropStackRun(stack);
    shell.stderr(`foresight: dropped the run's data: ${dropped.topics.length} topics, ${dropped.groups.length} groups, ${dropped.subjects.length} registry subjects, ` +
      `Neo4j namespace ${stack.neo4jNamespace}, Redis keys ${stack.redisKeyPrefix}*\n`);
    return true;
  } catch (error) {
    shell.stderr(`foresight: could not drop the run's data (${names}): ${(error as Error).message}\n`);
    return false;
  }
}
