import type { AnomalyEvent } from '@foresight/contracts';
import type { StateStore } from '@foresight/stores';
import { LEARNER_DOCUMENTS, readDocument, writeDocument } from './learner-documents.js';

/** One COMPONENT anomaly of a VM: when it opened and, once known, when it resolved. */
export interface AnomalyOnset {
  readonly at: number;
  readonly anomalyType: string;
  readonly resolvedAt?: number;
}

/** A system's VM anomaly onsets, by VM id, oldest first. */
export interface SystemOnsets {
  readonly systemId: string;
  readonly newestAt: number;
  readonly vms: Readonly<Record<string, readonly AnomalyOnset[]>>;
}

/** The first onset of a VM within [from, to], if any. */
export function firstOnsetWithin(onsets: SystemOnsets | undefined, vmId: string, from: number, to: number): AnomalyOnset | undefined {
  return onsets?.vms[vmId]?.find((o) => o.at >= from && o.at <= to);
}

/**
 * The shared fact "VM v became anomalous at t", kept per system (anomalies are keyed by systemId, so one instance
 * writes a system's document). OPEN opens an onset (a redelivered or repeated OPEN of an open anomaly is ignored),
 * RESOLVED closes the latest open one; onsets older than the retention are dropped.
 */
export class AnomalyOnsets {
  constructor(private readonly store: StateStore, private readonly retentionMs: number) {}

  /** The system's onsets, or undefined when it has none. */
  of(systemId: string): Promise<SystemOnsets | undefined> {
    return readDocument<SystemOnsets>(this.store, LEARNER_DOCUMENTS.onsets, systemId);
  }

  /** Folds one anomaly event in; only COMPONENT (VM) anomalies count. */
  async record(event: AnomalyEvent): Promise<void> {
    if (event.level !== 'COMPONENT') return;
    const current = (await this.of(event.systemId)) ?? { systemId: event.systemId, newestAt: event.detectedAt, vms: {} };
    const list = [...(current.vms[event.subjectId] ?? [])];
    const open = list.findLastIndex((o) => o.resolvedAt === undefined);
    if (event.state === 'OPEN') {
      if (open >= 0 || list.some((o) => o.at === event.detectedAt)) return;
      list.push({ at: event.detectedAt, anomalyType: event.anomalyType });
      list.sort((a, b) => a.at - b.at);
    } else {
      const target = list[open];
      if (target === undefined) return;
      list[open] = { ...target, resolvedAt: Math.max(target.at, event.detectedAt) };
    }
    const newestAt = Math.max(current.newestAt, event.detectedAt);
    const horizon = newestAt - this.retentionMs;
    const vms: Record<string, readonly AnomalyOnset[]> = {};
    for (const [vmId, onsets] of Object.entries({ ...current.vms, [event.subjectId]: list })) {
      const kept = onsets.filter((o) => (o.resolvedAt ?? o.at) >= horizon);
      if (kept.length > 0) vms[vmId] = kept;
    }
    await writeDocument(this.store, LEARNER_DOCUMENTS.onsets, event.systemId, { systemId: event.systemId, newestAt, vms });
  }
}
