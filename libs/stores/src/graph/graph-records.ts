import { assertPathway, assertVm, isPathwayKind, type Pathway, type Vm } from '@foresight/core';
import { StoreError } from '../store-error.js';
import { asInvalidInput, assertNonNegative, assertStoreId, assertStoreResources } from '../store-input.js';
import type { HostRecord, IncidentRecord, PathwayRef } from './graph-store.js';

/** Orders ids by UTF-16 code unit, the same in every adapter (never locale-dependent). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders pathways by (source, target, kind). */
export function comparePathways(a: PathwayRef, b: PathwayRef): number {
  return compareIds(a.source, b.source) || compareIds(a.target, b.target) || compareIds(a.kind, b.kind);
}

/** The most pathways one vmNeighbourhood read returns. */
export const MAX_NEIGHBOURHOOD_LIMIT = 10_000;

/** Throws INVALID_INPUT unless `limit` is a whole number in 1..MAX_NEIGHBOURHOOD_LIMIT. */
export function assertNeighbourhoodLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_NEIGHBOURHOOD_LIMIT) {
    throw new StoreError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_NEIGHBOURHOOD_LIMIT}, got ${String(limit)}`);
  }
}

/** Throws INVALID_INPUT naming the offending VM field. */
export function assertVmInput(vm: Vm): void {
  asInvalidInput(() => assertVm(vm));
}

/** Throws INVALID_INPUT naming the offending pathway field (CO_LOCATED is derived, never stored). */
export function assertPathwayInput(pathway: Pathway): void {
  asInvalidInput(() => assertPathway(pathway));
}

/** Throws INVALID_INPUT unless the ref names two VMs and an observed pathway kind. */
export function assertPathwayRef(ref: PathwayRef): void {
  assertStoreId(ref.source, 'pathway.source');
  assertStoreId(ref.target, 'pathway.target');
  if (!isPathwayKind(ref.kind) || ref.kind === 'CO_LOCATED') {
    throw new StoreError('INVALID_INPUT', `pathway.kind must be NETWORK, API_CALL or SHARED_STORAGE, got ${String(ref.kind)}`);
  }
}

/** Throws INVALID_INPUT unless the host has an id and valid capacity. */
export function assertHostRecord(host: HostRecord): void {
  assertStoreId(host.hostId, 'host.hostId');
  assertStoreResources(host.capacity, `host ${host.hostId} capacity`);
}

/** Validates an incident and returns it canonical: id lists deduplicated and sorted, empty affectedAt dropped. */
export function canonicalIncident(incident: IncidentRecord): IncidentRecord {
  assertStoreId(incident.incidentId, 'incident.incidentId');
  const at = `incident ${incident.incidentId}`;
  assertStoreId(incident.anomalyType, `${at}.anomalyType`);
  assertNonNegative(incident.openedAt, `${at}.openedAt`);
  if (incident.closedAt !== undefined) {
    assertNonNegative(incident.closedAt, `${at}.closedAt`);
    if (incident.closedAt < incident.openedAt) throw new StoreError('INVALID_INPUT', `${at}: closedAt is before openedAt`);
  }
  if (!Array.isArray(incident.affectedVmIds) || !Array.isArray(incident.sourceVmIds)) {
    throw new StoreError('INVALID_INPUT', `${at}: affectedVmIds and sourceVmIds must be arrays`);
  }
  for (const id of incident.affectedVmIds) assertStoreId(id, `${at}.affectedVmIds[]`);
  for (const id of incident.sourceVmIds) assertStoreId(id, `${at}.sourceVmIds[]`);
  const affectedVmIds = [...new Set(incident.affectedVmIds)].sort(compareIds);
  const sourceVmIds = [...new Set(incident.sourceVmIds)].sort(compareIds);
  const affectedAt = new Map<string, number>();
  for (const [vmId, when] of Object.entries(incident.affectedAt ?? {})) {
    if (!affectedVmIds.includes(vmId)) throw new StoreError('INVALID_INPUT', `${at}.affectedAt names ${JSON.stringify(vmId)}, which is not in affectedVmIds`);
    assertNonNegative(when, `${at}.affectedAt[${vmId}]`);
    affectedAt.set(vmId, when);
  }
  return {
    incidentId: incident.incidentId,
    anomalyType: incident.anomalyType,
    openedAt: incident.openedAt,
    ...(incident.closedAt === undefined ? {} : { closedAt: incident.closedAt }),
    affectedVmIds,
    sourceVmIds,
    // NOTE: Object.fromEntries defines own properties, so a VM id of `__proto__` stays an ordinary key.
    ...(affectedAt.size === 0 ? {} : { affectedAt: Object.fromEntries([...affectedAt].sort((a, b) => compareIds(a[0], b[0]))) }),
  };
}

/** Orders incidents by openedAt, then id. */
export function compareIncidents(a: IncidentRecord, b: IncidentRecord): number {
  return a.openedAt - b.openedAt || compareIds(a.incidentId, b.incidentId);
}
