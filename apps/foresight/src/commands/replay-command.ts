import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { replayInto, replaySummary, replayWarnings, type PathwayAgeing, type ReplayReport } from '../index.js';
import { formatDuration, parseDuration } from '@foresight/service-kit';
import { DEFAULT_TOPOLOGY_BUILDER_OPTIONS } from '@foresight/topology-builder';

/** `foresight replay` usage. */
export const REPLAY_USAGE = `Usage: foresight replay FILE [--out FILE] [--learning on|off] [--pathway-stale-after DURATION | --no-pathway-expiry]
                        [--pathway-half-life DURATION]
  Feeds recorded events (NDJSON, one {"topic": …, "message": …} per line, topics inventory, hosts, flows, anomalies,
  allocation-outcomes, model; messages in the topic schemas of schemas/*.avsc) through the embedded pipeline in file
  order, and writes the risk assessments, allocation commands and model versions it published as NDJSON (stdout, or
  --out FILE), as they are produced. Counts and warnings go to stderr.
  --learning on|off                off: the learner does not run; the default model (or the input's model lines) stays (default on)
  --pathway-stale-after DURATION   a pathway with no flow window for this long (event time) is removed (default ${formatDuration(DEFAULT_TOPOLOGY_BUILDER_OPTIONS.staleAfterMs)})
  --no-pathway-expiry              pathways are never removed (their traffic still fades with the half-life)
  --pathway-half-life DURATION     half-life of the pathway features and of the fading of unobserved traffic (default ${formatDuration(DEFAULT_TOPOLOGY_BUILDER_OPTIONS.halfLifeMs)})
  Durations: 90s, 45m, 2h, 1h30m.
  Example: foresight replay examples/replay/small.ndjson   (format: examples/replay/README.md)
`;

/** What `foresight replay` was asked. */
export interface ReplayArguments {
  readonly file: string;
  readonly out: string | undefined;
  readonly learning: boolean;
  readonly pathways: PathwayAgeing;
}

function positiveDuration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new Error(`${flag} must be a positive duration such as 45m or 2h, got '${text}'`);
  return ms;
}

/** Parses the flags of `foresight replay`; throws naming a bad one. */
export function parseReplayArguments(args: readonly string[]): ReplayArguments | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      out: { type: 'string' }, learning: { type: 'string', default: 'on' }, 'pathway-stale-after': { type: 'string' }, 'no-pathway-expiry': { type: 'boolean' },
      'pathway-half-life': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help === true) return 'help';
  if (positionals.length !== 1) throw new Error('expected exactly one FILE');
  if (values.learning !== 'on' && values.learning !== 'off') throw new Error(`--learning must be on or off, got '${values.learning}'`);
  const staleAfter = values['pathway-stale-after'];
  if (staleAfter !== undefined && values['no-pathway-expiry'] === true) throw new Error('--pathway-stale-after and --no-pathway-expiry exclude each other');
  const halfLife = values['pathway-half-life'];
  const pathways: PathwayAgeing = {
    ...(values['no-pathway-expiry'] === true ? { staleAfterMs: 'never' as const } : {}),
    ...(staleAfter === undefined ? {} : { staleAfterMs: positiveDuration('--pathway-stale-after', staleAfter) }),
    ...(halfLife === undefined ? {} : { halfLifeMs: positiveDuration('--pathway-half-life', halfLife) }),
  };
  return { file: positionals[0], out: values.out, learning: values.learning === 'on', pathways };
}

/** Writes one line, waiting for the stream to drain when its buffer is full (the output is never held whole). */
async function writeLine(sink: Writable, text: string): Promise<void> {
  if (!sink.write(text)) await once(sink, 'drain');
}

/** `foresight replay FILE [--out FILE] [--learning on|off] [pathway ageing]`: a recording in, Foresight's output out. */
export async function replayCommand(args: readonly string[]): Promise<number> {
  let parsed: ReplayArguments;
  try {
    const result = parseReplayArguments(args);
    if (result === 'help') {
      process.stdout.write(REPLAY_USAGE);
      return 0;
    }
    parsed = result;
  } catch (error) {
    process.stderr.write(`foresight replay: ${(error as Error).message}\n\n${REPLAY_USAGE}`);
    return 2;
  }
  const { file, out } = parsed;
  const sink: Writable = out === undefined ? process.stdout : createWriteStream(out);
  let report: ReplayReport;
  try {
    const input = createReadStream(file);
    report = await replayInto(createInterface({ input, crlfDelay: Infinity }), (line) => writeLine(sink, `${JSON.stringify(line)}\n`), {
      learning: parsed.learning, pathways: parsed.pathways,
    });
  } catch (error) {
    process.stderr.write(`foresight replay: ${file}: ${(error as Error).message}\n`);
    if (sink !== process.stdout) sink.end();
    return 1;
  }
  if (sink !== process.stdout) await new Promise<void>((done) => sink.end(done));
  for (const warning of replayWarnings(report)) process.stderr.write(`foresight replay: ${warning}\n`);
  process.stderr.write(`foresight replay: ${replaySummary(report)}${out === undefined ? '' : `; written to ${out}`}\n`);
  return 0;
}
