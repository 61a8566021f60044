import { isHeldOut, worldFamily, WORLD_FAMILY_NAMES, WORLD_FAMILY_TRAITS, WORLD_SPLITS, type WorldFamilyName, type WorldSpec } from '@foresight/sim';
import type { EstimatorIncident } from './incident-scoring.js';
import { bootstrapInterval, PooledRanking, weightedRatio, type Interval } from './metrics.js';
import { runEvaluation, type EvaluationOptions, type EvaluationRun, type IncidentRecord } from './runner.js';

/** What one world of the zoo reports: the learned model against the frozen default, the ceilings, the closed loop. */
export interface WorldResult {
  /** `family@seed`. */
  readonly name: string;
  readonly family: WorldFamilyName;
  readonly seed: number;
  /** True when this world must not steer tuning (sim's isHeldOut). */
  readonly heldOut: boolean;
  readonly incidents: number;
  readonly detectedIncidents: number;
  readonly fleet: EvaluationRun['fleet'];
  readonly meanAffected: number;
  /** First-assessment AUPRC of the policy's estimator: learning stream, frozen default model, true parameters on the observed topology, oracle. */
  readonly auprcLearned: Interval | null;
  readonly auprcFrozen: Interval | null;
  readonly auprcObservableCeiling: Interval | null;
  readonly auprcOracle: Interval | null;
  /** Learned − frozen AUPRC, its interval from the same bootstrap replicates (paired). */
  readonly learnedMinusFrozen: Interval | null;
  /** Predictive's cut of downstream (non-origin) degraded VM-minutes against reactive, and a perfect prediction's. */
  readonly downstreamCut: Interval | null;
  readonly perfectPredictionDownstreamCut: Interval | null;
  /** downstreamCut / perfectPredictionDownstreamCut (paired): the share of the reachable cut the policy takes. */
  readonly captureOfPerfectPrediction: Interval | null;
  /** The predictive policy: affected VMs protected before onset, and wasted / granted resource-minutes. */
  readonly protectedBeforeOnset: number;
  readonly wastedShare: number | null;
  readonly seconds: number;
}

/** Every world and the learned-vs-frozen gap across them. */
export interface WorldsResult {
  readonly worlds: readonly WorldResult[];
  readonly summary: {
    readonly minLearnedMinusFrozen: number | null;
    readonly meanLearnedMinusFrozen: number | null;
    readonly worstWorld: string | null;
    /** Worlds whose learned AUPRC is below the frozen default's, and those where the whole interval is. */
    readonly learnedBelowFrozen: readonly string[];
    readonly learnedSurelyBelowFrozen: readonly string[];
    readonly heldOutWorlds: readonly string[];
  };
}

/** The knobs applied to every world. */
export type WorldRunOptions = Pick<EvaluationOptions, 'incidents' | 'vms' | 'bootstrap' | 'usefulGrantBenefit' | 'monteCarloSamples' | 'oracleSamples' | 'degradedLeases' | 'learnerStep'>;

export const WORLD_LIST_HELP = `all (every family at --seed), tuning, held-out, or a comma list of family[@seed] (families: ${WORLD_FAMILY_NAMES.join(', ')})`;

/**
 * Parses a `--worlds` value: `all` (every family at `seed`), `tuning` or `held-out` (sim's WORLD_SPLITS), or a comma
 * list of those and `family` or `family@seed`. Duplicates are dropped, order kept. Throws a RangeError naming the part.
 */
export function parseWorldList(text: string, seed: number): WorldSpec[] {
  const out: WorldSpec[] = [];
  const add = (spec: WorldSpec): void => {
    if (!out.some((s) => s.family === spec.family && s.seed === spec.seed)) out.push(spec);
  };
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new RangeError(`--worlds has an empty entry: '${text}' (${WORLD_LIST_HELP})`);
  for (const part of parts) {
    if (part === 'all') WORLD_FAMILY_NAMES.forEach((family) => add({ family, seed }));
    else if (part === 'tuning' || part === 'held-out') WORLD_SPLITS[part].forEach(add);
    else {
      const [name, seedText, extra] = part.split('@');
      const family = WORLD_FAMILY_NAMES.find((f) => f === name);
      if (family === undefined || extra !== undefined) throw new RangeError(`unknown world '${part}' (${WORLD_LIST_HELP})`);
      const s = seedText === undefined ? seed : Number(seedText);
      if (!(Number.isInteger(s) && s >= 1)) throw new RangeError(`world '${part}' needs a positive integer seed`);
      add({ family, seed: s });
    }
  }
  return out;
}

/** True when the list names `tuning` or `held-out`: their seeds are fixed, so --seed does not apply. */
export function namesSplit(text: string): boolean {
  return text.split(',').some((p) => p.trim() === 'tuning' || p.trim() === 'held-out');
}

function auprc(list: readonly EstimatorIncident[]): PooledRanking {
  return new PooledRanking(list.map((x) => x.scores));
}

/** Summarises one world's run: AUPRC pooled over detected incidents, cuts over every incident, cluster-bootstrap intervals. */
export function summariseWorld(spec: WorldSpec, run: EvaluationRun, seconds: number): WorldResult {
  const { bootstrap: replicates, seed } = run.options;
  const detected = run.records.filter((r) => r.detected);
  const of = (get: (r: IncidentRecord) => EstimatorIncident | undefined): PooledRanking | null => {
    const list = detected.map(get);
    return list.every((x): x is EstimatorIncident => x !== undefined) && list.length > 0 ? auprc(list) : null;
  };
  const learned = of((r) => r.ablations.full);
  const frozen = of((r) => r.ablations['learning-off']);
  const ceiling = of((r) => r.estimators['multipath-true']);
  const oracle = of((r) => r.estimators.oracle);
  const ap = (ranking: PooledRanking | null): Interval | null => (ranking === null ? null : bootstrapInterval((w) => ranking.averagePrecision(w), detected.length, replicates, seed));
  const gap = learned === null || frozen === null ? null : bootstrapInterval((w) => {
    const [a, b] = [learned.averagePrecision(w), frozen.averagePrecision(w)];
    return a === null || b === null ? null : a - b;
  }, detected.length, replicates, seed);

  const loop = run.records.filter((r) => r.policies !== undefined);
  const downstream = (p: 'reactive' | 'predictive' | 'perfect-prediction'): number[] => loop.map((r) => r.policies![p].downstreamDegradedVmMinutes);
  const [reactive, predictive, perfect] = [downstream('reactive'), downstream('predictive'), downstream('perfect-prediction')];
  const cut = (mine: readonly number[]): Interval | null => bootstrapInterval((w) => {
    const r = weightedRatio(mine, reactive, w);
    return r === null ? null : 1 - r;
  }, loop.length, replicates, seed);
  const capture = bootstrapInterval((w) => {
    const [p, q] = [weightedRatio(predictive, reactive, w), weightedRatio(perfect, reactive, w)];
    return p === null || q === null || q >= 1 ? null : (1 - p) / (1 - q);
  }, loop.length, replicates, seed);
  const sum = (f: (r: IncidentRecord) => number): number => loop.reduce((s, r) => s + f(r), 0);
  const granted = sum((r) => r.policies!.predictive.grantedUnitMinutes);
  return {
    name: `${spec.family}@${spec.seed}`, family: spec.family, seed: spec.seed, heldOut: isHeldOut(spec),
    incidents: run.records.length, detectedIncidents: detected.length, fleet: run.fleet,
    meanAffected: run.records.length === 0 ? 0 : run.records.reduce((s, r) => s + r.affected, 0) / run.records.length,
    auprcLearned: ap(learned), auprcFrozen: ap(frozen), auprcObservableCeiling: ap(ceiling), auprcOracle: ap(oracle), learnedMinusFrozen: gap,
    downstreamCut: cut(predictive), perfectPredictionDownstreamCut: cut(perfect), captureOfPerfectPrediction: capture,
    protectedBeforeOnset: sum((r) => r.policies!.predictive.protectedInTime) / Math.max(1, sum((r) => r.affected)),
    wastedShare: granted > 0 ? sum((r) => r.policies!.predictive.wastedUnitMinutes) / granted : null,
    seconds,
  };
}

/** Runs the evaluation on one world: the learning stream and the frozen default only (no other ablation). */
export function evaluateWorld(spec: WorldSpec, options: WorldRunOptions, onProgress?: (done: number, total: number) => void): WorldResult {
  const started = performance.now();
  const family = worldFamily(spec.family, { vms: options.vms ?? 1000, seed: spec.seed });
  const run = runEvaluation({ ...options, seed: spec.seed, family, ablations: 'learning-off' }, onProgress);
  return summariseWorld(spec, run, (performance.now() - started) / 1000);
}

/** The gap between learned and frozen AUPRC across worlds (the learner must not fall behind the default anywhere). */
export function summariseWorlds(worlds: readonly WorldResult[]): WorldsResult {
  const gaps = worlds.filter((w) => w.learnedMinusFrozen !== null);
  const worst = gaps.reduce<WorldResult | null>((a, w) => (a === null || w.learnedMinusFrozen!.value < a.learnedMinusFrozen!.value ? w : a), null);
  return {
    worlds,
    summary: {
      minLearnedMinusFrozen: worst?.learnedMinusFrozen?.value ?? null,
      meanLearnedMinusFrozen: gaps.length === 0 ? null : gaps.reduce((s, w) => s + w.learnedMinusFrozen!.value, 0) / gaps.length,
      worstWorld: worst?.name ?? null,
      learnedBelowFrozen: gaps.filter((w) => w.learnedMinusFrozen!.value < 0).map((w) => w.name),
      learnedSurelyBelowFrozen: gaps.filter((w) => w.learnedMinusFrozen!.hi < 0).map((w) => w.name),
      heldOutWorlds: worlds.filter((w) => w.heldOut).map((w) => w.name),
    },
  };
}

const pair = (i: Interval | null): [number, number] | null => (i === null ? null : [i.lo, i.hi]);
const point = (i: Interval | null): number | null => (i === null ? null : i.value);

/** The machine-readable form: every point estimate as a number, each interval as `<name>Interval: [lo, hi]`. */
export function worldsJson(result: WorldsResult, options: WorldRunOptions): Record<string, unknown> {
  return {
    options: { incidents: options.incidents, vms: options.vms, bootstrap: options.bootstrap },
    worlds: result.worlds.map((w) => ({
      name: w.name, family: w.family, seed: w.seed, heldOut: w.heldOut, incidents: w.incidents, detectedIncidents: w.detectedIncidents, fleet: w.fleet,
      meanAffected: w.meanAffected,
      auprcLearned: point(w.auprcLearned), auprcLearnedInterval: pair(w.auprcLearned),
      auprcFrozen: point(w.auprcFrozen), auprcFrozenInterval: pair(w.auprcFrozen),
      auprcObservableCeiling: point(w.auprcObservableCeiling), auprcObservableCeilingInterval: pair(w.auprcObservableCeiling),
      auprcOracle: point(w.auprcOracle), auprcOracleInterval: pair(w.auprcOracle),
      learnedMinusFrozen: point(w.learnedMinusFrozen), learnedMinusFrozenInterval: pair(w.learnedMinusFrozen),
      downstreamCut: point(w.downstreamCut), downstreamCutInterval: pair(w.downstreamCut),
      perfectPredictionDownstreamCut: point(w.perfectPredictionDownstreamCut), perfectPredictionDownstreamCutInterval: pair(w.perfectPredictionDownstreamCut),
      captureOfPerfectPrediction: point(w.captureOfPerfectPrediction), captureOfPerfectPredictionInterval: pair(w.captureOfPerfectPrediction),
      protectedBeforeOnset: w.protectedBeforeOnset, wastedShare: w.wastedShare, seconds: w.seconds,
    })),
    summary: result.summary,
  };
}

const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const ci = (i: Interval | null, digits = 3): string => (i === null ? '–' : `${fmt(i.value, digits)} [${fmt(i.lo, digits)}, ${fmt(i.hi, digits)}]`);
const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);

/** A readable table of the worlds (pure: returns the text). */
export function formatWorlds(result: WorldsResult): string {
  const header = [
    'world', 'incidents', 'affected', 'AUPRC learned', 'AUPRC frozen', 'learned − frozen', 'ceiling', 'oracle', 'downstream cut', 'perfect cut', 'capture', 'protected', 'waste',
  ];
  const rows = result.worlds.map((w) => [
    `${w.name}${w.heldOut ? ' (held out)' : ''}`, `${w.detectedIncidents}/${w.incidents}`, fmt(w.meanAffected, 2), ci(w.auprcLearned), ci(w.auprcFrozen),
    ci(w.learnedMinusFrozen), fmt(point(w.auprcObservableCeiling)), fmt(point(w.auprcOracle)), ci(w.downstreamCut), ci(w.perfectPredictionDownstreamCut),
    fmt(point(w.captureOfPerfectPrediction), 2), pct(w.protectedBeforeOnset), pct(w.wastedShare),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const s = result.summary;
  return [
    'World families: first-assessment AUPRC of the policy estimator (95% intervals), the predictive policy\'s cut of downstream degraded VM-minutes vs reactive,',
    'a perfect prediction\'s cut (every affected VM granted its need at first detection + actuation latency) and the share of it taken (capture).',
    line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), '',
    `learned − frozen AUPRC: min ${fmt(s.minLearnedMinusFrozen)} (${s.worstWorld ?? '–'}), mean ${fmt(s.meanLearnedMinusFrozen)}; ` +
    `learned below frozen in ${s.learnedBelowFrozen.length}/${result.worlds.length} worlds (whole interval below: ${s.learnedSurelyBelowFrozen.join(', ') || 'none'})`,
    ...(s.heldOutWorlds.length > 0 ? [`held-out worlds in this run (never tune on them): ${s.heldOutWorlds.join(', ')}`] : []),
  ].join('\n');
}

/** One line per family: what it changes (for --help and the docs). */
export function describeWorldFamilies(): string {
  return WORLD_FAMILY_NAMES.map((f) => {
    const t = WORLD_FAMILY_TRAITS[f];
    return `  ${f.padEnd(13)} ${t.structure}; hops ${t.hops}, type mix ${t.typeMix}`;
  }).join('\n');
}
