import type { IncidentShowcase } from '../incident-showcase.js';
import { grantTimelineSvg, incidentGraphSvg } from '../report/incident-graph.js';
import type { LiveCommand, LiveIncident } from './live-fleet.js';

/** The most at-risk VMs drawn on the graph (the page lists the rest). */
export const MAX_DRAWN_AT_RISK = 40;

/** Each ENFORCE grant as a hold: from its GRANT to the RELEASE of the same VM, else to its lease expiry (≤ `end`). */
export function grantHolds(commands: readonly LiveCommand[], end: number): { vmId: string; start: number; end: number }[] {
  const open = new Map<string, { vmId: string; start: number; leaseEnd: number }>();
  const holds: { vmId: string; start: number; end: number }[] = [];
  for (const c of commands) {
    if (c.mode !== 'ENFORCE') continue;
    const held = open.get(c.vmId);
    if (c.action === 'GRANT') {
      if (held !== undefined) holds.push({ vmId: held.vmId, start: held.start, end: Math.min(c.at, held.leaseEnd) });
      open.set(c.vmId, { vmId: c.vmId, start: c.at, leaseEnd: c.leaseExpiresAt });
    } else if (c.action === 'ADJUST') {
      if (held !== undefined) open.set(c.vmId, { ...held, leaseEnd: c.leaseExpiresAt });
    } else if (held !== undefined) {
      holds.push({ vmId: held.vmId, start: held.start, end: Math.min(c.at, held.leaseEnd) });
      open.delete(c.vmId);
    }
  }
  for (const held of open.values()) holds.push({ vmId: held.vmId, start: held.start, end: Math.min(held.leaseEnd, end) });
  return holds;
}

/**
 * The incident as the report draws it: sources, the `drawn` likeliest at-risk VMs whose likeliest path is known (those
 * read from the hot scores at start-up have none until the next risk version) and its grants over time. The truth
 * (which VMs were really affected) is not known live: nothing is drawn for it.
 */
export function incidentShowcase(incident: LiveIncident, drawn: number): IncidentShowcase {
  const lastCommand = Math.max(0, ...incident.commands.map((c) => c.at));
  const horizonEnd = Math.max(incident.generatedAt, lastCommand, incident.openedAt + 60_000) + 60_000;
  return {
    incidentId: incident.incidentId,
    anomalyType: incident.anomalyType,
    firstDetectionAt: incident.openedAt,
    horizonEnd,
    sources: incident.sources.map((s) => s.vmId),
    atRisk: incident.atRisk.filter((r) => r.path.length > 0).slice(0, drawn)
      .map((r) => ({ vmId: r.vmId, probability: r.probability, etaMs: Math.max(0, r.etaAt - incident.generatedAt), path: r.path, kinds: r.contributions.map((c) => c.kind) })),
    affected: [],
    grants: grantHolds(incident.commands, horizonEnd).map((h) => ({ ...h, by: 'foresight' as const })),
  };
}

/** The incident's neighbourhood graph and grant timeline as SVG (the report's drawings). */
export function incidentDrawings(incident: LiveIncident, drawn: number): { readonly graphSvg: string; readonly grantsSvg: string } {
  const showcase = incidentShowcase(incident, Math.min(drawn, MAX_DRAWN_AT_RISK));
  return { graphSvg: incidentGraphSvg(showcase, 'console-incident-graph'), grantsSvg: grantTimelineSvg(showcase, 'console-incident-grants') };
}
