import type { ActiveSource, IncidentState, RetiredSource, TracedScope, TrackedIncident } from '@foresight/core';
import { RuntimeError } from '@foresight/messaging';
import type { DocumentStore } from '@foresight/stores';

/** The document kind of each system's incident index (id: systemId): which incidents are open, at which revision. */
export const INCIDENTS_DOCUMENT_KIND = 'propagation-scorer.incidents';
/** The document kind of one incident at one revision (id: `<incidentId>#<revision>`). */
export const INCIDENT_DOCUMENT_KIND = 'propagation-scorer.incident';

/** A system's index document: [incidentId, revision] of every open incident, by incident id. */
interface IncidentIndex {
  readonly incidents: readonly (readonly [string, number])[];
}

/** What this instance last read or wrote of one system. */
interface CachedSystem {
  /** The index document as stored: equal strings mean nothing changed since. */
  readonly indexJson: string;
  readonly incidents: ReadonlyMap<string, { readonly incident: TrackedIncident; readonly revision: number }>;
}

/**
 * Open incidents: one document per incident revision, and per system a small index naming the open incidents and
 * their revisions. Writing costs what changed, not what is open: only incidents that are not the very objects last
 * read are written (as a new revision), then the index, in one put, switches to them; replaced revisions are deleted
 * after. A crash before the index put leaves the index on the old revisions, and the redelivered anomaly rewrites
 * the same new revisions (same content, same ids) before switching: nothing is half applied.
 *
 * Reads go through the index on every use (anomalies are keyed by systemId, so the instance that owns a system's
 * partition is its main writer, but a tick on another instance, or a new owner after a rebalance, may write too):
 * when the stored index is the one last seen, the incidents come from memory; otherwise only the revisions that
 * changed are fetched and parsed.
 * NOTE: incidents are immutable values: a changed incident is a new object, which is how write() finds changes.
 */
export class IncidentBook {
  private readonly cache = new Map<string, CachedSystem>();

  /**
   * @param emptied called when the store holds no index for a system this instance remembers open incidents of: it
   *   throws (HANDLER_RETRIABLE) when that is because the store lost its data, so the memory is kept for the restore
   */
  constructor(private readonly documents: DocumentStore, private readonly emptied: (systemId: string) => Promise<void> = () => Promise.resolve()) {}

  /** The open incidents this instance remembers (last read or written), by system: what a store that lost them lacks. */
  remembered(): Map<string, TrackedIncident[]> {
    const out = new Map<string, TrackedIncident[]>();
    for (const [systemId, system] of this.cache) {
      if (system.incidents.size > 0) out.set(systemId, [...system.incidents.values()].map((e) => e.incident));
    }
    return out;
  }

  /** Drops what this instance remembers of a system (the next read or write starts from the store). */
  forget(systemId: string): void {
    this.cache.delete(systemId);
  }

  /** Whether the store holds an index for the system (some instance wrote its open incidents). */
  async stored(systemId: string): Promise<boolean> {
    return (await this.documents.get(INCIDENTS_DOCUMENT_KIND, systemId)) !== undefined;
  }

  /** The stored index of one system, as read() takes it (asked for ahead, alongside other reads). */
  fetchIndex(systemId: string): Promise<string | undefined> {
    return this.documents.get(INCIDENTS_DOCUMENT_KIND, systemId);
  }

  /** The open incidents of one system (from `index` when given: what fetchIndex returned, read just before). */
  async read(systemId: string, index?: Promise<string | undefined>): Promise<TrackedIncident[]> {
    return [...(await this.load(systemId, index)).incidents.values()].map((e) => e.incident);
  }

  /** Replaces the open incidents of one system with `incidents` (the index goes when none is left). */
  async write(systemId: string, incidents: readonly TrackedIncident[]): Promise<void> {
    const before = this.cache.get(systemId) ?? (await this.load(systemId));
    const after = new Map<string, { incident: TrackedIncident; revision: number }>();
    const changed: { id: string; incident: TrackedIncident }[] = [];
    // By incident id, the order read() returns them in whether they come from memory or from the store.
    for (const incident of [...incidents].sort((a, b) => (a.state.incidentId < b.state.incidentId ? -1 : a.state.incidentId > b.state.incidentId ? 1 : 0))) {
      const id = incident.state.incidentId;
      const previous = before.incidents.get(id);
      if (previous !== undefined && previous.incident === incident) {
        after.set(id, previous);
        continue;
      }
      const revision = (previous?.revision ?? 0) + 1;
      after.set(id, { incident, revision });
      changed.push({ id: documentId(id, revision), incident });
    }
    const replaced = [...before.incidents].filter(([id, e]) => after.get(id)?.revision !== e.revision).map(([id, e]) => documentId(id, e.revision));
    if (changed.length === 0 && replaced.length === 0) return;
    // Every new revision is stored before the index names it; the revisions go out together.
    // Values the store serialises itself when it can (it then need not parse what it is given to check it).
    if (this.documents.putValues !== undefined) await this.documents.putValues(INCIDENT_DOCUMENT_KIND, changed.map(({ id, incident }) => ({ id, value: toStored(incident) })));
    else await this.documents.putMany(INCIDENT_DOCUMENT_KIND, changed.map(({ id, incident }) => ({ id, json: serialiseIncident(incident) })));
    let indexJson = '';
    if (after.size === 0) {
      await this.documents.delete(INCIDENTS_DOCUMENT_KIND, systemId);
    } else {
      indexJson = JSON.stringify({ incidents: [...after].map(([id, e]) => [id, e.revision]) } satisfies IncidentIndex);
      await this.documents.put(INCIDENTS_DOCUMENT_KIND, systemId, indexJson);
    }
    this.cache.set(systemId, { indexJson, incidents: after });
    await Promise.all(replaced.map((id) => this.documents.delete(INCIDENT_DOCUMENT_KIND, id)));
  }

  /** Every system with open incidents. */
  async systems(): Promise<string[]> {
    return [...(await this.indexes()).keys()];
  }

  /** The stored index of every system with open incidents, by system (one read). */
  async indexes(): Promise<Map<string, string>> {
    return new Map((await this.documents.list(INCIDENTS_DOCUMENT_KIND)).map((d) => [d.id, d.json]));
  }

  /**
   * The open incidents of a system as this instance holds them, when `indexJson` (read from the store) is the index
   * it last read or wrote; undefined otherwise (read() then reads the store).
   */
  held(systemId: string, indexJson: string): TrackedIncident[] | undefined {
    const cached = this.cache.get(systemId);
    return cached !== undefined && cached.indexJson === indexJson ? [...cached.incidents.values()].map((e) => e.incident) : undefined;
  }

  private async load(systemId: string, index?: Promise<string | undefined>): Promise<CachedSystem> {
    const indexJson = (await (index ?? this.fetchIndex(systemId))) ?? '';
    const cached = this.cache.get(systemId);
    if (cached !== undefined && cached.indexJson === indexJson) return cached;
    // NOTE: no index where this instance remembers open incidents: another instance closed them all, or the store lost
    // its data (then `emptied` throws and the memory stays for the restore).
    if (indexJson === '' && cached !== undefined && cached.incidents.size > 0) await this.emptied(systemId);
    const entries = indexJson === '' ? [] : (JSON.parse(indexJson) as IncidentIndex).incidents;
    // Only revisions this instance does not hold already are fetched.
    const missing = entries.filter(([id, revision]) => cached?.incidents.get(id)?.revision !== revision);
    const jsons = missing.length === 0 ? [] : await this.documents.getMany(INCIDENT_DOCUMENT_KIND, missing.map(([id, revision]) => documentId(id, revision)));
    const fetched = new Map(missing.map(([id, revision], i) => {
      const json = jsons[i];
      // NOTE: another instance replaced the revision between the two reads: read again.
      if (json === undefined) throw new RuntimeError('HANDLER_RETRIABLE', `incident ${id} revision ${revision}, named by the index of ${systemId}, was replaced while being read`);
      return [id, { incident: parseIncident(json), revision }];
    }));
    // In index order: by incident id, as written.
    const ordered = new Map(entries.map(([id]) => [id, fetched.get(id) ?? cached!.incidents.get(id)!]));
    const system = { indexJson, incidents: ordered };
    this.cache.set(systemId, system);
    return system;
  }
}

function documentId(incidentId: string, revision: number): string {
  return `${incidentId}#${revision}`;
}

/** The JSON form of a tracked incident (maps as entry lists; the last assessment is not kept: it is published). */
interface StoredIncident {
  readonly systemId: string;
  readonly incidentId: string;
  readonly anomalyType: string;
  readonly openedAt: number;
  readonly version: number;
  readonly status: IncidentState['status'];
  readonly resolvedAt: number | null;
  readonly sources: readonly (readonly [string, ActiveSource])[];
  readonly retired: readonly (readonly [string, RetiredSource])[];
  readonly healthySeenAt: readonly (readonly [string, number])[];
  readonly anomalousSeenAt: readonly (readonly [string, number])[];
  readonly riskVersion: number;
  readonly lastEvidenceAt: number;
  readonly generatedAt: number;
  readonly modelVersion: number;
  readonly scopes: readonly TracedScope[];
  readonly predicted: readonly (readonly [string, number])[];
  readonly unknownVmIds: readonly string[];
}

function toStored(incident: TrackedIncident): StoredIncident {
  const s = incident.state;
  return {
    systemId: incident.systemId,
    incidentId: s.incidentId,
    anomalyType: s.anomalyType,
    openedAt: s.openedAt,
    version: s.version,
    status: s.status,
    resolvedAt: s.resolvedAt,
    sources: [...s.sources],
    retired: [...s.retired],
    healthySeenAt: [...s.healthySeenAt],
    anomalousSeenAt: [...s.anomalousSeenAt],
    riskVersion: incident.riskVersion,
    lastEvidenceAt: incident.lastEvidenceAt,
    generatedAt: incident.generatedAt,
    modelVersion: incident.modelVersion,
    scopes: incident.scopes,
    predicted: [...incident.predicted],
    unknownVmIds: incident.unknownVmIds,
  };
}

function fromStored(stored: StoredIncident): TrackedIncident {
  return {
    systemId: stored.systemId,
    state: {
      incidentId: stored.incidentId,
      anomalyType: stored.anomalyType,
      openedAt: stored.openedAt,
      version: stored.version,
      status: stored.status,
      resolvedAt: stored.resolvedAt,
      sources: new Map(stored.sources),
      retired: new Map(stored.retired),
      healthySeenAt: new Map(stored.healthySeenAt),
      anomalousSeenAt: new Map(stored.anomalousSeenAt),
      lastAssessment: null,
    },
    riskVersion: stored.riskVersion,
    lastEvidenceAt: stored.lastEvidenceAt,
    generatedAt: stored.generatedAt,
    modelVersion: stored.modelVersion,
    scopes: stored.scopes,
    predicted: new Map(stored.predicted),
    unknownVmIds: stored.unknownVmIds,
  };
}

/** Serialises one open incident (its stored form). */
function serialiseIncident(incident: TrackedIncident): string {
  return JSON.stringify(toStored(incident));
}

/** Parses one incident document (written by serialiseIncident). */
function parseIncident(json: string): TrackedIncident {
  return fromStored(JSON.parse(json) as StoredIncident);
}
