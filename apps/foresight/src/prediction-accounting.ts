import type { ModelVersion, RiskAssessment } from '@foresight/contracts';
import { defaultModel, parseModel } from '@foresight/core';
import { judgePrediction, PooledRanking, type EstimatorIncident } from '@foresight/evaluation';
import type { FleetScenario } from './fleet-scenario.js';

/** How well the pipeline's first assessment of each incident predicted where it spread. */
export interface PredictionTotals {
  /** Pooled over (incident, VM) pairs, every VM but the sources; null without positives. */
  readonly auprc: number | null;
  readonly precision: number | null;
  readonly recall: number | null;
  /** Incidents with a prediction (detected and assessed). */
  readonly incidents: number;
  readonly byType: Readonly<Record<string, { readonly auprc: number | null; readonly precision: number | null; readonly recall: number | null; readonly incidents: number }>>;
  readonly learningCurve: LearningCurve;
}

/** Prequential AUPRC as incidents are seen, and when the learner published a model. */
export interface LearningCurve {
  /** Incidents seen (1-based) and the cumulative AUPRC after them (null until there is a positive). */
  readonly points: readonly { readonly seen: number; readonly cumulative: number | null; readonly modelVersion: number }[];
  /** Model versions published, at the number of predicted incidents seen by then. */
  readonly publications: readonly { readonly version: number; readonly afterIncidents: number }[];
}

interface Judged {
  readonly index: number;
  readonly type: string;
  readonly onsetAt: number;
  readonly modelVersion: number;
  readonly judged: EstimatorIncident;
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

function totals(list: readonly Judged[]): { auprc: number | null; precision: number | null; recall: number | null; incidents: number } {
  const tp = list.reduce((s, j) => s + j.judged.flaggedTp, 0);
  const fp = list.reduce((s, j) => s + j.judged.flaggedFp, 0);
  const positives = list.reduce((s, j) => s + j.judged.positives, 0);
  return { auprc: new PooledRanking(list.map((j) => j.judged.scores)).averagePrecision(), precision: ratio(tp, tp + fp), recall: ratio(tp, positives), incidents: list.length };
}

/**
 * Judges, for every simulated incident Foresight assessed, its first OPEN assessment (the earliest matched Foresight
 * incident's) with the evaluation's judgePrediction: every VM but the assessment's sources is a candidate, positive if it
 * truly became anomalous within the horizon; flagged at the grant threshold of the model version that scored it.
 */
export function judgePredictions(
  scenario: FleetScenario, first: ReadonlyMap<string, RiskAssessment>, match: ReadonlyMap<string, number>, models: readonly ModelVersion[],
): PredictionTotals {
  const thresholds = new Map<number, number>([[defaultModel().version, defaultModel().grantThreshold]]);
  for (const m of models) thresholds.set(m.version, parseModel(m.parametersJson).grantThreshold);
  const chosen = new Map<number, RiskAssessment>();
  for (const [incidentId, risk] of first) {
    const i = match.get(incidentId);
    if (i === undefined) continue;
    const seen = chosen.get(i);
    if (seen === undefined || risk.generatedAt < seen.generatedAt) chosen.set(i, risk);
  }
  const vmIds = scenario.world.vms.map((vm) => vm.id);
  const judged: Judged[] = [];
  for (const [i, risk] of [...chosen].sort((a, b) => a[0] - b[0])) {
    const incident = scenario.incidents[i];
    const ctx = {
      vmIds, sources: new Set(risk.sources.map((s) => s.vmId)), predictedAt: risk.generatedAt, actuationLatencyMs: 5_000,
      onsetOf: new Map(incident.affected.filter((a) => a.onsetAt <= incident.horizonEnd).map((a) => [a.vmId, a.onsetAt])),
    };
    const prediction = {
      probability: new Map(risk.atRisk.map((r) => [r.vmId, r.probability])),
      etaAt: new Map(risk.atRisk.map((r) => [r.vmId, risk.generatedAt + r.etaMs])),
    };
    const threshold = thresholds.get(risk.modelVersion) ?? defaultModel().grantThreshold;
    judged.push({ index: i, type: incident.anomalyType, onsetAt: incident.onsetAt, modelVersion: risk.modelVersion, judged: judgePrediction(prediction, threshold, ctx) });
  }
  const types = [...new Set(judged.map((j) => j.type))].sort();
  const points = judged.map((j, k) => ({ seen: k + 1, cumulative: new PooledRanking(judged.slice(0, k + 1).map((x) => x.judged.scores)).averagePrecision(), modelVersion: j.modelVersion }));
  const publications = models.map((m) => ({ version: m.version, afterIncidents: judged.filter((j) => j.onsetAt <= m.eventTime).length }));
  return {
    ...totals(judged),
    byType: Object.fromEntries(types.map((t) => [t, totals(judged.filter((j) => j.type === t))])),
    learningCurve: { points, publications },
  };
}
