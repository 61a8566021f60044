import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import type { Incident } from '@foresight/sim';

/**
 * Which simulated incident each Foresight incident is about: the one whose monitoring reported its first source
 * (same VM, same reported onset). Foresight numbers incidents itself; the simulator's ids never reach it.
 */
export function matchIncidents(incidents: readonly Incident[], risks: readonly RiskAssessment[]): Map<string, number> {
  const reportOf = new Map<string, number>();
  incidents.forEach((incident, i) => {
    for (const e of incident.anomalyEvents) if (e.state === 'OPEN') reportOf.set(`${e.subjectId}@${e.eventTime}`, i);
  });
  const match = new Map<string, number>();
  for (const risk of risks) {
    if (match.has(risk.incidentId)) continue;
    for (const s of risk.sources) {
      const i = reportOf.get(`${s.vmId}@${s.onsetAt}`);
      if (i !== undefined) {
        match.set(risk.incidentId, i);
        break;
      }
    }
  }
  return match;
}

/** The first OPEN assessment of each Foresight incident, in publication order. */
export function firstAssessments(risks: readonly RiskAssessment[]): Map<string, RiskAssessment> {
  const first = new Map<string, RiskAssessment>();
  for (const r of risks) if (r.status === 'OPEN' && !first.has(r.incidentId)) first.set(r.incidentId, r);
  return first;
}

/** Allocation commands grouped by Foresight incident. */
export function commandsByIncident(commands: readonly AllocationCommand[]): Map<string, AllocationCommand[]> {
  const out = new Map<string, AllocationCommand[]>();
  for (const c of commands) out.set(c.incidentId, [...(out.get(c.incidentId) ?? []), c]);
  return out;
}
