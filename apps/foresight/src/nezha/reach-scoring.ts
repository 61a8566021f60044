import { averagePrecision, SeededRandom } from '@foresight/core';

/** One fault to score: its faulty VM, the other VMs of its day (the candidates), and those it really reached. */
export interface ScoredFault {
  readonly faultId: string;
  readonly vmId: string;
  readonly candidates: readonly string[];
  readonly reached: ReadonlySet<string>;
}

/** A predictor: a score per candidate VM of a fault (missing: 0); `random` is for predictors that draw. */
export type ReachPredictor = (fault: ScoredFault, random: SeededRandom) => ReadonlyMap<string, number>;

/** AUPRC with its bootstrap interval over faults. */
export interface AuprcInterval {
  readonly auprc: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

/** How the interval is drawn. */
export interface BootstrapOptions {
  readonly replicates: number;
  readonly seed: number;
  /** Draws of a drawing predictor averaged into its point value. */
  readonly draws: number;
}

/** Default bootstrap: 2,000 replicates, seed 1, 200 draws of a drawing predictor. */
export const DEFAULT_BOOTSTRAP: BootstrapOptions = Object.freeze({ replicates: 2000, seed: 1, draws: 200 });

/** Average precision of the (fault, candidate) pairs of `faults` pooled, each fault counted `weights[i]` times. */
export function pooledAuprc(faults: readonly ScoredFault[], predictor: ReachPredictor, random: SeededRandom, weights?: Float64Array): number | null {
  const scored: { p: number; y: boolean }[] = [];
  faults.forEach((fault, i) => {
    const w = weights === undefined ? 1 : weights[i];
    if (w === 0) return;
    const scores = predictor(fault, random);
    for (let copy = 0; copy < w; copy++) for (const vm of fault.candidates) scored.push({ p: scores.get(vm) ?? 0, y: fault.reached.has(vm) });
  });
  return averagePrecision(scored);
}

/** Pooled AUPRC and its 95 % percentile bootstrap interval over faults (faults drawn with replacement). */
export function auprcWithInterval(faults: readonly ScoredFault[], predictor: ReachPredictor, drawing: boolean, options: BootstrapOptions = DEFAULT_BOOTSTRAP): AuprcInterval {
  const random = new SeededRandom(options.seed);
  const points: number[] = [];
  for (let d = 0; d < (drawing ? options.draws : 1); d++) {
    const v = pooledAuprc(faults, predictor, random);
    if (v !== null) points.push(v);
  }
  if (points.length === 0) return { auprc: null, lo: null, hi: null };
  const values: number[] = [];
  const weights = new Float64Array(faults.length);
  for (let r = 0; r < options.replicates; r++) {
    weights.fill(0);
    for (let k = 0; k < faults.length; k++) weights[random.int(faults.length)]++;
    const v = pooledAuprc(faults, predictor, random, weights);
    if (v !== null) values.push(v);
  }
  values.sort((a, b) => a - b);
  const at = (q: number): number | null => (values.length === 0 ? null : values[Math.min(values.length - 1, Math.floor(q * values.length))]);
  return { auprc: points.reduce((s, v) => s + v, 0) / points.length, lo: at(0.025), hi: at(0.975) };
}

/** Calls known at a fault: caller VM → callee VMs. */
export type CallGraph = ReadonlyMap<string, ReadonlySet<string>>;

/** Every VM that calls `vmId` directly (1) or through callers (1 / hops), by breadth-first search against the calls. */
export function callerDistances(calls: CallGraph, vmId: string): Map<string, number> {
  const callersOf = new Map<string, string[]>();
  for (const [caller, callees] of calls) for (const callee of callees) callersOf.set(callee, [...(callersOf.get(callee) ?? []), caller]);
  const hops = new Map<string, number>([[vmId, 0]]);
  let frontier = [vmId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const vm of frontier) {
      for (const caller of callersOf.get(vm) ?? []) {
        if (hops.has(caller)) continue;
        hops.set(caller, (hops.get(vm) ?? 0) + 1);
        next.push(caller);
      }
    }
    frontier = next;
  }
  hops.delete(vmId);
  return hops;
}

/** Baseline: the faulty VM's direct callers score 1, everything else 0. */
export function directCallers(callsAt: (fault: ScoredFault) => CallGraph): ReachPredictor {
  return (fault) => new Map([...callerDistances(callsAt(fault), fault.vmId)].filter(([, h]) => h === 1).map(([vm]) => [vm, 1]));
}

/** Baseline: every transitive caller of the faulty VM scores 1 / hops. */
export function transitiveCallers(callsAt: (fault: ScoredFault) => CallGraph): ReachPredictor {
  return (fault) => new Map([...callerDistances(callsAt(fault), fault.vmId)].map(([vm, h]) => [vm, 1 / h]));
}

/** Baseline: a uniform random score per candidate. */
export const randomScores: ReachPredictor = (fault, random) => new Map(fault.candidates.map((vm) => [vm, random.next()]));
