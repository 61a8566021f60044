import type { ActiveSource, IncidentState, OriginScopeLevel, RetiredSource } from '@foresight/core';

/** A group- or system-level report an incident explains, and the origins traced for it. */
export interface TracedScope {
  readonly level: Exclude<OriginScopeLevel, 'COMPONENT'>;
  readonly id: string;
  readonly originVmIds: readonly string[];
}

/** One open incident as the scorer tracks it: the core's evidence state plus what publishing and matching need. */
export interface TrackedIncident {
  readonly systemId: string;
  readonly state: IncidentState;
  /** Version of the last published risk assessment (0 before the first). */
  readonly riskVersion: number;
  /** Latest event time of anomalous evidence; an incident without any for the time-out closes. */
  readonly lastEvidenceAt: number;
  /** generatedAt of the last assessment: assessments never go back in time. */
  readonly generatedAt: number;
  /** Model version of the last assessment (a newer model re-scores the incident). */
  readonly modelVersion: number;
  readonly scopes: readonly TracedScope[];
  /** VMs the last assessment put at risk → probability: how a later anomaly joins this incident. */
  readonly predicted: ReadonlyMap<string, number>;
  /** Observed VMs the last assessment's snapshot did not know (re-scored once the topology knows them). */
  readonly unknownVmIds: readonly string[];
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
export function serialiseIncident(incident: TrackedIncident): string {
  return JSON.stringify(toStored(incident));
}

/** Parses one incident document (written by serialiseIncident). */
export function parseIncident(json: string): TrackedIncident {
  return fromStored(JSON.parse(json) as StoredIncident);
}
