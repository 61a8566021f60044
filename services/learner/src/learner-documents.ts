import type { HasDocuments } from '@foresight/stores';

/** The kinds of document the learner keeps in stateStore.documents, and who writes each. */
export const LEARNER_DOCUMENTS = {
  /** Per system: its VMs' anomaly onsets (the anomalies partition's owner). */
  onsets: 'learner-onsets',
  /** Per incident: what its assessments predicted (the risk partition's owner). */
  incident: 'learner-incident',
  /** Per incident: labelled, so later assessments are ignored (the labeller). */
  labelled: 'learner-labelled',
  /** Per (incident, VM): the first ENFORCE GRANT (the allocations partition's owner). */
  grant: 'learner-grant',
  /** Per commandId: what the actuator did with it (the allocation-outcomes partition's owner). */
  commandOutcome: 'learner-command-outcome',
  /** Per incident: the judged outcome waiting to be taken into training (the labeller; removed by the trainer). */
  outcome: 'learner-outcome',
  /** One: the training state (the trainer, under the training claim). */
  training: 'learner-training',
  /** Per model id: the current model version (the trainer, under the training claim). */
  model: 'learner-model',
} as const;

/** Reads a JSON document, or undefined. */
export async function readDocument<T>(store: HasDocuments, kind: string, id: string): Promise<T | undefined> {
  const json = await store.documents.get(kind, id);
  return json === undefined ? undefined : (JSON.parse(json) as T);
}

/** Reads several JSON documents of one kind in one call, by id (undefined where there is none). */
export async function readDocuments<T>(store: HasDocuments, kind: string, ids: readonly string[]): Promise<Map<string, T | undefined>> {
  const docs = await store.documents.getMany(kind, ids);
  return new Map(ids.map((id, i) => {
    const json = docs[i];
    return [id, json === undefined ? undefined : (JSON.parse(json) as T)];
  }));
}

/** Writes a JSON document (serialised by the store when it can: then it does not parse it again to check it). */
export async function writeDocument(store: HasDocuments, kind: string, id: string, value: unknown): Promise<void> {
  if (store.documents.putValues !== undefined) await store.documents.putValues(kind, [{ id, value }]);
  else await store.documents.put(kind, id, JSON.stringify(value));
}

/**
 * Writes several JSON documents of one kind in one store call (one Redis command instead of one per document), all or
 * none, serialised by the store when it can (putValues: not parsed again to check them); nothing is sent when there
 * are none.
 */
export async function writeDocuments(store: HasDocuments, kind: string, documents: readonly (readonly [id: string, value: unknown])[]): Promise<void> {
  if (documents.length === 0) return;
  if (store.documents.putValues !== undefined) await store.documents.putValues(kind, documents.map(([id, value]) => ({ id, value })));
  else await store.documents.putMany(kind, documents.map(([id, value]) => ({ id, json: JSON.stringify(value) })));
}

/** The document id of an (incident, VM) pair. */
export function pairDocumentId(incidentId: string, vmId: string): string {
  return `${encodeURIComponent(incidentId)}/${encodeURIComponent(vmId)}`;
}
