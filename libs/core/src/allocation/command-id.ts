/**
 * Why a command was issued: the risk version that planned it, the lease expiry or outcome that forced it, or a ledger
 * epoch that began after the state store lost the ledger (`lost-<epoch>`: leases it can no longer account for).
 */
export type CommandCause = number | `expired-${number}` | `outcome-${string}` | `lost-${string}`;

/** The step of a lease a command carries out; RENEW goes out as an ADJUST but keeps its own id. */
export type CommandStep = 'GRANT' | 'ADJUST' | 'RENEW' | 'RELEASE';

/**
 * The deterministic id of a command: `<incidentId>/<vmId>/<cause>/<step>` (ids URI-encoded), so a redelivered risk
 * assessment yields the same ids and the ledger's idempotent reserve applies it once. `occurrence` > 1 numbers a
 * second step of the same kind for the same lease in one plan (a resource-mix change yields two ADJUSTs).
 */
export function commandIdFor(incidentId: string, vmId: string, cause: CommandCause, step: CommandStep, occurrence = 1): string {
  const suffix = occurrence > 1 ? `${step}-${occurrence}` : step;
  return `${encodeURIComponent(incidentId)}/${encodeURIComponent(vmId)}/${String(cause)}/${suffix}`;
}

/** The (incident, VM) and step a command id names, or undefined when it is not one of ours. */
export function commandSubject(commandId: string): { readonly incidentId: string; readonly vmId: string; readonly step: string } | undefined {
  const parts = commandId.split('/');
  const [incident, vm, , step] = parts;
  if (parts.length !== 4 || incident === undefined || vm === undefined || step === undefined) return undefined;
  try {
    return { incidentId: decodeURIComponent(incident), vmId: decodeURIComponent(vm), step };
  } catch {
    return undefined;
  }
}
