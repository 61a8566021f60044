import { ConsoleError } from './console-error.js';
import { pageOf, parseBoundedInt, parsePage, type Page } from './console-input.js';
import type { ConsoleStores } from './console-stores.js';
import { incidentRow, type IncidentRow } from './fleet-view.js';
import { incidentDrawings, MAX_DRAWN_AT_RISK } from './incident-drawing.js';
import type { LiveAtRisk, LiveCommand, LiveFleet, LiveVersion } from './live-fleet.js';

/** The incident view: the incident, its at-risk VMs (paginated), its versions, its commands and its drawings. */
export interface IncidentView {
  readonly incident: IncidentRow & { readonly modelVersion: number; readonly origin: 'live' | 'stores' };
  readonly sources: readonly { readonly vmId: string; readonly onsetAt: number }[];
  readonly atRisk: Page<LiveAtRisk>;
  readonly versions: readonly LiveVersion[];
  /** The newest commands, oldest first (at most `commands`). */
  readonly commands: readonly LiveCommand[];
  readonly graphSvg: string;
  readonly grantsSvg: string;
}

/**
 * GET /api/incidents/<id>?page&size&draw&commands. An incident the console has not seen since it started is looked up
 * in the hot scores (a version and its likeliest VMs); NOT_FOUND when neither knows it.
 */
export async function incidentView(fleet: LiveFleet, stores: ConsoleStores, incidentId: string, query: URLSearchParams): Promise<IncidentView> {
  const page = parsePage(query, 50);
  const drawn = parseBoundedInt('draw', query.get('draw'), 12, 0, MAX_DRAWN_AT_RISK);
  const commandLimit = parseBoundedInt('commands', query.get('commands'), 100, 0, fleet.limits.commandsPerSubject);
  let incident = fleet.incident(incidentId);
  if (incident === undefined) {
    const scores = await stores.risk.topIncidentScores(incidentId, fleet.limits.atRiskPerIncident);
    if (scores === undefined) throw new ConsoleError('NOT_FOUND', `incident ${incidentId} is not known (not open, or closed longer ago than the scores live)`);
    fleet.seedIncident({
      incidentId, systemId: '', anomalyType: '', severity: 0, status: scores.entries.length === 0 ? 'CLOSED' : 'OPEN', version: scores.version, modelVersion: 0,
      generatedAt: 0, openedAt: 0, sources: [], atRisk: scores.entries.map((e) => ({ ...e, hostId: undefined, path: [], contributions: [] })), atRiskCount: scores.entries.length,
    }, []);
    incident = fleet.incident(incidentId);
    if (incident === undefined) throw new ConsoleError('NOT_FOUND', `incident ${incidentId} is not known`);
  }
  return {
    incident: { ...incidentRow(incident), modelVersion: incident.modelVersion, origin: incident.origin },
    sources: incident.sources,
    atRisk: pageOf(incident.atRisk, page),
    versions: incident.versions,
    commands: commandLimit === 0 ? [] : incident.commands.slice(-commandLimit),
    ...incidentDrawings(incident, drawn),
  };
}
