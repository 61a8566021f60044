import { parseArgs } from 'node:util';
import type { RiskAssessment } from '@foresight/contracts';
import { replayRecording } from '../index.js';
import { importNezha } from '../nezha/nezha-import.js';
import { evaluateReach, type ReachEvaluation } from '../nezha/reach-evaluation.js';
import { DEFAULT_BOOTSTRAP } from '../nezha/reach-scoring.js';

/** `foresight nezha-score` usage. */
export const NEZHA_SCORE_USAGE = `Usage: foresight nezha-score DIR [--json] [--seed S] [--replicates N]
  Imports the Nezha Online Boutique data set (as foresight import nezha DIR --with-reached), replays it through the
  embedded pipeline twice (learning on; learning off: the default model frozen), takes the first risk assessment of
  each fault's incident and prints the pooled AUPRC over the other pods of the fault's day against the reach labels,
  with a 95 % bootstrap interval over faults, beside 1-hop callers, transitive callers and random.
  --json  the figures as JSON.   Details: docs/ingestion-nezha.md
`;

const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));

/** The comparison as a table. */
export function formatReachTable(e: ReachEvaluation): string {
  const head = `${e.faults} faults, ${e.pairs} (fault, other pod) pairs, ${e.positives} reached (prevalence ${(e.positives / e.pairs).toFixed(3)}), ${e.faultsReachingAny} faults reached another service\n`;
  const arms = Object.entries(e.assessed).map(([name, a]) => `  ${name}: ${a.assessed} faults assessed, ${a.nonEmpty} with a non-empty at-risk list\n`).join('');
  const width = Math.max(...e.rows.map((r) => r.predictor.length), 'predictor'.length);
  const rows = e.rows.map((r) => `${r.predictor.padEnd(width)}  ${fmt(r.auprc).padStart(5)}  [${fmt(r.lo)}, ${fmt(r.hi)}]`);
  return `${head}${arms}\n${'predictor'.padEnd(width)}  AUPRC  95% interval\n${'-'.repeat(width)}  -----  --------------\n${rows.join('\n')}\n`;
}

/** `foresight nezha-score DIR [--json] [--seed S] [--replicates N]`. */
export async function nezhaScoreCommand(args: readonly string[]): Promise<number> {
  let dir: string;
  let json: boolean;
  let seed: number;
  let replicates: number;
  try {
    const { values, positionals } = parseArgs({
      args: [...args], allowPositionals: true, strict: true,
      options: { json: { type: 'boolean' }, seed: { type: 'string' }, replicates: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help === true) {
      process.stdout.write(NEZHA_SCORE_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Error('expected exactly one DIR');
    dir = positionals[0];
    json = values.json === true;
    seed = Number(values.seed ?? DEFAULT_BOOTSTRAP.seed);
    replicates = Number(values.replicates ?? DEFAULT_BOOTSTRAP.replicates);
    if (!Number.isInteger(seed) || !Number.isInteger(replicates) || replicates < 1) throw new Error('--seed and --replicates take whole numbers (replicates ≥ 1)');
  } catch (error) {
    process.stderr.write(`foresight nezha-score: ${(error as Error).message}\n\n${NEZHA_SCORE_USAGE}`);
    return 2;
  }
  try {
    const imported = await importNezha(dir, { withReached: true });
    const text = imported.lines.map((l) => JSON.stringify(l));
    const arms: Record<string, RiskAssessment[]> = {};
    for (const [name, learning] of [['Foresight, learning on', true], ['Foresight, default model frozen', false]] as const) {
      const out = await replayRecording(text, { learning });
      arms[name] = out.flatMap((l) => (l.topic === 'risk' ? [l.message as RiskAssessment] : []));
    }
    const evaluation = evaluateReach(imported.labels, imported.candidates, imported.lines, arms, { ...DEFAULT_BOOTSTRAP, seed, replicates });
    process.stdout.write(json ? `${JSON.stringify(evaluation, null, 2)}\n` : formatReachTable(evaluation));
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    process.stderr.write(`foresight nezha-score: ${code === undefined ? '' : `${code}: `}${(error as Error).message}\n`);
    return 1;
  }
}
