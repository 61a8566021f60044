import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { importNezha, type NezhaImport } from '../nezha/nezha-import.js';

/** `foresight import` usage. */
export const IMPORT_USAGE = `Usage: foresight import nezha DIR [--out FILE] [--labels FILE] [--with-reached]
  Turns the Nezha Online Boutique data set (DIR holds rca_data/ and construct_data/) into replay input (NDJSON, one
  {"topic": …, "message": …} per line, in event-time order): a host per node, a VM per pod, API_CALL flows per trace
  minute from parent/child spans across pods, and each injected fault as an anomaly of its pod (OPEN, then RESOLVED).
  --out FILE       the replay input (default: stdout)
  --labels FILE    per fault (NDJSON): faultId, pod, type, injectedAt and the services the reach rule says it reached
  --with-reached   also report the reached pods' anomalies, as monitoring would (what the learner learns from)
  Then: foresight replay FILE. Details: docs/ingestion-nezha.md
`;

/** What the import prints on stderr: per day, what it found, and the reach rule's false flags on fault-free minutes. */
export function importSummary(result: NezhaImport): string {
  const lines = result.days.map((d) => {
    const f = d.falseFlags;
    return `  ${d.day}: ${d.pods} pods on ${d.hosts} nodes, ${d.faults} faults, ${d.traceFiles} trace minutes → ${d.flows} flow windows (+${d.heldFlows} held through gaps); `
      + `reach rule on fault-free minutes: ${f.flagged}/${f.checks} pod checks flagged at ${f.pseudoInjections} pseudo-injections`;
  });
  const reached = result.labels.filter((l) => l.reached.length > 0).length;
  return `${lines.join('\n')}\n  ${result.lines.length} lines; ${reached}/${result.labels.length} faults reached another service\n`;
}

/** `foresight import nezha DIR [--out FILE] [--labels FILE] [--with-reached]`. */
export async function importCommand(args: readonly string[]): Promise<number> {
  let dir: string;
  let values: { out?: string; labels?: string; 'with-reached'?: boolean; help?: boolean };
  try {
    const parsed = parseArgs({
      args: [...args], allowPositionals: true, strict: true,
      options: { out: { type: 'string' }, labels: { type: 'string' }, 'with-reached': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    values = parsed.values;
    if (values.help === true) {
      process.stdout.write(IMPORT_USAGE);
      return 0;
    }
    const [format, folder, ...rest] = parsed.positionals;
    if (format !== 'nezha') throw new Error(`unknown format '${format ?? ''}' (known: nezha)`);
    if (folder === undefined || rest.length > 0) throw new Error('expected exactly one DIR');
    dir = folder;
  } catch (error) {
    process.stderr.write(`foresight import: ${(error as Error).message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  let result: NezhaImport;
  try {
    result = await importNezha(dir, { withReached: values['with-reached'] === true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    process.stderr.write(`foresight import: ${code === undefined ? '' : `${code}: `}${(error as Error).message}\n`);
    return 1;
  }
  await writeLines(values.out, result.lines.map((l) => JSON.stringify(l)));
  if (values.labels !== undefined) await writeLines(values.labels, result.labels.map((l) => JSON.stringify(l)));
  process.stderr.write(`foresight import nezha ${dir}\n${importSummary(result)}`);
  return 0;
}

async function writeLines(path: string | undefined, lines: readonly string[]): Promise<void> {
  const sink = path === undefined ? process.stdout : createWriteStream(path);
  for (const line of lines) sink.write(`${line}\n`);
  if (sink !== process.stdout) await new Promise<void>((done) => sink.end(done));
}
