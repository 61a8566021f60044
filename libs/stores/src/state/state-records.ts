import { StoreError } from '../store-error.js';
import { assertNonNegative, assertPositiveInteger, assertStoreId, assertStoreResources } from '../store-input.js';
import type { ReleaseRequest, ReservationFilter, ReserveRequest, ScoreEntry } from './state-store.js';

/** Slack on capacity comparisons so float sums that fit exactly are not refused (the same as the core's ledger). */
export const LEDGER_EPSILON = 1e-9;

/** Throws INVALID_INPUT naming the offending field. */
export function assertReserveRequest(request: ReserveRequest): void {
  assertStoreId(request.commandId, 'reserve.commandId');
  assertStoreId(request.hostId, 'reserve.hostId');
  assertStoreId(request.vmId, 'reserve.vmId');
  assertStoreId(request.incidentId, 'reserve.incidentId');
  assertStoreResources(request.resources, `reserve ${request.commandId} resources`);
  assertNonNegative(request.leaseExpiresAt, `reserve ${request.commandId} leaseExpiresAt`);
  if (request.vmCap !== undefined) assertStoreResources(request.vmCap, `reserve ${request.commandId} vmCap`);
}

/** Throws INVALID_INPUT on a release whose commandId, or a key it names, is not a store id. */
export function assertReleaseRequests(requests: readonly ReleaseRequest[]): void {
  for (const r of requests) {
    assertStoreId(r.commandId, 'commandId');
    if (r.hostId !== undefined) assertStoreId(r.hostId, `release ${r.commandId} hostId`);
    if (r.incidentId !== undefined) assertStoreId(r.incidentId, `release ${r.commandId} incidentId`);
    if (r.vmId !== undefined) assertStoreId(r.vmId, `release ${r.commandId} vmId`);
  }
}

/** Throws INVALID_INPUT on a bad version, TTL, probability, ETA or a VM listed twice. */
export function assertIncidentScores(incidentId: string, version: number, entries: readonly ScoreEntry[], ttlMs: number): void {
  assertStoreId(incidentId, 'incidentId');
  assertNonNegative(version, `incident ${incidentId} version`);
  assertPositiveInteger(ttlMs, `incident ${incidentId} ttlMs`);
  const list: unknown = entries; // NOTE: Array.isArray on the typed parameter would narrow it to any[]
  if (!Array.isArray(list)) throw new StoreError('INVALID_INPUT', `incident ${incidentId}: entries must be an array`);
  const seen = new Set<string>();
  for (const e of entries) {
    assertStoreId(e.vmId, `incident ${incidentId} entry vmId`);
    if (seen.has(e.vmId)) throw new StoreError('INVALID_INPUT', `incident ${incidentId}: vm ${e.vmId} is scored twice`);
    seen.add(e.vmId);
    assertNonNegative(e.probability, `incident ${incidentId} vm ${e.vmId} probability`);
    if (e.probability > 1) throw new StoreError('INVALID_INPUT', `incident ${incidentId} vm ${e.vmId}: probability must be ≤ 1, got ${e.probability}`);
    assertNonNegative(e.etaAt, `incident ${incidentId} vm ${e.vmId} etaAt`);
  }
}

/** True when the reservation matches every field the filter sets. */
export function matchesFilter(r: { incidentId: string; vmId: string; hostId: string; leaseExpiresAt: number }, filter: ReservationFilter): boolean {
  return (filter.incidentId === undefined || r.incidentId === filter.incidentId)
    && (filter.vmId === undefined || r.vmId === filter.vmId)
    && (filter.hostId === undefined || r.hostId === filter.hostId)
    && (filter.vmIds === undefined || filter.vmIds.includes(r.vmId))
    && (filter.expiringBy === undefined || r.leaseExpiresAt <= filter.expiringBy);
}

/** Orders scores the way a Redis sorted set read in reverse does: probability down, then vmId down by byte. */
export function compareScoresDescending(a: ScoreEntry, b: ScoreEntry): number {
  return b.probability - a.probability || Buffer.compare(Buffer.from(b.vmId), Buffer.from(a.vmId));
}
