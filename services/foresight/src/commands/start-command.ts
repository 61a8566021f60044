import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProgress, formatSummary, renderReport, runSimulation, type SimulationOptions } from '@foresight/embedded';

/** `foresight start|demo` flags. */
export const START_USAGE = `Usage: foresight start [--vms N] [--duration 60m] [--seed S] [--incidents N] [--out DIR] [--stack]
  Runs all four services in one process on the embedded defaults against a simulated fleet, faster than real time,
  then prints a summary and writes DIR/report.html (self-contained), DIR/summary.txt and DIR/result.json.
  --vms N         fleet size (default 2000)
  --duration D    simulated time over which incidents start: 90s, 60m, 1h (default 60m); the run adds the 30 min horizon
  --seed S        world and incidents seed (default 1)
  --incidents N   incidents over the duration (default one every 90 s)
  --out DIR       output folder (default out/foresight)
  --stack         run against the real stack instead of the embedded defaults (not yet: see below)
`;

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
  if (!Number.isInteger(v)) throw new Error(`--${name} must be an integer, got '${text}'`);
  return v;
}

/** `foresight start`: the whole pipeline, embedded, on a simulated fleet, with a progress line, a summary and a report. */
export async function startCommand(args: readonly string[]): Promise<number> {
  let options: Partial<SimulationOptions>;
  let out: string;
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        vms: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' }, incidents: { type: 'string' }, out: { type: 'string' },
        stack: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help === true) {
      process.stdout.write(START_USAGE);
      return 0;
    }
    if (values.stack === true) {
      process.stderr.write('foresight start --stack: not yet. Against the real stack, run the services with `foresight stack up && foresight run all`;\n' +
        'the simulated fleet is only wired to the embedded defaults for now.\n');
      return 2;
    }
    const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
    if (values.duration !== undefined && durationMs === undefined) throw new Error(`--duration must look like 90s, 60m or 1h, got '${values.duration}'`);
    const vms = integer('vms', values.vms);
    const seed = integer('seed', values.seed);
    const incidents = integer('incidents', values.incidents);
    options = {
      ...(vms === undefined ? {} : { vms }), ...(seed === undefined ? {} : { seed }), ...(incidents === undefined ? {} : { incidents }),
      ...(durationMs === undefined ? {} : { durationMs }),
    };
    out = resolve(values.out ?? join('out', 'foresight'));
  } catch (error) {
    process.stderr.write(`foresight start: ${(error as Error).message}\n\n${START_USAGE}`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  process.stderr.write(`foresight: simulating ${options.vms ?? 2000} VMs; all four services in one process (in-memory bus with Avro validation, in-memory stores)\n`);
  const result = await runSimulation(options, {
    wallClock: () => performance.now(),
    progressEveryMs: tty ? 30_000 : 10 * 60_000,
    onProgress: (p) => process.stderr.write(tty ? `\r${formatProgress(p)}\x1b[K` : `${formatProgress(p)}\n`),
  });
  if (tty) process.stderr.write('\n');
  mkdirSync(out, { recursive: true });
  const summary = formatSummary(result);
  const { showcase: _showcase, ...json } = result;
  writeFileSync(join(out, 'report.html'), renderReport(result));
  writeFileSync(join(out, 'summary.txt'), `${summary}\n`);
  writeFileSync(join(out, 'result.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\n${summary}\n\nReport: ${join(out, 'report.html')} (open it in a browser; it needs no network)\n`);
  return 0;
}
