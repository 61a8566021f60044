import { foldOnsetReport, type ObservedOnset } from '@foresight/core';
import type { AnomalyEvent } from '@foresight/contracts';
import type { HasDocuments } from '@foresight/stores';
import { LEARNER_DOCUMENTS, readDocument, readDocuments, writeDocuments } from './learner-documents.js';

/** One COMPONENT anomaly of a VM: when it opened and, once known, when it resolved (report times). */
export type AnomalyOnset = ObservedOnset;

/** A system's VM anomaly onsets, by VM id, oldest first. */
export interface SystemOnsets {
  readonly systemId: string;
  readonly newestAt: number;
  readonly vms: Readonly<Record<string, readonly AnomalyOnset[]>>;
}

/**
 * The shared fact "VM v became anomalous at t", kept per system (anomalies are keyed by systemId, so one instance
 * writes a system's document). OPEN opens an onset (a redelivered or repeated OPEN of an open anomaly is ignored),
 * RESOLVED closes the latest open one; onsets older than the retention are dropped.
 */
export class AnomalyOnsets {
  constructor(private readonly store: HasDocuments, private readonly retentionMs: number) {}

  /** The system's onsets, or undefined when it has none. */
  of(systemId: string): Promise<SystemOnsets | undefined> {
    return readDocument<SystemOnsets>(this.store, LEARNER_DOCUMENTS.onsets, systemId);
  }

  /** Folds one anomaly event in; only COMPONENT (VM) anomalies count. */
  record(event: AnomalyEvent): Promise<void> {
    return this.recordMany([event]);
  }

  /** Folds several events in, in order: each system's document read once and written once (when it changed). */
  async recordMany(events: readonly AnomalyEvent[]): Promise<void> {
    const vmEvents = events.filter((e) => e.level === 'COMPONENT');
    const systems = [...new Set(vmEvents.map((e) => e.systemId))];
    if (systems.length === 0) return;
    const before = await readDocuments<SystemOnsets>(this.store, LEARNER_DOCUMENTS.onsets, systems);
    const after = new Map(before);
    for (const event of vmEvents) after.set(event.systemId, foldOnset(after.get(event.systemId), event, this.retentionMs));
    await writeDocuments(this.store, LEARNER_DOCUMENTS.onsets, systems.flatMap((systemId) => {
      const next = after.get(systemId);
      return next === undefined || next === before.get(systemId) ? [] : [[systemId, next] as const];
    }));
  }
}

/**
 * Folds one COMPONENT anomaly into a system's onsets (pure): the VM's onsets by core's foldOnsetReport (the fold the
 * evaluation applies to simulated reports), then onsets older than the retention are dropped. Returns `current`
 * itself when nothing changed.
 */
export function foldOnset(current: SystemOnsets | undefined, event: AnomalyEvent, retentionMs: number): SystemOnsets | undefined {
  const base = current ?? { systemId: event.systemId, newestAt: event.detectedAt, vms: {} };
  const before = base.vms[event.subjectId] ?? [];
  const list = foldOnsetReport(before, { state: event.state, at: event.detectedAt, anomalyType: event.anomalyType });
  if (list === before) return current;
  const newestAt = Math.max(base.newestAt, event.detectedAt);
  const horizon = newestAt - retentionMs;
  const vms: Record<string, readonly AnomalyOnset[]> = {};
  for (const [vmId, onsets] of Object.entries({ ...base.vms, [event.subjectId]: list })) {
    const kept = onsets.filter((o) => (o.resolvedAt ?? o.at) >= horizon);
    if (kept.length > 0) vms[vmId] = kept;
  }
  return { systemId: event.systemId, newestAt, vms };
}
