// `foresight eval`: runs the prequential evaluation on a simulated fleet and prints the report (and, with --json, one
// JSON object as the last line). Flags: --incidents N (500) --seed S (1) --vms N (1000) --bootstrap B (200)
// --topology FILE (graphology .json or .csv edge list instead of a generated fleet) --grant-benefit B (3: utility of a
// useful grant against a wasted one, from which the grant threshold is learned) --no-ablations --json --out FILE.
import { readFileSync, writeFileSync } from 'node:fs';
import { formatReport, resultJson, runEvaluation, summarise } from '@foresight/evaluation';
import { loadCsvEdgeList, loadGraphologyJson } from '@foresight/sim';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

function numberFlag(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`--${name} needs a positive integer, got ${raw}\n`);
    process.exit(2);
  }
  return v;
}

function positiveFlag(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`--${name} needs a positive number, got ${raw}\n`);
    process.exit(2);
  }
  return v;
}

const seed = numberFlag('seed', 1);
const topologyFile = flag('topology');
const world = topologyFile === undefined ? undefined
  : topologyFile.endsWith('.csv') ? loadCsvEdgeList(readFileSync(topologyFile, 'utf8'), seed) : loadGraphologyJson(readFileSync(topologyFile, 'utf8'), seed);
const started = process.hrtime.bigint();
const run = runEvaluation({
  incidents: numberFlag('incidents', 500), seed, vms: numberFlag('vms', 1000), bootstrap: numberFlag('bootstrap', 200),
  ablations: !process.argv.includes('--no-ablations'), usefulGrantBenefit: positiveFlag('grant-benefit', 3), ...(world === undefined ? {} : { world }),
}, (done, total) => {
  if (done % 50 === 0 || done === total) process.stderr.write(`  ${done}/${total} incidents\n`);
});
const result = summarise(run);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const report = `${formatReport(result)}\n(${seconds.toFixed(1)} s)`;
process.stdout.write(`${report}\n`);
const json = JSON.stringify(resultJson(result));
const out = flag('out');
if (out !== undefined) writeFileSync(out, `${report}\n${json}\n`);
if (process.argv.includes('--json')) process.stdout.write(`${json}\n`);
