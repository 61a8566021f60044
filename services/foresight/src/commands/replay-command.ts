import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { replayRecording } from '@foresight/embedded';

/** `foresight replay` usage. */
export const REPLAY_USAGE = `Usage: foresight replay FILE [--out FILE] [--learning on|off]
  Feeds recorded events (NDJSON, one {"topic": …, "message": …} per line, topics inventory, hosts, flows, anomalies,
  allocation-outcomes, model; messages in the topic schemas of schemas/*.avsc) through the embedded pipeline in file
  order, and writes the risk assessments, allocation commands and model versions it published as NDJSON (stdout, or
  --out FILE).
  --learning on|off   off: the learner does not run; the default model (or the input's model lines) stays (default on)
  Example: foresight replay examples/replay/small.ndjson   (format: examples/replay/README.md)
`;

/** `foresight replay FILE [--out FILE]`: a recording in, Foresight's risk and allocations out. */
export async function replayCommand(args: readonly string[]): Promise<number> {
  let file: string;
  let out: string | undefined;
  let learning: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: [...args], options: { out: { type: 'string' }, learning: { type: 'string', default: 'on' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true,
    });
    if (values.help === true) {
      process.stdout.write(REPLAY_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('expected exactly one FILE');
    file = positionals[0];
    out = values.out;
    if (values.learning !== 'on' && values.learning !== 'off') throw new Error(`--learning must be on or off, got '${values.learning}'`);
    learning = values.learning === 'on';
  } catch (error) {
    process.stderr.write(`foresight replay: ${(error as Error).message}\n\n${REPLAY_USAGE}`);
    return 2;
  }
  let lines;
  try {
    lines = await replayRecording(createInterface({ input: createReadStream(file), crlfDelay: Infinity }), { learning });
  } catch (error) {
    process.stderr.write(`foresight replay: ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  const sink = out === undefined ? process.stdout : createWriteStream(out);
  for (const line of lines) sink.write(`${JSON.stringify(line)}\n`);
  if (sink !== process.stdout) await new Promise<void>((done) => sink.end(done));
  const risks = lines.filter((l) => l.topic === 'risk').length;
  const models = lines.filter((l) => l.topic === 'model').length;
  process.stderr.write(`foresight replay: ${risks} risk assessment(s), ${lines.length - risks - models} allocation command(s), ${models} model version(s)${out === undefined ? '' : ` written to ${out}`}\n`);
  return 0;
}
