import type { PropagationSource, RiskEntry } from '../propagation/propagation-score.js';

/** Mean delays shorter than this are treated as this (a zero-delay path would make survival a step function). */
export const MIN_MEAN_DELAY_MS = 1;

/**
 * Evidence factor of a VM seen healthy at `healthyAt`: posterior(affected | healthy at t) / p, where the arrival
 * delay is exponential with mean `meanDelayMs`, S = exp(−(t − onset)/mean) and the posterior is p·S / (p·S + 1 − p).
 * Equals S / (p·S + 1 − p) ∈ (0, 1]; 1 for t ≤ onset (no evidence yet) or p ≤ 0.
 */
export function healthyEvidenceFactor(probability: number, onsetAt: number, meanDelayMs: number, healthyAt: number): number {
  const p = Math.min(Math.max(probability, 0), 1);
  if (!(healthyAt > onsetAt) || p <= 0) return 1;
  const survival = Math.exp(-(healthyAt - onsetAt) / Math.max(meanDelayMs, MIN_MEAN_DELAY_MS));
  return survival / (p * survival + 1 - p);
}

/** One VM's evidence factor and the figures it came from (for explanations). */
export interface HealthyEvidence {
  readonly vmId: string;
  readonly healthyAt: number;
  /** Probability before this evidence. */
  readonly priorProbability: number;
  /** Onset of the source of the VM's likeliest path, and that path's expected delay. */
  readonly onsetAt: number;
  readonly meanDelayMs: number;
  readonly factor: number;
}

/**
 * Evidence factors for VMs seen healthy, from a score that did not yet use them: each VM's p, ETA and path source
 * come from its risk entry; VMs absent from `atRisk` (pruned or unreachable) need no factor and are skipped.
 */
export function healthyEvidence(
  healthySeenAt: ReadonlyMap<string, number>,
  atRisk: readonly RiskEntry[],
  sources: readonly PropagationSource[],
): HealthyEvidence[] {
  const onsetBySource = new Map(sources.map((s) => [s.vmId, s.onsetAt]));
  const out: HealthyEvidence[] = [];
  for (const entry of atRisk) {
    const healthyAt = healthySeenAt.get(entry.vmId);
    if (healthyAt === undefined) continue;
    const onsetAt = onsetBySource.get(entry.path[0] ?? '') ?? earliestOnset(sources);
    const meanDelayMs = Math.max(entry.etaAt - onsetAt, MIN_MEAN_DELAY_MS);
    const factor = healthyEvidenceFactor(entry.probability, onsetAt, meanDelayMs, healthyAt);
    if (factor < 1) out.push({ vmId: entry.vmId, healthyAt, priorProbability: entry.probability, onsetAt, meanDelayMs, factor });
  }
  return out.sort((a, b) => (a.vmId < b.vmId ? -1 : a.vmId > b.vmId ? 1 : 0));
}

function earliestOnset(sources: readonly PropagationSource[]): number {
  let min = Infinity;
  for (const s of sources) min = Math.min(min, s.onsetAt);
  return min;
}
