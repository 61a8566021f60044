import type { IncidentState } from './incident-state.js';
import type { OriginScopeLevel } from './origin-evidence.js';

/** A group- or system-level report an incident explains, and the origins traced for it. */
export interface TracedScope {
  readonly level: Exclude<OriginScopeLevel, 'COMPONENT'>;
  readonly id: string;
  readonly originVmIds: readonly string[];
}

/** One open incident between reports: the evidence state plus what matching later reports and re-scoring need. */
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

/** One anomaly report as monitoring sends it (the fields incident evidence reads). */
export interface AnomalyReport {
  /** Its id: an incident it opens is named after it. */
  readonly eventId: string;
  readonly eventTime: number;
  readonly systemId: string;
  readonly level: OriginScopeLevel;
  /** A VM, group or system id, by level. */
  readonly subjectId: string;
  readonly anomalyType: string;
  /** 0..1 */
  readonly severity: number;
  readonly state: 'OPEN' | 'RESOLVED';
}
