// What the stack benchmarks share: their command-line options, output lines, quantiles, waiting for a condition and
// dropping what a run made on the stack.
import { deleteTopicsUnder, rawKafka } from '../integration/fixtures/messaging-stack.js';

/** A numeric `--name value` option of `args`, or `fallback` when absent. */
export function numericOption(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** Writes a progress line: to stdout, or to stderr when stdout carries the --json result. */
export function progressLog(json: boolean): (line: string) => void {
  return (line) => {
    if (!json) process.stdout.write(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  };
}

/** The q-quantile of `values` (nearest rank), NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Deletes a benchmark run's topics (under `prefix`), graph namespace and key prefix, then closes its stores; best effort. */
export async function dropBenchWorld(clientId: string, prefix: string, graph: { dropNamespace(): Promise<void>; close(): Promise<void> }, state: { dropPrefix(): Promise<void>; close(): Promise<void> }): Promise<void> {
  const admin = rawKafka(clientId).admin();
  await admin.connect();
  await deleteTopicsUnder(admin, prefix);
  await admin.disconnect();
  await graph.dropNamespace().catch(() => undefined);
  await state.dropPrefix().catch(() => undefined);
  await Promise.allSettled([graph.close(), state.close()]);
}
