import type { Interval } from './metrics.js';
import type { EstimatorSummary, EvaluationResult, OriginSummary, PolicySummary } from './summary.js';

/** The targets of the evaluation issue, each with its measured value and verdict. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: number | null;
  readonly required: number;
  readonly met: boolean;
}

function value(i: Interval | null | undefined): number | null {
  return i === null || i === undefined ? null : i.value;
}

/** Checks the four targets against a result (best Foresight estimator, predictive policy). */
export function checkTargets(result: EvaluationResult): TargetCheck[] {
  const best = value(result.estimators[result.best.estimator]?.auprc);
  const oracle = value(result.estimators.oracle?.auprc);
  const ppr = value(result.estimators.ppr?.auprc);
  const bfs2 = value(result.estimators.bfs2?.auprc);
  const predictive = result.policies.predictive;
  const ratio = best !== null && oracle !== null && oracle > 0 ? best / oracle : null;
  const overPpr = best !== null && ppr !== null ? best - ppr : null;
  const overBfs2 = best !== null && bfs2 !== null ? best - bfs2 : null;
  const cut = value(predictive?.reductionVsReactive);
  const waste = predictive?.wastedShare ?? null;
  return [
    { target: `AUPRC ${result.best.estimator} / oracle`, measured: ratio, required: 0.9, met: ratio !== null && ratio >= 0.9 },
    { target: `AUPRC ${result.best.estimator} − ppr`, measured: overPpr, required: 0.15, met: overPpr !== null && overPpr >= 0.15 },
    { target: `AUPRC ${result.best.estimator} − bfs2`, measured: overBfs2, required: 0.15, met: overBfs2 !== null && overBfs2 >= 0.15 },
    { target: 'degraded VM-min cut vs reactive', measured: cut, required: 0.6, met: cut !== null && cut >= 0.6 },
    { target: 'wasted share of granted (predictive)', measured: waste, required: 0.3, met: waste !== null && waste <= 0.3 },
  ];
}

function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function ci(i: Interval | null | undefined, digits = 3): string {
  return i === null || i === undefined ? '–' : `${i.value.toFixed(digits)} [${i.lo.toFixed(digits)}, ${i.hi.toFixed(digits)}]`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function estimatorRows(estimators: Record<string, EstimatorSummary>): string[][] {
  return Object.entries(estimators).map(([name, s]) => [
    name, ci(s.auprc), ci(s.precision), ci(s.recall), ci(s.brier, 4), ci(s.usefulRecall), ci(s.medianLeadMinutes, 1), ci(s.medianEtaErrorMinutes, 1),
  ]);
}

/** A readable report of a result (pure: returns the text). */
export function formatReport(result: EvaluationResult): string {
  const out: string[] = [];
  out.push(`foresight eval — ${result.incidents} incidents (${result.detectedIncidents} detected), seed ${result.seed}, ` +
    `${result.fleet.vms} VMs on ${result.fleet.hosts} hosts, ${result.fleet.pathways} pathways (${result.fleet.observedPathways} observed)`);
  const w = result.world;
  out.push(`world: reach ${w.reach >= 0 ? '+' : ''}${w.reach} log-odds, detection delay ×${w.detectionDelayScale}, ${w.meanAffected.toFixed(2)} truly affected VMs per incident`);
  out.push(`deployed code: ${DEPLOYED_CODE.learnerStep} (learner), ${DEPLOYED_CODE.labelling} (labels), ${DEPLOYED_CODE.allocation} (allocation round), as the services run them`);
  out.push('');
  out.push('Prediction at first detection (all VMs but the sources; 95% bootstrap intervals over incidents)');
  out.push(table(['estimator', 'AUPRC', 'precision', 'recall', 'Brier', 'useful recall', 'lead min', 'ETA err min'], estimatorRows(result.estimators)));
  out.push('');
  out.push('AUPRC per anomaly type');
  const names = Object.keys(result.estimators);
  out.push(table(['type', ...names], Object.entries(result.perType).map(([type, group]) => [type, ...names.map((n) => fmt(value(group.estimators[n]?.auprc)))])));
  const best = result.best.estimator;
  out.push('');
  out.push(`Per anomaly type: ${best} (95% intervals), the predictive policy against reactive, origin tracing`);
  out.push(table(
    ['type', 'incidents', 'AUPRC', 'precision', 'recall', 'useful recall', 'ETA err min', 'cut vs reactive', 'downstream cut', 'origin top-1'],
    Object.entries(result.perType).map(([type, group]) => {
      const s = group.estimators[best];
      const predictive = group.policies.predictive;
      return [
        type, `${group.detectedIncidents}/${group.incidents}`, ci(s?.auprc), ci(s?.precision), ci(s?.recall), ci(s?.usefulRecall), ci(s?.medianEtaErrorMinutes, 1),
        ci(predictive?.reductionVsReactive), ci(predictive?.downstreamReductionVsReactive), ci(group.origin?.top1),
      ];
    }),
  ));
  if (Object.keys(result.policies).length > 0) {
    out.push('');
    out.push('Closed loop (resource-minutes in units of 1 vCPU / 1 GiB / 100 Mbps)');
    out.push(table(
      ['policy', 'degraded VM-min', 'per incident', 'SLO-violation min', 'granted', 'wasted', 'wasted share', 'idle or wasted', 'churn/incident', 'protected', 'cut vs reactive', 'downstream cut'],
      Object.entries(result.policies).map(([name, p]) => [
        name, fmt(p.degradedVmMinutes, 0), ci(p.degradedPerIncident, 2), fmt(p.sloViolationMinutes, 0), fmt(p.grantedResourceMinutes, 0), fmt(p.wastedResourceMinutes, 0),
        fmt(p.wastedShare), fmt(p.idleOrWastedShare), fmt(p.churnPerIncident, 1), fmt(p.protectedShare), ci(p.reductionVsReactive), ci(p.downstreamReductionVsReactive),
      ]),
    ));
  }
  const curve = result.learningCurve;
  out.push('');
  out.push(`Learning curve: prequential AUPRC per window of ${curve.window} incidents`);
  out.push(table(['incidents seen', ...Object.keys(curve.series)], curve.incidentsSeen.map((seen, k) => [String(seen), ...Object.values(curve.series).map((s) => fmt(s[k]))])));
  if (Object.keys(result.ablations).length > 0) {
    out.push('');
    out.push(`Ablations (${result.best.policyEstimator}, prequential)`);
    out.push(table(['variant', 'AUPRC', 'precision', 'recall', 'Brier', 'useful recall', 'lead min', 'ETA err min'], estimatorRows(result.ablations)));
  }
  if (result.origin !== null) {
    out.push('');
    out.push(`Origin tracing: top-1 ${ci(result.origin.top1)}, top-3 ${ci(result.origin.top3)} (earliest-reported baseline top-1 ${ci(result.origin.earliestReportedTop1)})${result.origin.failures > 0 ? `; ${result.origin.failures} traces refused` : ''}`);
  }
  out.push('');
  out.push(`Final model v${result.model.version}, grantThreshold ${fmt(result.model.grantThreshold)}`);
  out.push(`Learner: core's deployed learner step (held-out gate); steps by verdict: ${Object.entries(result.model.learnerVerdicts).map(([v, n]) => `${v} ${n}`).join(', ') || 'none'}`);
  out.push('Targets');
  out.push(table(['target', 'measured', 'required', 'met'], checkTargets(result).map((t) => [t.target, fmt(t.measured), (t.target.startsWith('wasted') ? '≤ ' : '≥ ') + t.required.toFixed(2), t.met ? 'yes' : 'NO'])));
  return out.join('\n');
}

const interval = (i: Interval | null): [number, number] | null => (i === null ? null : [i.lo, i.hi]);

function estimatorJson(s: EstimatorSummary): Record<string, unknown> {
  return {
    auprc: value(s.auprc), precision: value(s.precision), recall: value(s.recall), brier: value(s.brier), usefulRecall: value(s.usefulRecall),
    medianLeadMinutes: value(s.medianLeadMinutes), medianEtaErrorMinutes: value(s.medianEtaErrorMinutes), auprcCi: interval(s.auprc),
    ci: {
      auprc: interval(s.auprc), precision: interval(s.precision), recall: interval(s.recall), brier: interval(s.brier), usefulRecall: interval(s.usefulRecall),
      medianLeadMinutes: interval(s.medianLeadMinutes), medianEtaErrorMinutes: interval(s.medianEtaErrorMinutes),
    },
  };
}

function policyJson(p: PolicySummary): Record<string, unknown> {
  return {
    degradedVmMinutes: p.degradedVmMinutes, sloViolationMinutes: p.sloViolationMinutes, grantedResourceMinutes: p.grantedResourceMinutes,
    wastedResourceMinutes: p.wastedResourceMinutes, wastedShare: p.wastedShare, idleOrWastedShare: p.idleOrWastedShare, churnPerIncident: p.churnPerIncident, protectedShare: p.protectedShare,
    reductionVsReactive: value(p.reductionVsReactive), downstreamDegradedVmMinutes: p.downstreamDegradedVmMinutes,
    downstreamReductionVsReactive: value(p.downstreamReductionVsReactive),
    ci: {
      degradedPerIncident: interval(p.degradedPerIncident), reductionVsReactive: interval(p.reductionVsReactive),
      downstreamReductionVsReactive: interval(p.downstreamReductionVsReactive),
    },
  };
}

function originJson(o: OriginSummary | null): Record<string, unknown> | null {
  return o === null ? null : {
    top1: value(o.top1), top3: value(o.top3), earliestReportedTop1: value(o.earliestReportedTop1), failures: o.failures,
    ci: { top1: interval(o.top1), top3: interval(o.top3), earliestReportedTop1: interval(o.earliestReportedTop1) },
  };
}

const mapValues = <A, B>(record: Record<string, A>, f: (a: A) => B): Record<string, B> => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));

/**
 * The core functions the evaluation's learning, labelling and closed loop run: the ones the learner and the allocator
 * services call (tests: services/learner/test/labelling-identity.test.ts, services/allocator/test/round-identity.test.ts).
 */
export const DEPLOYED_CODE = Object.freeze({ learnerStep: 'core learnerStep', labelling: 'core labelIncident', allocation: 'core allocationRound' });

/**
 * The machine-readable summary: `incidents`, `estimators`, `policies`, `perType` (the same per anomaly type, with
 * origin tracing) and the rest of the result; every metric's value, and its 95% interval under `ci`.
 */
export function resultJson(result: EvaluationResult): Record<string, unknown> {
  const perType = mapValues(result.perType, (g) => ({
    incidents: g.incidents, detectedIncidents: g.detectedIncidents, estimators: mapValues(g.estimators, estimatorJson), policies: mapValues(g.policies, policyJson), origin: originJson(g.origin),
  }));
  return {
    incidents: result.incidents, detectedIncidents: result.detectedIncidents, seed: result.seed, fleet: result.fleet, world: result.world,
    estimators: mapValues(result.estimators, estimatorJson), policies: mapValues(result.policies, policyJson), ablations: mapValues(result.ablations, estimatorJson), perType,
    learningCurve: result.learningCurve, origin: originJson(result.origin), best: result.best, targets: checkTargets(result),
    model: result.model, deployed: DEPLOYED_CODE,
  };
}
