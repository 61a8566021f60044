// `foresight eval`: runs the prequential evaluation on a simulated fleet and prints the report (and, with --json, one
// JSON object as the last line). The flags are in USAGE below; an unknown flag or a bad value stops with exit code 2.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  describeWorldFamilies, evaluateWorld, formatReport, formatWorlds, namesSplit, parseWorldList, resultJson, runEvaluation, summarise, summariseWorlds, worldsJson,
  type WorldRunOptions,
} from '@foresight/evaluation';
import { loadCsvEdgeList, loadGraphologyJson } from '@foresight/sim';
import { DEFAULT_ALLOCATION_POLICY, DEGRADED_LEASES, type DegradedLeases } from '@foresight/core';

function isDegradedLeases(value: string): value is DegradedLeases {
  return (DEGRADED_LEASES as readonly string[]).includes(value);
}

const USAGE = `foresight eval [flags]: Foresight's estimators and allocation policies against baselines, on a simulated fleet
with a known truth (docs/evaluation.md).

  --incidents N              incidents in the stream (500)
  --seed S                   world and stream seed (1)
  --vms N                    generated fleet size (1000)
  --topology FILE            a graphology .json or a .csv edge list instead of a generated fleet
  --bootstrap B              bootstrap replicates of the 95% intervals (200)
  --grant-benefit B          utility of a useful grant against a wasted one (cost 1); learning tunes the grant
                             threshold from it (3; higher trades waste for protection)
  --reach D                  world knob: log-odds added to every true transmission intercept (0; > 0 widens
                             cascades), within [-5, 5]
  --detection-delay-scale F  world knob: factor on the monitoring's detection delay, 10 s + Exp(35 s) (1; < 1 is
                             faster monitoring), within (0, 10]
  --degraded-leases M        what the predictive policy does with a lease whose VM turns anomalous: keep (hold it
                             until the VM recovers, the lease expires or the incident closes) or handover (release it
                             to the autoscaler) (keep; docs/allocation-policy.md)
  --no-ablations             skip the ablation streams (about half the time)
  --worlds LIST              the world families instead of one world: all (every family at --seed), tuning,
                             held-out, or a comma list of family[@seed] (e.g. mesh,storage@7; families below).
                             Per world: learned vs frozen-default AUPRC, observable ceiling, oracle, the downstream
                             cut vs reactive and its share of a perfect prediction's; --incidents, --vms, --seed (not
                             with tuning or held-out: their seeds are fixed) apply to each. Never tune on held-out
                             worlds (docs/evaluation.md, "World families"). Families:
${describeWorldFamilies()}
  --json                     print one JSON object as the last line
  --out FILE                 also write the report and the JSON to FILE
  --help                     this text
`;

const VALUE_FLAGS = new Set(['incidents', 'seed', 'vms', 'topology', 'bootstrap', 'grant-benefit', 'reach', 'detection-delay-scale', 'degraded-leases', 'out', 'worlds']);
const SWITCHES = new Set(['no-ablations', 'json', 'help']);

function fail(message: string): never {
  process.stderr.write(`foresight eval: ${message}\n`);
  process.exit(2);
}

function parse(argv: readonly string[]): { values: Map<string, string>; switches: Set<string> } {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    if (name !== undefined && SWITCHES.has(name)) switches.add(name);
    else if (name !== undefined && VALUE_FLAGS.has(name)) {
      const value = argv[++i];
      if (value === undefined) fail(`--${name} needs a value`);
      values.set(name, value);
    } else fail(`unknown argument ${argv[i]} (see foresight eval --help)`);
  }
  return { values, switches };
}

const { values, switches } = parse(process.argv.slice(2));
if (switches.has('help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function numberFlag(name: string, fallback: number, valid: (v: number) => boolean, expected: string): number {
  const raw = values.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !valid(v)) fail(`--${name} needs ${expected}, got ${raw}`);
  return v;
}

const positiveInteger = (name: string, fallback: number): number => numberFlag(name, fallback, (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
const seed = positiveInteger('seed', 1);
const degradedLeases = values.get('degraded-leases') ?? DEFAULT_ALLOCATION_POLICY.degradedLeases;
if (!isDegradedLeases(degradedLeases)) fail(`--degraded-leases needs one of ${DEGRADED_LEASES.join(', ')}, got ${degradedLeases}`);
const worldList = values.get('worlds');
if (worldList !== undefined) {
  runWorlds(worldList, degradedLeases);
  // Exit once stdout has flushed: the single-world run below must not start.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(0);
}
const topologyFile = values.get('topology');
const world = topologyFile === undefined ? undefined
  : topologyFile.endsWith('.csv') ? loadCsvEdgeList(readFileSync(topologyFile, 'utf8'), seed) : loadGraphologyJson(readFileSync(topologyFile, 'utf8'), seed);
const started = process.hrtime.bigint();
const run = runEvaluation({
  incidents: positiveInteger('incidents', 500), seed, vms: positiveInteger('vms', 1000), bootstrap: positiveInteger('bootstrap', 200),
  ablations: !switches.has('no-ablations'),
  usefulGrantBenefit: numberFlag('grant-benefit', 3, (v) => Number.isFinite(v) && v > 0, 'a positive number'),
  reach: numberFlag('reach', 0, (v) => Number.isFinite(v) && v >= -5 && v <= 5, 'a number of log-odds within [-5, 5]'),
  detectionDelayScale: numberFlag('detection-delay-scale', 1, (v) => Number.isFinite(v) && v > 0 && v <= 10, 'a factor within (0, 10]'),
  degradedLeases,
  ...(world === undefined ? {} : { world }),
}, (done, total) => {
  if (done % 50 === 0 || done === total) process.stderr.write(`  ${done}/${total} incidents\n`);
});
const result = summarise(run);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const report = `${formatReport(result)}\n(degraded leases: ${degradedLeases}; ${seconds.toFixed(1)} s)`;
process.stdout.write(`${report}\n`);
const json = JSON.stringify({ ...resultJson(result), degradedLeases });
const out = values.get('out');
if (out !== undefined) writeFileSync(out, `${report}\n${json}\n`);
if (switches.has('json')) process.stdout.write(`${json}\n`);

/** `--worlds`: one evaluation per world (learning stream and frozen default only), a table, and the JSON line. */
function runWorlds(list: string, degradedLeases: DegradedLeases): void {
  for (const flag of ['topology', 'reach', 'detection-delay-scale']) if (values.has(flag)) fail(`--${flag} does not apply with --worlds (each family sets its own world)`);
  if (switches.has('no-ablations')) fail('--no-ablations does not apply with --worlds (it runs only the frozen-default stream)');
  if (values.has('seed') && namesSplit(list)) fail('--seed does not apply to tuning or held-out: their seeds are fixed');
  let specs;
  try {
    specs = parseWorldList(list, seed);
  } catch (error) {
    fail((error as Error).message);
  }
  const options: WorldRunOptions = {
    incidents: positiveInteger('incidents', 500), vms: positiveInteger('vms', 1000), bootstrap: positiveInteger('bootstrap', 200),
    usefulGrantBenefit: numberFlag('grant-benefit', 3, (v) => Number.isFinite(v) && v > 0, 'a positive number'), degradedLeases,
  };
  const started = process.hrtime.bigint();
  const worlds = specs.map((spec, k) => {
    process.stderr.write(`  world ${k + 1}/${specs.length}: ${spec.family}@${spec.seed}\n`);
    return evaluateWorld(spec, options, (done, total) => {
      if (done % 100 === 0 || done === total) process.stderr.write(`    ${done}/${total} incidents\n`);
    });
  });
  const result = summariseWorlds(worlds);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const report = `${formatWorlds(result)}\n(${worlds.length} worlds, ${options.incidents} incidents and ${options.vms} VMs each, ${seconds.toFixed(1)} s)`;
  process.stdout.write(`${report}\n`);
  const json = JSON.stringify(worldsJson(result, options));
  const out = values.get('out');
  if (out !== undefined) writeFileSync(out, `${report}\n${json}\n`);
  if (switches.has('json')) process.stdout.write(`${json}\n`);
}
