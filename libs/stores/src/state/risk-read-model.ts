/** One VM's probability of being reached by an incident, and when. */
export interface ScoreEntry {
  readonly vmId: string;
  /** 0..1. */
  readonly probability: number;
  /** Event time (ms) the anomaly is expected to arrive. */
  readonly etaAt: number;
}

/** The current scores of one incident, highest probability first. */
export interface IncidentScores {
  readonly incidentId: string;
  readonly version: number;
  readonly entries: readonly ScoreEntry[];
}

/** One incident's current risk to a VM. */
export interface IncidentRisk {
  readonly incidentId: string;
  /** The incident's risk version these figures come from. */
  readonly version: number;
  readonly probability: number;
  readonly etaAt: number;
}

/** A VM's risk over all live incidents: the highest first. */
export interface VmRisk {
  readonly vmId: string;
  readonly maxProbability: number;
  readonly incidents: readonly IncidentRisk[];
}

/**
 * The read side of the hot scores the propagation scorer writes on every risk version: what an operator asks ("which
 * VMs does this incident threaten?", "what threatens this VM?"). Reads only the latest live version of each incident;
 * a closed incident's version has no entries, so it threatens nothing.
 */
export interface RiskReadModel {
  /** The `limit` highest-probability entries of an incident (ties: higher vmId first), or undefined when none are live. */
  topIncidentScores(incidentId: string, limit: number): Promise<IncidentScores | undefined>;
  /** A VM's risk over the live incidents that score it (highest probability first, ties by incidentId), or undefined when none does. */
  vmRisk(vmId: string): Promise<VmRisk | undefined>;
}
