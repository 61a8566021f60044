import { pageOf, parsePage, type Page } from './console-input.js';
import type { LiveFleet, LiveIncident, RankedVm } from './live-fleet.js';

/** One incident of the fleet view's list. */
export interface IncidentRow {
  readonly incidentId: string;
  readonly systemId: string;
  readonly anomalyType: string;
  readonly severity: number;
  readonly status: 'OPEN' | 'CLOSED';
  readonly version: number;
  readonly openedAt: number;
  readonly generatedAt: number;
  readonly sources: number;
  readonly atRisk: number;
  readonly maxProbability: number;
  /** ENFORCE grants seen for it (live, or held in the ledger at start-up). */
  readonly grants: number;
  readonly traceId: string | null;
}

/** The fleet view: open incidents and the at-risk VMs ranked, each paginated. */
export interface FleetView {
  readonly asOf: number;
  readonly counts: { readonly openIncidents: number; readonly closedIncidents: number; readonly atRiskVms: number };
  readonly incidents: Page<IncidentRow>;
  readonly atRisk: Page<RankedVm>;
}

/** An incident as a row of the list. */
export function incidentRow(i: LiveIncident): IncidentRow {
  return {
    incidentId: i.incidentId, systemId: i.systemId, anomalyType: i.anomalyType, severity: i.severity, status: i.status, version: i.version, openedAt: i.openedAt,
    generatedAt: i.generatedAt, sources: i.sources.length, atRisk: i.atRiskCount, maxProbability: i.atRisk[0]?.probability ?? 0,
    grants: i.commands.filter((c) => c.action === 'GRANT' && c.mode === 'ENFORCE').length, traceId: i.traceId ?? null,
  };
}

/**
 * GET /api/fleet?incidentPage&incidentSize&vmPage&vmSize[&status=open|all]: the incidents (open first; closed ones only
 * with status=all) and the at-risk VMs over the open incidents, highest probability first, one page of each.
 */
export function fleetView(fleet: LiveFleet, query: URLSearchParams, now: number): FleetView {
  const incidentPage = parsePage(query, 20, 'incident');
  const vmPage = parsePage(query, 50, 'vm');
  const all = fleet.incidentList();
  const open = all.filter((i) => i.status === 'OPEN');
  const listed = query.get('status') === 'all' ? all : open;
  const ranked = fleet.rankedVms();
  const page = pageOf(listed, incidentPage);
  return {
    asOf: now,
    counts: { openIncidents: open.length, closedIncidents: all.length - open.length, atRiskVms: ranked.length },
    incidents: { ...page, items: page.items.map(incidentRow) },
    atRisk: pageOf(ranked, vmPage),
  };
}
