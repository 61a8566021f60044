import type { ModelParameters } from '../model/model-parameters.js';
import type { AllocationMode } from './allocation-mode.js';
import type { AtRiskVm } from './at-risk-vm.js';
import type { CommandEvidence } from './lease-command.js';

/** One VM an assessment names, as on the `risk` topic: `etaMs` after `generatedAt`. */
export interface AssessedVm {
  readonly vmId: string;
  /** Where the scorer's snapshot placed it ('' when unknown); the inventory's placement wins. */
  readonly hostId: string;
  readonly probability: number;
  readonly etaMs: number;
  readonly path: readonly string[];
  /**
   * The VM's own severity when the caller knows it (the evaluation's reactive autoscaler sizes an anomalous VM by its
   * own anomaly); the wire carries none, and the assessment's severity applies.
   */
  readonly severity?: number;
}

/** A risk assessment as the allocation round reads it (the allocator adapts the `risk` message to it). */
export interface RoundAssessment {
  readonly incidentId: string;
  /** Increases with every assessment of the incident: the cause in its commands' ids. */
  readonly version: number;
  /** CLOSED: every lease of the incident is released. */
  readonly status: 'OPEN' | 'CLOSED';
  readonly mode: AllocationMode;
  /** Event time of the pass (ms). */
  readonly eventTime: number;
  readonly generatedAt: number;
  readonly anomalyType: string;
  readonly severity: number;
  /** The incident's sources: degraded VMs, whose leases follow `policy.degradedLeases`. */
  readonly sources: readonly { readonly vmId: string }[];
  readonly atRisk: readonly AssessedVm[];
}

/** What the inventory knows of a VM (undefined: not reported yet). */
export interface VmPlacementFacts {
  readonly hostId: string;
  readonly criticality: number;
}

/** A lookup of placements by VM id (a Map of them, or of VMs, fits). */
export interface VmPlacements {
  get(vmId: string): VmPlacementFacts | undefined;
}

/** An OPEN assessment as the policy sees it: its placed at-risk VMs, their evidence, and those it may newly grant. */
export interface AssessedRisk {
  readonly atRisk: readonly AtRiskVm[];
  readonly entries: ReadonlyMap<string, CommandEvidence>;
  /** At or above the grant threshold: only these may get a new grant (leased VMs come with the leases). */
  readonly grantable: readonly AtRiskVm[];
}

function unit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/** The VMs an assessment names (one entry per VM: the likeliest), in order of first mention. */
export function namedVms(assessment: Pick<RoundAssessment, 'atRisk'>): AssessedVm[] {
  const best = new Map<string, AssessedVm>();
  for (const e of assessment.atRisk) {
    const seen = best.get(e.vmId);
    if (e.vmId !== '' && (seen === undefined || e.probability > seen.probability)) best.set(e.vmId, e);
  }
  return [...best.values()];
}

/**
 * The assessment's at-risk VMs as the allocation policy sees them: one per VM (the likeliest), on the inventory's host
 * when known (else the scorer's; a VM on no host is skipped), probability, severity and criticality clamped to [0, 1]
 * (criticality `defaultCriticality` when the inventory has not reported the VM), impact at generatedAt + max(0, etaMs).
 */
export function assessRisk(assessment: RoundAssessment, placements: VmPlacements, defaultCriticality: number, model: Pick<ModelParameters, 'grantThreshold'>): AssessedRisk {
  const atRisk: AtRiskVm[] = [];
  const entries = new Map<string, CommandEvidence>();
  for (const e of namedVms(assessment)) {
    const placement = placements.get(e.vmId);
    const hostId = placement?.hostId ?? e.hostId;
    if (hostId === '') continue;
    const etaAt = assessment.generatedAt + Math.max(0, e.etaMs);
    const probability = unit(e.probability);
    atRisk.push({
      incidentId: assessment.incidentId, vmId: e.vmId, hostId, anomalyType: assessment.anomalyType, severity: unit(e.severity ?? assessment.severity),
      probability, etaAt, criticality: unit(placement?.criticality ?? defaultCriticality),
    });
    entries.set(e.vmId, { probability, etaAt, path: e.path });
  }
  return { atRisk, entries, grantable: atRisk.filter((e) => e.probability >= model.grantThreshold) };
}
