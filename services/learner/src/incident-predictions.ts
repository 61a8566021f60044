import type { RiskAssessment } from '@foresight/contracts';
import type { HasDocuments } from '@foresight/stores';
import { LEARNER_DOCUMENTS, readDocument, readDocuments, writeDocument, writeDocuments } from './learner-documents.js';

/** The likeliest infecting edge of a predicted VM, as its latest assessment explained it. */
export interface PredictedEdge {
  readonly parentVmId: string;
  readonly kind: string;
  readonly direction: string;
}

/** What the assessments of one incident said about one VM. */
export interface PredictedVm {
  readonly vmId: string;
  /** The highest probability any assessment gave it (a grant happens once any version reaches the threshold). */
  readonly probability: number;
  /** generatedAt of the first assessment that flagged it (probability ≥ predictionThreshold). */
  readonly firstFlaggedAt?: number;
  readonly edge?: PredictedEdge;
}

/** One incident as the learner remembers its predictions until the horizon has passed. */
export interface IncidentPredictions {
  readonly incidentId: string;
  readonly systemId: string;
  readonly anomalyType: string;
  /** The model version of the first assessment (the one whose predictions led). */
  readonly modelVersion: number;
  /** The incident's first onset: the earliest source onset any version reported. */
  readonly onsetAt: number;
  readonly sources: Readonly<Record<string, number>>;
  readonly lastVersion: number;
  readonly predictions: Readonly<Record<string, PredictedVm>>;
  /** generatedAt of the CLOSED assessment, once the scorer closed the incident. */
  readonly closedAt?: number;
}

/**
 * One listed VM as stored: [vmId, probability, firstFlaggedAt or null], and with its likeliest edge
 * [..., parentVmId, kind, direction]. Arrays instead of keyed objects: the document is about half as long, and it is
 * parsed, folded and written again at every assessment of the incident.
 */
type StoredPrediction = readonly [string, number, number | null] | readonly [string, number, number | null, string, string, string];

/** An incident's predictions as its document holds them: the listed VMs compactly, in listing order. */
interface StoredIncidentPredictions extends Omit<IncidentPredictions, 'predictions'> {
  readonly listed: readonly StoredPrediction[];
}

/** The stored form of an incident's predictions (encodePredictions ∘ decodePredictions is the identity). */
export function encodePredictions(incident: IncidentPredictions): StoredIncidentPredictions {
  const listed = Object.values(incident.predictions).map((vm): StoredPrediction => (vm.edge === undefined
    ? [vm.vmId, vm.probability, vm.firstFlaggedAt ?? null]
    : [vm.vmId, vm.probability, vm.firstFlaggedAt ?? null, vm.edge.parentVmId, vm.edge.kind, vm.edge.direction]));
  return {
    incidentId: incident.incidentId, systemId: incident.systemId, anomalyType: incident.anomalyType, modelVersion: incident.modelVersion,
    onsetAt: incident.onsetAt, sources: incident.sources, lastVersion: incident.lastVersion,
    ...(incident.closedAt === undefined ? {} : { closedAt: incident.closedAt }), listed,
  };
}

/** An incident's predictions from its document: the compact form, or the keyed one documents were written in before. */
export function decodePredictions(stored: StoredIncidentPredictions | IncidentPredictions): IncidentPredictions {
  if (!('listed' in stored)) return stored;
  const { listed, ...rest } = stored;
  const predictions: Record<string, PredictedVm> = {};
  for (const [vmId, probability, firstFlaggedAt, parentVmId, kind, direction] of listed) {
    predictions[vmId] = {
      vmId, probability, ...(firstFlaggedAt === null ? {} : { firstFlaggedAt }),
      ...(parentVmId === undefined ? {} : { edge: { parentVmId, kind: kind as string, direction: direction as string } }),
    };
  }
  return { ...rest, predictions };
}

function edgeOf(entry: RiskAssessment['atRisk'][number]): PredictedEdge | undefined {
  const hop = entry.contributions.findLast((c) => c.to === entry.vmId);
  return hop === undefined ? undefined : { parentVmId: hop.from, kind: hop.kind, direction: hop.direction };
}

/** Folds one assessment into an incident's predictions (pure; a version not newer than the last is ignored). */
export function foldAssessment(current: IncidentPredictions | undefined, risk: RiskAssessment, predictionThreshold: number): IncidentPredictions {
  if (current !== undefined && risk.version <= current.lastVersion) return current;
  const sources: Record<string, number> = { ...current?.sources };
  for (const s of risk.sources) {
    const known = sources[s.vmId];
    // NOTE: the origin is what the first assessment saw (or a later source reported earlier than it, a better origin).
    // A VM that turned anomalous later, listed or not, is an outcome of the incident: counted a source, every true
    // positive that joined the incident vanished from the labels and the learner learnt that nothing spreads.
    if (known !== undefined) sources[s.vmId] = Math.min(known, s.onsetAt);
    else if (current === undefined || (current.predictions[s.vmId] === undefined && s.onsetAt <= current.onsetAt)) sources[s.vmId] = s.onsetAt;
  }
  const predictions: Record<string, PredictedVm> = { ...current?.predictions };
  for (const entry of risk.atRisk) {
    if (!Number.isFinite(entry.probability)) continue;
    const before = predictions[entry.vmId];
    const flagged = entry.probability >= predictionThreshold ? risk.generatedAt : undefined;
    const firstFlaggedAt = before?.firstFlaggedAt ?? flagged;
    const edge = edgeOf(entry) ?? before?.edge;
    const vmId = entry.vmId;
    const probability = Math.max(before?.probability ?? 0, Math.min(1, Math.max(0, entry.probability)));
    // NOTE: one literal per shape (not conditional spreads): this runs for every listed VM of every assessment.
    predictions[vmId] = firstFlaggedAt === undefined
      ? (edge === undefined ? { vmId, probability } : { vmId, probability, edge })
      : (edge === undefined ? { vmId, probability, firstFlaggedAt } : { vmId, probability, firstFlaggedAt, edge });
  }
  let onsetAt = Number.POSITIVE_INFINITY;
  for (const vmId in sources) onsetAt = Math.min(onsetAt, sources[vmId]);
  const closedAt = risk.status === 'CLOSED' ? risk.generatedAt : current?.closedAt;
  return {
    incidentId: risk.incidentId, systemId: risk.systemId, anomalyType: current?.anomalyType ?? risk.anomalyType,
    modelVersion: current?.modelVersion ?? risk.modelVersion,
    onsetAt: onsetAt !== Number.POSITIVE_INFINITY ? onsetAt : (current?.onsetAt ?? risk.generatedAt),
    sources, lastVersion: risk.version, predictions, ...(closedAt === undefined ? {} : { closedAt }),
  };
}

/** The per-incident prediction documents (written by the owner of the incident's risk partition). */
export class IncidentPredictionBook {
  constructor(private readonly store: HasDocuments, private readonly predictionThreshold: number) {}

  async get(incidentId: string): Promise<IncidentPredictions | undefined> {
    const stored = await readDocument<StoredIncidentPredictions | IncidentPredictions>(this.store, LEARNER_DOCUMENTS.incident, incidentId);
    return stored === undefined ? undefined : decodePredictions(stored);
  }

  /** Folds an assessment in; undefined (nothing written) when the incident is labelled or the version is not newer. */
  async record(risk: RiskAssessment): Promise<IncidentPredictions | undefined> {
    return (await this.recordMany([risk]))[0];
  }

  /**
   * Folds several assessments in, in order (record, one by one), with one read of the labelled marks and the
   * documents and one write of the changed incidents; per assessment, the incident's predictions after it, or undefined
   * when it changed nothing.
   */
  async recordMany(risks: readonly RiskAssessment[]): Promise<(IncidentPredictions | undefined)[]> {
    const ids = [...new Set(risks.map((r) => r.incidentId))];
    const [labelled, stored] = await Promise.all([
      this.store.documents.getMany(LEARNER_DOCUMENTS.labelled, ids),
      readDocuments<StoredIncidentPredictions | IncidentPredictions>(this.store, LEARNER_DOCUMENTS.incident, ids),
    ]);
    const current = new Map<string, IncidentPredictions | undefined>([...stored].map(([id, doc]) => [id, doc === undefined ? undefined : decodePredictions(doc)]));
    const isLabelled = new Set(ids.filter((_, i) => labelled[i] !== undefined));
    const changed = new Set<string>();
    const results = risks.map((risk) => {
      if (isLabelled.has(risk.incidentId)) return undefined;
      const before = current.get(risk.incidentId);
      const next = foldAssessment(before, risk, this.predictionThreshold);
      if (next === before) return undefined;
      current.set(risk.incidentId, next);
      changed.add(risk.incidentId);
      return next;
    });
    await writeDocuments(this.store, LEARNER_DOCUMENTS.incident, [...changed].map((id) => [id, encodePredictions(current.get(id) as IncidentPredictions)] as const));
    return results;
  }

  /** Every incident not labelled yet (start-up). */
  async all(): Promise<IncidentPredictions[]> {
    return (await this.store.documents.list(LEARNER_DOCUMENTS.incident)).map((d) => decodePredictions(JSON.parse(d.json) as StoredIncidentPredictions | IncidentPredictions));
  }

  /** Marks an incident labelled and forgets its predictions. */
  async markLabelled(incidentId: string, at: number): Promise<void> {
    await writeDocument(this.store, LEARNER_DOCUMENTS.labelled, incidentId, { labelledAt: at });
    await this.store.documents.delete(LEARNER_DOCUMENTS.incident, incidentId);
  }
}
