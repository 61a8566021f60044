import type { DocumentStore } from '@foresight/stores';
import { withStore } from './store-failure.js';
import { parseIncidents, serialiseIncidents, type TrackedIncident } from './tracked-incident.js';

/** The document kind holding each system's open incidents (id: systemId). */
export const INCIDENTS_DOCUMENT_KIND = 'propagation-scorer.incidents';

/**
 * Open incidents, one document per system, read through on every use: anomalies are keyed by systemId, so the
 * instance that owns a system's partition is its only writer, and a new owner after a rebalance reads what the
 * previous one wrote.
 */
export class IncidentBook {
  constructor(private readonly documents: DocumentStore) {}

  /** The open incidents of one system. */
  async read(systemId: string): Promise<TrackedIncident[]> {
    const json = await withStore('read incidents', () => this.documents.get(INCIDENTS_DOCUMENT_KIND, systemId));
    return json === undefined ? [] : parseIncidents(json);
  }

  /** Replaces the open incidents of one system (the document goes when none is left). */
  async write(systemId: string, incidents: readonly TrackedIncident[]): Promise<void> {
    if (incidents.length === 0) {
      await withStore('delete incidents', () => this.documents.delete(INCIDENTS_DOCUMENT_KIND, systemId));
      return;
    }
    await withStore('write incidents', () => this.documents.put(INCIDENTS_DOCUMENT_KIND, systemId, serialiseIncidents(incidents)));
  }

  /** Every system with open incidents. */
  async systems(): Promise<string[]> {
    const documents = await withStore('list incidents', () => this.documents.list(INCIDENTS_DOCUMENT_KIND));
    return documents.map((d) => d.id);
  }
}
