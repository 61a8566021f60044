import type { RiskAssessment } from '@foresight/contracts';

/**
 * The order a batch of risk assessments is handled in, as rounds: round k holds each incident's k-th assessment, so
 * a round has at most one per incident. Each incident keeps its order; incidents whose first assessment in the batch
 * is CLOSED come first (they only free resources, which later grants of the batch may use). Kafka orders only per
 * key (incident), so any such order is one the partition could have delivered.
 */
export function riskRounds(risks: readonly RiskAssessment[]): RiskAssessment[][] {
  const first = new Map<string, RiskAssessment>();
  for (const r of risks) if (!first.has(r.incidentId)) first.set(r.incidentId, r);
  const closing = (r: RiskAssessment): boolean => first.get(r.incidentId)?.status === 'CLOSED';
  const rounds: RiskAssessment[][] = [];
  const seen = new Map<string, number>();
  for (const r of [...risks.filter(closing), ...risks.filter((r) => !closing(r))]) {
    const k = seen.get(r.incidentId) ?? 0;
    seen.set(r.incidentId, k + 1);
    (rounds[k] ??= []).push(r);
  }
  return rounds;
}
