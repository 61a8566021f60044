/** Locale-independent string order (UTF-16 code units), so plans do not depend on the host's locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Order of (incident, VM) pairs: vmId, then incidentId. */
export function compareByVmThenIncident(
  a: { readonly vmId: string; readonly incidentId: string },
  b: { readonly vmId: string; readonly incidentId: string },
): number {
  return compareIds(a.vmId, b.vmId) || compareIds(a.incidentId, b.incidentId);
}

/** Greedy order: priority descending, then vmId, then incidentId. */
export function compareByPriority(
  a: { readonly priority: number; readonly vmId: string; readonly incidentId: string },
  b: { readonly priority: number; readonly vmId: string; readonly incidentId: string },
): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return compareByVmThenIncident(a, b);
}
