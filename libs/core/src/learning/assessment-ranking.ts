import type { ModelParameters } from '../model/model-parameters.js';
import { scorePropagation } from '../propagation/score-propagation.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { ScoredExposure } from './model-evaluation.js';
import type { IncidentOutcome } from './outcome.js';

/** How the gate re-ranks held-out first assessments (the evaluation's policy estimator and floor by default). */
export interface AssessmentRankingOptions {
  readonly floor?: number;
}

/**
 * The held-out incidents' first assessments re-scored under two models on the topology, as paired lists: per incident,
 * every VM either model lists or that became anomalous (sources excluded), with each model's probability (0 when it
 * does not list the VM) and whether it became anomalous. Incidents recorded without their sources are skipped. This is
 * the ranking the deployed scorer makes from the origin alone, where the held-out exposures' edge probabilities judge
 * one hop from parents known to be affected.
 */
export function pairedAssessmentScores(
  snapshot: TopologySnapshot, candidate: ModelParameters, current: ModelParameters, heldOut: readonly IncidentOutcome[], options: AssessmentRankingOptions = {},
): { readonly candidate: ScoredExposure[]; readonly current: ScoredExposure[]; readonly incidents: number } {
  const c: ScoredExposure[] = [];
  const k: ScoredExposure[] = [];
  let incidents = 0;
  for (const outcome of heldOut) {
    const known = (outcome.sources ?? []).filter((s) => snapshot.indexOf(s.vmId) >= 0);
    const type = outcome.anomalyType ?? outcome.exposures[0]?.anomalyType ?? outcome.missed?.[0]?.anomalyType;
    if (known.length === 0 || type === undefined) continue;
    const origin = new Set(known.map((s) => s.vmId));
    const positives = new Set([...outcome.exposures.filter((e) => e.becameAnomalous).map((e) => e.vmId), ...(outcome.missed ?? []).map((m) => m.vmId)]);
    const score = (model: ModelParameters): Map<string, number> =>
      new Map(scorePropagation(snapshot, model, type, known, { estimator: 'multipath', floor: options.floor ?? 0.001, explain: 'none' }).atRisk.map((r) => [r.vmId, r.probability]));
    const pc = score(candidate);
    const pk = score(current);
    const vms = new Set([...pc.keys(), ...pk.keys(), ...positives]);
    for (const vmId of [...vms].sort()) {
      if (origin.has(vmId)) continue;
      const y = positives.has(vmId);
      c.push({ p: pc.get(vmId) ?? 0, y, incident: incidents });
      k.push({ p: pk.get(vmId) ?? 0, y, incident: incidents });
    }
    incidents++;
  }
  return { candidate: c, current: k, incidents };
}
