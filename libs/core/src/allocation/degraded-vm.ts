import { assertAllocationId } from './at-risk-vm.js';

/** A VM degraded in an incident: anomalous itself (one of the incident's sources), no longer only at risk. */
export interface DegradedVm {
  readonly incidentId: string;
  readonly vmId: string;
}

/** Throws INVALID_ARGUMENT with the offending field named. */
export function assertDegradedVm(entry: DegradedVm): void {
  assertAllocationId(entry.incidentId, 'degraded.incidentId');
  assertAllocationId(entry.vmId, `degraded (${entry.incidentId}).vmId`);
}
