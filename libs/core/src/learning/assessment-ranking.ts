import type { ModelParameters } from '../model/model-parameters.js';
import { scorePropagation } from '../propagation/score-propagation.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { ScoredExposure } from './model-evaluation.js';
import type { IncidentOutcome } from './outcome.js';

/** How the gate re-ranks held-out first assessments (the evaluation's policy estimator and floor by default). */
export interface AssessmentRankingOptions {
  readonly floor?: number;
}

/** A held-out incident's first assessment scored under one model: VM → probability (undefined: not scorable). */
export type AssessmentScores = readonly (ReadonlyMap<string, number> | undefined)[];

function scorable(snapshot: TopologySnapshot, outcome: IncidentOutcome): { sources: { vmId: string; onsetAt: number }[]; type: string } | undefined {
  const sources = (outcome.sources ?? []).filter((s) => snapshot.indexOf(s.vmId) >= 0);
  const type = outcome.anomalyType ?? outcome.exposures[0]?.anomalyType ?? outcome.missed?.[0]?.anomalyType;
  return sources.length === 0 || type === undefined ? undefined : { sources, type };
}

/**
 * Each held-out incident's first assessment re-scored under `model` from its origin on the topology (multipath): one
 * map per outcome, undefined for outcomes recorded without their sources or type.
 */
export function assessmentScores(snapshot: TopologySnapshot, model: ModelParameters, heldOut: readonly IncidentOutcome[], options: AssessmentRankingOptions = {}): AssessmentScores {
  return heldOut.map((outcome) => {
    const input = scorable(snapshot, outcome);
    if (input === undefined) return undefined;
    const atRisk = scorePropagation(snapshot, model, input.type, input.sources, { estimator: 'multipath', floor: options.floor ?? 0.001, explain: 'none' }).atRisk;
    return new Map(atRisk.map((r) => [r.vmId, r.probability]));
  });
}

/**
 * Two models' assessment scores as paired lists: per scorable incident, every VM either lists or that became anomalous
 * (sources excluded), with each model's probability (0 when it does not list the VM) and whether it became anomalous.
 */
export function pairAssessments(
  heldOut: readonly IncidentOutcome[], a: AssessmentScores, b: AssessmentScores,
): { readonly candidate: ScoredExposure[]; readonly current: ScoredExposure[]; readonly incidents: number } {
  const c: ScoredExposure[] = [];
  const k: ScoredExposure[] = [];
  let incidents = 0;
  heldOut.forEach((outcome, i) => {
    const pc = a[i];
    const pk = b[i];
    if (pc === undefined || pk === undefined) return;
    const origin = new Set((outcome.sources ?? []).map((s) => s.vmId));
    const positives = new Set([...outcome.exposures.filter((e) => e.becameAnomalous).map((e) => e.vmId), ...(outcome.missed ?? []).map((m) => m.vmId)]);
    const vms = new Set([...pc.keys(), ...pk.keys(), ...positives]);
    for (const vmId of [...vms].sort()) {
      if (origin.has(vmId)) continue;
      const y = positives.has(vmId);
      c.push({ p: pc.get(vmId) ?? 0, y, incident: incidents });
      k.push({ p: pk.get(vmId) ?? 0, y, incident: incidents });
    }
    incidents++;
  });
  return { candidate: c, current: k, incidents };
}

/**
 * The held-out incidents' first assessments re-scored under two models on the topology, as paired lists (incidents
 * recorded without their sources are skipped). This is the ranking the deployed scorer makes from the origin alone,
 * where the held-out exposures' edge probabilities judge one hop from parents known to be affected.
 */
export function pairedAssessmentScores(
  snapshot: TopologySnapshot, candidate: ModelParameters, current: ModelParameters, heldOut: readonly IncidentOutcome[], options: AssessmentRankingOptions = {},
): { readonly candidate: ScoredExposure[]; readonly current: ScoredExposure[]; readonly incidents: number } {
  return pairAssessments(heldOut, assessmentScores(snapshot, candidate, heldOut, options), assessmentScores(snapshot, current, heldOut, options));
}
