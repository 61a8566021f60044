import { INCIDENTS_DOCUMENT_KIND } from '@foresight/propagation-scorer';
import type { Reservation } from '@foresight/stores';
import type { ConsoleStores } from './console-stores.js';
import type { LiveAtRisk, LiveCommand, LiveFleet } from './live-fleet.js';

/**
 * The document kind of one open incident at one revision (id `<incidentId>#<revision>`), as the propagation scorer's
 * IncidentBook writes it. NOTE: read defensively: a field missing or of another shape leaves that figure unknown.
 */
const INCIDENT_DOCUMENT_KIND = 'propagation-scorer.incident';

/** The fields of the scorer's stored incident the console shows. */
interface StoredIncidentFields {
  readonly systemId?: unknown;
  readonly anomalyType?: unknown;
  readonly openedAt?: unknown;
  readonly status?: unknown;
  readonly riskVersion?: unknown;
  readonly generatedAt?: unknown;
  readonly modelVersion?: unknown;
  readonly sources?: unknown;
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

function sourcesOf(value: unknown): { vmId: string; onsetAt: number; severity: number }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') return [];
    const source = (entry[1] ?? {}) as { onsetAt?: unknown; severity?: unknown };
    return [{ vmId: entry[0], onsetAt: num(source.onsetAt, 0), severity: num(source.severity, 0) }];
  });
}

/** An active reservation as a GRANT the console shows (its event time unknown: the lease id carries it, the ledger does not). */
function reservationCommand(r: Reservation, at: number): LiveCommand {
  return {
    commandId: r.commandId, incidentId: r.incidentId, vmId: r.vmId, hostId: r.hostId, action: 'GRANT', mode: 'ENFORCE', resources: r.resources, at,
    leaseExpiresAt: r.leaseExpiresAt, probability: Number.NaN, why: 'held in the ledger when the console started',
  };
}

/**
 * Reads the open incidents from the stores of record into `fleet`: which incidents are open (the scorer's per-system
 * index), what each is (its stored revision), its latest scores (the hot scores, the `atRiskPerIncident` likeliest) and
 * the reservations it holds (the ledger). At most `maxIncidents` are read. Returns how many incidents were taken.
 */
export async function loadStoredIncidents(stores: ConsoleStores, fleet: LiveFleet, maxIncidents: number): Promise<number> {
  const indexes = await stores.documents.list(INCIDENTS_DOCUMENT_KIND);
  const named: [string, number][] = [];
  for (const { json } of indexes) {
    try {
      const entries = (JSON.parse(json) as { incidents?: unknown }).incidents;
      if (!Array.isArray(entries)) continue;
      for (const e of entries) if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number') named.push([e[0], e[1]]);
    } catch {
      continue; // a malformed index names nothing the console can show
    }
  }
  const chosen = named.slice(0, maxIncidents);
  const docs = chosen.length === 0 ? [] : await stores.documents.getMany(INCIDENT_DOCUMENT_KIND, chosen.map(([id, revision]) => `${id}#${revision}`));
  let taken = 0;
  for (let i = 0; i < chosen.length; i++) {
    const incidentId = chosen[i][0];
    let stored: StoredIncidentFields = {};
    try {
      stored = docs[i] === undefined ? {} : (JSON.parse(docs[i] as string) as StoredIncidentFields);
    } catch {
      stored = {};
    }
    const [scores, reservations] = await Promise.all([
      stores.risk.topIncidentScores(incidentId, fleet.limits.atRiskPerIncident),
      stores.ledger.activeReservations({ incidentId }),
    ]);
    const sources = sourcesOf(stored.sources);
    const generatedAt = num(stored.generatedAt, 0);
    const hostOf = new Map(reservations.map((r) => [r.vmId, r.hostId]));
    const atRisk: LiveAtRisk[] = (scores?.entries ?? []).map((e) => ({ vmId: e.vmId, hostId: hostOf.get(e.vmId), probability: e.probability, etaAt: e.etaAt, path: [], contributions: [] }));
    const took = fleet.seedIncident({
      incidentId, systemId: str(stored.systemId, ''), anomalyType: str(stored.anomalyType, ''), severity: Math.max(0, ...sources.map((s) => s.severity)),
      status: stored.status === 'CLOSED' ? 'CLOSED' : 'OPEN', version: scores?.version ?? num(stored.riskVersion, 0), modelVersion: num(stored.modelVersion, 0),
      generatedAt, openedAt: num(stored.openedAt, generatedAt), sources: sources.map((s) => ({ vmId: s.vmId, onsetAt: s.onsetAt })), atRisk, atRiskCount: atRisk.length,
    }, reservations.map((r) => reservationCommand(r, generatedAt)));
    if (took) taken++;
  }
  return taken;
}
