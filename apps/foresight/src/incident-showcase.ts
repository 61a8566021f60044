import type { RiskAssessment } from '@foresight/contracts';
import type { Hold } from '@foresight/evaluation';
import type { Incident } from '@foresight/sim';
import type { ActuatedHold } from './simulated-actuator.js';

/** One incident as the report draws it: the likeliest paths Foresight saw, the truth, and the grants over time. */
export interface IncidentShowcase {
  readonly incidentId: string;
  readonly anomalyType: string;
  readonly firstDetectionAt: number;
  readonly horizonEnd: number;
  readonly sources: readonly string[];
  /** The most likely VMs of the first assessment, with their likeliest path from a source. */
  readonly atRisk: readonly { readonly vmId: string; readonly probability: number; readonly etaMs: number; readonly path: readonly string[]; readonly kinds: readonly string[] }[];
  /** What truly happened: every affected VM with its onset and (when monitoring saw it) its detection. */
  readonly affected: readonly { readonly vmId: string; readonly onsetAt: number; readonly detectedAt?: number; readonly parentVmId?: string }[];
  /** Holds by VM: Foresight's (predictive) and the reactive autoscaler's. */
  readonly grants: readonly { readonly vmId: string; readonly start: number; readonly end: number; readonly by: 'foresight' | 'reactive' }[];
}

const MAX_AT_RISK = 12;

/**
 * Picks the incident worth drawing: detected, assessed, and with the most truly affected VMs that Foresight granted
 * before their onset (then most affected VMs); undefined when no incident was assessed.
 */
export function pickShowcase(
  incidents: readonly Incident[], first: ReadonlyMap<string, RiskAssessment>, match: ReadonlyMap<string, number>, holds: readonly ActuatedHold[],
  reactive: readonly ReadonlyMap<string, readonly Hold[]>[], endAt: number,
): IncidentShowcase | undefined {
  let best: { score: number; incidentId: string; i: number } | undefined;
  for (const [incidentId, risk] of first) {
    const i = match.get(incidentId);
    if (i === undefined || risk.atRisk.length === 0) continue;
    const incident = incidents[i];
    const mine = holds.filter((h) => h.incidentId === incidentId);
    const protectedInTime = incident.affected.filter((a) => mine.some((h) => h.vmId === a.vmId && h.start <= a.onsetAt)).length;
    const score = protectedInTime * 1000 + Math.min(incident.affected.length, 20) * 10 + Math.min(mine.length, 9);
    if (best === undefined || score > best.score) best = { score, incidentId, i };
  }
  if (best === undefined) return undefined;
  const { incidentId, i } = best;
  const incident = incidents[i];
  const risk = first.get(incidentId) as RiskAssessment;
  const end = (h: Hold & { readonly expiresAt?: number }): number => Math.min(h.end, h.expiresAt ?? Infinity, endAt);
  return {
    incidentId,
    anomalyType: incident.anomalyType,
    firstDetectionAt: risk.generatedAt,
    horizonEnd: incident.horizonEnd,
    sources: risk.sources.map((s) => s.vmId),
    atRisk: risk.atRisk.slice(0, MAX_AT_RISK).map((r) => ({ vmId: r.vmId, probability: r.probability, etaMs: r.etaMs, path: r.path, kinds: r.contributions.map((c) => c.kind) })),
    affected: incident.affected.map((a) => ({
      vmId: a.vmId, onsetAt: a.onsetAt, ...(a.detectedAt === undefined ? {} : { detectedAt: a.detectedAt }), ...(a.parentVmId === undefined ? {} : { parentVmId: a.parentVmId }),
    })),
    grants: [
      ...holds.filter((h) => h.incidentId === incidentId).map((h) => ({ vmId: h.vmId, start: h.start, end: end(h), by: 'foresight' as const })),
      ...[...reactive[i]].flatMap(([vmId, list]) => list.map((h) => ({ vmId, start: h.start, end: end(h), by: 'reactive' as const }))),
    ],
  };
}
