import type { RiskAssessment } from '@foresight/contracts';
import type { FaultLabel } from './nezha-import.js';
import type { ImportLine } from './replay-order.js';
import { auprcWithInterval, directCallers, randomScores, transitiveCallers, type AuprcInterval, type BootstrapOptions, type CallGraph, type ReachPredictor, type ScoredFault } from './reach-scoring.js';

/** The first assessment of the incident a fault opened: the first OPEN risk naming the fault's VM and onset as a source. */
export function firstAssessmentOf(label: FaultLabel, risks: readonly RiskAssessment[]): RiskAssessment | undefined {
  return risks.find((r) => r.status === 'OPEN' && r.sources.some((s) => s.vmId === label.vmId && s.onsetAt === label.injectedAt));
}

/** Calls of the import's flows up to `at` (the pathways a baseline may know at injection time). */
export function callsUpTo(lines: readonly ImportLine[], at: number): CallGraph {
  const calls = new Map<string, Set<string>>();
  for (const line of lines) {
    if (line.topic !== 'flows' || line.message.eventTime > at) continue;
    const callees = calls.get(line.message.source) ?? new Set<string>();
    callees.add(line.message.target);
    calls.set(line.message.source, callees);
  }
  return calls;
}

/** One row of the comparison. */
export interface ReachScoreRow extends AuprcInterval {
  readonly predictor: string;
}

/** The comparison, with what it was measured on. */
export interface ReachEvaluation {
  readonly faults: number;
  readonly pairs: number;
  readonly positives: number;
  readonly faultsReachingAny: number;
  /** Per Foresight arm: faults with a first assessment, and with a non-empty one. */
  readonly assessed: Readonly<Record<string, { readonly assessed: number; readonly nonEmpty: number }>>;
  readonly rows: readonly ReachScoreRow[];
}

/**
 * Scores the first assessment of each fault under each Foresight arm (name → its replay's risks) and the baselines
 * (direct callers, transitive callers, random), as pooled AUPRC over the other pods of the fault's day.
 */
export function evaluateReach(
  labels: readonly FaultLabel[], candidates: ReadonlyMap<string, readonly string[]>, lines: readonly ImportLine[],
  arms: Readonly<Record<string, readonly RiskAssessment[]>>, options: BootstrapOptions,
): ReachEvaluation {
  const faults: ScoredFault[] = labels.map((l) => ({ faultId: l.faultId, vmId: l.vmId, candidates: candidates.get(l.faultId) ?? [], reached: new Set(l.reachedVms) }));
  const byId = new Map(labels.map((l) => [l.faultId, l]));
  const graphs = new Map(labels.map((l) => [l.faultId, callsUpTo(lines, l.injectedAt)]));
  const callsAt = (f: ScoredFault): CallGraph => graphs.get(f.faultId) ?? new Map();
  const predictors: [string, ReachPredictor, boolean][] = [];
  const assessed: Record<string, { assessed: number; nonEmpty: number }> = {};
  for (const [name, risks] of Object.entries(arms)) {
    const first = new Map<string, RiskAssessment | undefined>(labels.map((l) => [l.faultId, firstAssessmentOf(l, risks)]));
    const found = [...first.values()].filter((r): r is RiskAssessment => r !== undefined);
    assessed[name] = { assessed: found.length, nonEmpty: found.filter((r) => r.atRisk.length > 0).length };
    predictors.push([name, (f) => new Map((first.get(f.faultId)?.atRisk ?? []).map((a) => [a.vmId, a.probability])), false]);
  }
  predictors.push(['1-hop callers', directCallers(callsAt), false], ['transitive callers', transitiveCallers(callsAt), false], ['random', randomScores, true]);
  const pairs = faults.reduce((n, f) => n + f.candidates.length, 0);
  const positives = faults.reduce((n, f) => n + f.candidates.filter((vm) => f.reached.has(vm)).length, 0);
  return {
    faults: faults.length, pairs, positives, faultsReachingAny: labels.filter((l) => byId.get(l.faultId)?.reached.length).length, assessed,
    rows: predictors.map(([predictor, p, drawing]) => ({ predictor, ...auprcWithInterval(faults, p, drawing, options) })),
  };
}
