import type { PublicationVerdict } from '@foresight/core';
import { bootstrapInterval, PooledRanking, weightedMedian, weightedRatio, type Interval } from './metrics.js';
import type { EstimatorIncident } from './incident-scoring.js';
import { POLICY_NAMES, type PolicyName } from './closed-loop.js';
import { ABLATION_NAMES, ESTIMATOR_NAMES, type EvaluationRun, type IncidentRecord } from './runner.js';

/** Prediction metrics of one estimator over a set of incidents. */
export interface EstimatorSummary {
  readonly auprc: Interval | null;
  readonly precision: Interval | null;
  readonly recall: Interval | null;
  readonly brier: Interval | null;
  readonly usefulRecall: Interval | null;
  /** Medians pooled over the incidents' flagged positives, with a bootstrap interval over incidents. */
  readonly medianLeadMinutes: Interval | null;
  readonly medianEtaErrorMinutes: Interval | null;
}

/** Closed-loop metrics of one policy (totals over incidents, intervals on the per-incident mean). */
export interface PolicySummary {
  readonly degradedVmMinutes: number;
  readonly degradedPerIncident: Interval | null;
  readonly sloViolationMinutes: number;
  readonly grantedResourceMinutes: number;
  readonly wastedResourceMinutes: number;
  readonly wastedShare: number | null;
  /** (wasted + unit-minutes useful grants were held after their VM's degradation ended) / granted: a stricter waste. */
  readonly idleOrWastedShare: number | null;
  readonly churnPerIncident: number;
  /** Affected VMs with a grant in place before onset / affected VMs. */
  readonly protectedShare: number;
  /** 1 − degraded / degraded under reactive, with a bootstrap interval. */
  readonly reductionVsReactive: Interval | null;
  /** Degraded VM-minutes of VMs other than the origin, and 1 − that / reactive's: the cut where prediction can act. */
  readonly downstreamDegradedVmMinutes: number;
  readonly downstreamReductionVsReactive: Interval | null;
}

/** Everything `foresight eval` reports. */
export interface EvaluationResult {
  readonly incidents: number;
  readonly detectedIncidents: number;
  readonly seed: number;
  readonly fleet: EvaluationRun['fleet'];
  /** The world's sensitivity knobs (defaults 0 and 1) and the mean number of truly affected VMs per incident. */
  readonly world: { readonly reach: number; readonly detectionDelayScale: number; readonly meanAffected: number };
  readonly estimators: Record<string, EstimatorSummary>;
  /** Every metric of the overall summary, on each anomaly type's incidents. */
  readonly perType: Record<string, GroupSummary>;
  readonly policies: Record<string, PolicySummary>;
  readonly ablations: Record<string, EstimatorSummary>;
  /** Prequential AUPRC per window of incidents. */
  readonly learningCurve: { readonly window: number; readonly incidentsSeen: readonly number[]; readonly series: Record<string, readonly (number | null)[]> };
  readonly origin: OriginSummary | null;
  readonly model: { readonly grantThreshold: number; readonly version: number; readonly learnerVerdicts: Partial<Record<PublicationVerdict, number>> };
  readonly best: { readonly estimator: string; readonly policyEstimator: string };
}

function summariseEstimator(list: readonly EstimatorIncident[], replicates: number, seed: number): EstimatorSummary {
  const ranking = new PooledRanking(list.map((x) => x.scores));
  const n = list.length;
  const tp = list.map((x) => x.flaggedTp);
  const flagged = list.map((x) => x.flaggedTp + x.flaggedFp);
  const pos = list.map((x) => x.positives);
  const interval = (stat: (w: Float64Array | undefined) => number | null): Interval | null => bootstrapInterval(stat, n, replicates, seed);
  return {
    auprc: interval((w) => ranking.averagePrecision(w)),
    precision: interval((w) => weightedRatio(tp, flagged, w)),
    recall: interval((w) => weightedRatio(tp, pos, w)),
    brier: interval((w) => weightedRatio(list.map((x) => x.brierSum), list.map((x) => x.candidates), w)),
    usefulRecall: interval((w) => weightedRatio(list.map((x) => x.usefulTp), pos, w)),
    medianLeadMinutes: interval((w) => weightedMedian(list.map((x) => x.leadMinutes), w)),
    medianEtaErrorMinutes: interval((w) => weightedMedian(list.map((x) => x.etaErrorMinutes), w)),
  };
}

/** Closed-loop totals of each policy over the incidents that ran the loop, with cuts against reactive. */
function summarisePolicies(records: readonly IncidentRecord[], replicates: number, seed: number): Record<string, PolicySummary> {
  const policies: Record<string, PolicySummary> = {};
  const withLoop = records.filter((r) => r.policies !== undefined);
  if (withLoop.length === 0) return policies;
  const n = withLoop.length;
  const of = (p: PolicyName, f: (x: NonNullable<IncidentRecord['policies']>[PolicyName]) => number): number[] => withLoop.map((r) => f(r.policies![p]));
  const cutAgainst = (mine: readonly number[], theirs: readonly number[]): Interval | null => bootstrapInterval((w) => {
    const r = weightedRatio(mine, theirs, w);
    return r === null ? null : 1 - r;
  }, n, replicates, seed);
  const reactive = of('reactive', (x) => x.degradedVmMinutes);
  const reactiveDownstream = of('reactive', (x) => x.downstreamDegradedVmMinutes);
  const ones = withLoop.map(() => 1);
  const affected = withLoop.map((r) => r.affected);
  for (const p of POLICY_NAMES) {
    const degraded = of(p, (x) => x.degradedVmMinutes);
    const downstream = of(p, (x) => x.downstreamDegradedVmMinutes);
    const granted = of(p, (x) => x.grantedUnitMinutes).reduce((a, b) => a + b, 0);
    const wasted = of(p, (x) => x.wastedUnitMinutes).reduce((a, b) => a + b, 0);
    policies[p] = {
      degradedVmMinutes: degraded.reduce((a, b) => a + b, 0),
      degradedPerIncident: bootstrapInterval((w) => weightedRatio(degraded, ones, w), n, replicates, seed),
      sloViolationMinutes: of(p, (x) => x.sloViolationMinutes).reduce((a, b) => a + b, 0),
      grantedResourceMinutes: granted,
      wastedResourceMinutes: wasted,
      wastedShare: granted > 0 ? wasted / granted : null,
      idleOrWastedShare: granted > 0 ? (wasted + of(p, (x) => x.idleUnitMinutes).reduce((a, b) => a + b, 0)) / granted : null,
      churnPerIncident: of(p, (x) => x.churn).reduce((a, b) => a + b, 0) / n,
      protectedShare: (of(p, (x) => x.protectedInTime).reduce((a, b) => a + b, 0)) / Math.max(1, affected.reduce((a, b) => a + b, 0)),
      reductionVsReactive: cutAgainst(degraded, reactive),
      downstreamDegradedVmMinutes: downstream.reduce((a, b) => a + b, 0),
      downstreamReductionVsReactive: cutAgainst(downstream, reactiveDownstream),
    };
  }
  return policies;
}

/** What is reported for a set of incidents: overall, and for each anomaly type. */
export interface GroupSummary {
  readonly incidents: number;
  readonly detectedIncidents: number;
  readonly estimators: Record<string, EstimatorSummary>;
  readonly policies: Record<string, PolicySummary>;
  readonly origin: OriginSummary | null;
}

/** Origin tracing: share of traced incidents whose true origin ranks first, in the top 3, and the earliest-reported baseline. */
export interface OriginSummary {
  readonly top1: Interval | null;
  readonly top3: Interval | null;
  readonly earliestReportedTop1: Interval | null;
  /** Traced incidents whose evidence the tracer refused (counted as misses). */
  readonly failures: number;
}

function summariseGroup(records: readonly IncidentRecord[], replicates: number, seed: number): GroupSummary {
  const detected = records.filter((r) => r.detected);
  const estimators: Record<string, EstimatorSummary> = {};
  for (const name of ESTIMATOR_NAMES) {
    const list = detected.map((r) => r.estimators[name]).filter((x): x is EstimatorIncident => x !== undefined);
    if (list.length > 0) estimators[name] = summariseEstimator(list, replicates, seed);
  }
  const traced = detected.filter((r) => r.origin !== undefined);
  const share = (f: (r: IncidentRecord) => boolean): Interval | null =>
    bootstrapInterval((w) => weightedRatio(traced.map((r) => (f(r) ? 1 : 0)), traced.map(() => 1), w), traced.length, replicates, seed);
  const origin = traced.length === 0 ? null : { top1: share((r) => r.origin!.top1), top3: share((r) => r.origin!.top3), earliestReportedTop1: share((r) => r.origin!.earliestReported), failures: traced.filter((r) => r.origin!.failed).length };
  return { incidents: records.length, detectedIncidents: detected.length, estimators, policies: summarisePolicies(records, replicates, seed), origin };
}

const CURVE_WINDOW = 50;

/** Summarises a run: pooled metrics with cluster-bootstrap 95% intervals (resampling incidents). */
export function summarise(run: EvaluationRun): EvaluationResult {
  const { bootstrap: replicates, seed } = run.options;
  const detected = run.records.filter((r) => r.detected);
  const overall = summariseGroup(run.records, replicates, seed);
  const estimators = overall.estimators;
  const policies = overall.policies;
  // Per type: the same metrics on the type's incidents (fewer replicates: six groups).
  const perType: Record<string, GroupSummary> = {};
  for (const type of [...new Set(run.records.map((r) => r.anomalyType))].sort()) {
    perType[type] = summariseGroup(run.records.filter((r) => r.anomalyType === type), Math.min(replicates, 100), seed);
  }
  const ablations: Record<string, EstimatorSummary> = {};
  for (const name of ABLATION_NAMES) {
    const list = detected.map((r) => r.ablations[name]).filter((x): x is EstimatorIncident => x !== undefined);
    if (list.length > 0) ablations[name] = summariseEstimator(list, replicates, seed);
  }

  const incidentsSeen: number[] = [];
  const series: Record<string, (number | null)[]> = {};
  const curveOf: Record<string, (r: IncidentRecord) => EstimatorIncident | undefined> = {
    foresight: (r) => r.ablations.full, 'learning-off': (r) => r.ablations['learning-off'], oracle: (r) => r.estimators.oracle, ppr: (r) => r.estimators.ppr,
  };
  for (let start = 0; start < run.records.length; start += CURVE_WINDOW) {
    const window = run.records.slice(start, start + CURVE_WINDOW).filter((r) => r.detected);
    incidentsSeen.push(Math.min(start + CURVE_WINDOW, run.records.length));
    for (const [name, get] of Object.entries(curveOf)) {
      const list = window.map(get).filter((x): x is EstimatorIncident => x !== undefined);
      (series[name] ??= []).push(list.length === 0 ? null : new PooledRanking(list.map((x) => x.scores)).averagePrecision());
    }
  }
  for (const name of Object.keys(series)) if (series[name].every((v) => v === null)) delete series[name];

  const foresightNames = ['mpp', 'multipath', 'montecarlo'].filter((n) => estimators[n]?.auprc);
  const bestEstimator = foresightNames.sort((a, b) => (estimators[b].auprc?.value ?? 0) - (estimators[a].auprc?.value ?? 0))[0] ?? 'mpp';
  return {
    incidents: run.records.length,
    detectedIncidents: detected.length,
    seed,
    fleet: run.fleet,
    world: {
      reach: run.options.reach, detectionDelayScale: run.options.detectionDelayScale,
      meanAffected: run.records.length === 0 ? 0 : run.records.reduce((sum, r) => sum + r.affected, 0) / run.records.length,
    },
    estimators,
    perType,
    policies,
    ablations,
    learningCurve: { window: CURVE_WINDOW, incidentsSeen, series },
    origin: overall.origin,
    model: { grantThreshold: run.finalModel.grantThreshold, version: run.finalModel.version, learnerVerdicts: run.learnerVerdicts },
    best: { estimator: bestEstimator, policyEstimator: run.options.policyEstimator },
  };
}
