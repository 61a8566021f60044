import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';

/**
 * The pipeline's part of `foresight demo otel`'s live line, from the risk and allocations topics:
 * `at risk: frontend p=0.42 eta 12s, grants: 2`. Keeps each incident's latest assessment (a CLOSED one drops it) and
 * counts the GRANT commands seen; shows the likeliest VM at risk over the open incidents. `label` names a VM (the
 * demo shows the service).
 */
export class OtelRiskLine {
  private readonly incidents = new Map<string, RiskAssessment>();
  /** GRANT command id → the VM granted. */
  private readonly grants = new Map<string, string>();

  constructor(private readonly label: (vmId: string) => string = (vmId) => vmId) {}

  observeRisk(assessment: RiskAssessment): void {
    const known = this.incidents.get(assessment.incidentId);
    if (known !== undefined && known.version > assessment.version) return;
    if (assessment.status === 'CLOSED') this.incidents.delete(assessment.incidentId);
    else this.incidents.set(assessment.incidentId, assessment);
  }

  observeCommand(command: AllocationCommand): void {
    if (command.action === 'GRANT') this.grants.set(command.commandId, command.vmId);
  }

  /** The first of `vmIds` that is at risk in an open incident and was granted, or undefined (the demo's end). */
  grantedAtRisk(vmIds: readonly string[]): string | undefined {
    const granted = new Set(this.grants.values());
    const atRisk = new Set<string>();
    for (const assessment of this.incidents.values()) for (const a of assessment.atRisk) atRisk.add(a.vmId);
    return vmIds.find((vm) => atRisk.has(vm) && granted.has(vm));
  }

  text(): string {
    let top: { vmId: string; probability: number; etaMs: number } | undefined;
    for (const assessment of this.incidents.values()) {
      for (const a of assessment.atRisk) if (top === undefined || a.probability > top.probability) top = a;
    }
    const risk = top === undefined ? 'at risk: none' : `at risk: ${this.label(top.vmId)} p=${top.probability.toFixed(2)} eta ${Math.max(0, Math.round(top.etaMs / 1_000))}s`;
    return `${risk}, grants: ${this.grants.size}`;
  }
}
