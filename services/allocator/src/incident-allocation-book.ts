import type { Lease } from '@foresight/core';
import type { HasDocuments } from '@foresight/stores';
import type { PlannedCommand } from './planned-command.js';

const KIND = 'allocator-incident';

/** A pass whose commands were decided but not all carried out yet (write-ahead: replayed after a crash). */
export interface PendingPass {
  /** The risk version that caused it. */
  readonly version: number;
  readonly now: number;
  readonly commands: readonly PlannedCommand[];
  /** The incident's SHADOW leases once the pass is done. */
  readonly shadowLeasesAfter: readonly Lease[];
  readonly closes: boolean;
  /**
   * The incidents whose passes were planned together with this one (decision 008), in planned order: a later pass may
   * rely on an earlier one (a release making room for a grant), so a replay finishes them together, in this order.
   */
  readonly round?: readonly string[];
}

/** What the allocator remembers of one incident, in stateStore.documents (written by the risk partition's owner). */
export interface IncidentAllocation {
  readonly incidentId: string;
  /** The newest risk version handled (0: none); older or equal versions do nothing. */
  readonly lastVersion: number;
  readonly closed: boolean;
  /** Leases a SHADOW incident would hold (nothing is reserved for them). */
  readonly shadowLeases: readonly Lease[];
  readonly pending?: PendingPass;
}

/** The per-incident documents of the allocator. */
export class IncidentAllocationBook {
  constructor(private readonly store: HasDocuments) {}

  /** The incident's record, or a fresh one. */
  async load(incidentId: string): Promise<IncidentAllocation> {
    return (await this.loadMany([incidentId]))[0];
  }

  /** Several incidents' records in one read, in the order of `incidentIds`. */
  async loadMany(incidentIds: readonly string[]): Promise<IncidentAllocation[]> {
    const docs = await this.store.documents.getMany(KIND, incidentIds);
    return incidentIds.map((incidentId, i) => {
      const json = docs[i];
      return json === undefined ? { incidentId, lastVersion: 0, closed: false, shadowLeases: [] } : parseRecord(json);
    });
  }

  async save(record: IncidentAllocation): Promise<void> {
    await this.saveMany([record]);
  }

  /** Writes several records at once, atomically (all or none). */
  async saveMany(records: readonly IncidentAllocation[]): Promise<void> {
    if (records.length === 0) return;
    const { documents } = this.store;
    // The store serialises them itself when it can (putValues: no parse of JSON this process just wrote).
    if (documents.putValues !== undefined) await documents.putValues(KIND, records.map((record) => ({ id: record.incidentId, value: record })));
    else await documents.putMany(KIND, records.map((record) => ({ id: record.incidentId, json: JSON.stringify(record) })));
  }

  /** Every record (start-up: which incidents hold SHADOW leases). */
  async all(): Promise<IncidentAllocation[]> {
    return (await this.store.documents.list(KIND)).map((doc) => parseRecord(doc.json));
  }
}

function parseRecord(json: string): IncidentAllocation {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || typeof (value as { incidentId?: unknown }).incidentId !== 'string') {
    throw new Error(`malformed ${KIND} document: ${json.slice(0, 80)}`);
  }
  return value as IncidentAllocation;
}
