import { ForesightError } from '../errors.js';
import { normaliseAnomalyType } from '../model/anomaly-type.js';
import type { IncidentAssessment, IncidentStatus } from './incident-assessment.js';

/** A VM currently anomalous: when its anomaly began and how bad it is (0..1). */
export interface ActiveSource {
  readonly onsetAt: number;
  readonly severity: number;
  /** Latest anomalous observation (a recovery older than this is stale). */
  readonly lastAnomalousAt: number;
}

/** A source that has recovered; it no longer spreads the anomaly. */
export interface RetiredSource {
  readonly onsetAt: number;
  readonly severity: number;
  readonly recoveredAt: number;
}

/**
 * The evidence of one incident, immutable: every observation returns a new state with `version + 1`.
 * VM ids are not checked here (no snapshot); `assess` ignores and reports ids its snapshot does not know.
 */
export interface IncidentState {
  readonly incidentId: string;
  readonly anomalyType: string;
  readonly openedAt: number;
  readonly version: number;
  readonly status: IncidentStatus;
  /** Event time of the recovery that resolved the incident; null while OPEN. */
  readonly resolvedAt: number | null;
  readonly sources: ReadonlyMap<string, ActiveSource>;
  readonly retired: ReadonlyMap<string, RetiredSource>;
  /** VMs seen healthy → latest healthy observation (max over out-of-order observations). */
  readonly healthySeenAt: ReadonlyMap<string, number>;
  /** Every VM ever seen anomalous in this incident (active or retired) → latest anomalous observation. */
  readonly anomalousSeenAt: ReadonlyMap<string, number>;
  readonly lastAssessment: IncidentAssessment | null;
}

/** A source known when the incident is opened. */
export interface InitialSource {
  readonly vmId: string;
  readonly onsetAt: number;
  /** 0..1, default 1. */
  readonly severity?: number;
}

/** Opens an incident (version 1) from zero or more initial sources. */
export function openIncident(incidentId: string, anomalyType: string, openedAt: number, initialSources: readonly InitialSource[] = []): IncidentState {
  if (typeof incidentId !== 'string' || incidentId.length === 0) {
    throw new ForesightError('INVALID_ARGUMENT', `incidentId must be a non-empty string, got ${JSON.stringify(incidentId)}`);
  }
  assertTime(openedAt, 'openedAt');
  let state: IncidentState = {
    incidentId,
    anomalyType: normaliseAnomalyType(anomalyType),
    openedAt,
    version: 0,
    status: 'OPEN',
    resolvedAt: null,
    sources: new Map(),
    retired: new Map(),
    healthySeenAt: new Map(),
    anomalousSeenAt: new Map(),
    lastAssessment: null,
  };
  for (const s of initialSources) state = withAnomalous(state, s.vmId, s.onsetAt, s.severity ?? 1);
  return { ...state, version: 1 };
}

/**
 * The VM was seen anomalous at `at`: it becomes (or stays) a source. Out-of-order observations are merged:
 * onset = earliest anomalous observation, severity = max. An observation later than the VM's recovery is a relapse
 * (new onset); one at or before it is stale and only recorded.
 */
export function observeAnomalous(state: IncidentState, vmId: string, at: number, severity = 1): IncidentState {
  return bump(withAnomalous(state, vmId, at, severity));
}

/**
 * The VM was seen healthy at `at` (latest observation wins). For an active source this is recorded but does not
 * retire it: only observeRecovered does.
 */
export function observeHealthy(state: IncidentState, vmId: string, at: number): IncidentState {
  assertVmId(vmId);
  assertTime(at, 'healthy observation time');
  return bump({ ...state, healthySeenAt: withMax(state.healthySeenAt, vmId, at) });
}

/**
 * The VM recovered at `at`: an active source is retired unless it was seen anomalous after `at` (stale recovery).
 * When no active source remains the incident is RESOLVED. A VM that was not a source is recorded as seen healthy.
 */
export function observeRecovered(state: IncidentState, vmId: string, at: number): IncidentState {
  assertVmId(vmId);
  assertTime(at, 'recovery time');
  const healthySeenAt = withMax(state.healthySeenAt, vmId, at);
  const active = state.sources.get(vmId);
  if (active === undefined || at < active.lastAnomalousAt) {
    const previous = state.retired.get(vmId);
    const retired = previous !== undefined && at > previous.recoveredAt ? withEntry(state.retired, vmId, { ...previous, recoveredAt: at }) : state.retired;
    return bump({ ...state, healthySeenAt, retired });
  }
  const sources = new Map(state.sources);
  sources.delete(vmId);
  const retired = withEntry(state.retired, vmId, { onsetAt: active.onsetAt, severity: active.severity, recoveredAt: at });
  const resolved = sources.size === 0;
  return bump({
    ...state,
    sources,
    retired,
    healthySeenAt,
    status: resolved ? 'RESOLVED' : 'OPEN',
    resolvedAt: resolved ? Math.max(at, ...[...retired.values()].map((r) => r.recoveredAt)) : null,
  });
}

function withAnomalous(state: IncidentState, vmId: string, at: number, severity: number): IncidentState {
  assertVmId(vmId);
  assertTime(at, 'anomalous observation time');
  if (typeof severity !== 'number' || !Number.isFinite(severity) || severity < 0 || severity > 1) {
    throw new ForesightError('INVALID_ARGUMENT', `severity of ${vmId} must be in [0, 1], got ${String(severity)}`);
  }
  const anomalousSeenAt = withMax(state.anomalousSeenAt, vmId, at);
  const active = state.sources.get(vmId);
  if (active !== undefined) {
    const merged: ActiveSource = {
      onsetAt: Math.min(active.onsetAt, at),
      severity: Math.max(active.severity, severity),
      lastAnomalousAt: Math.max(active.lastAnomalousAt, at),
    };
    return { ...state, anomalousSeenAt, sources: withEntry(state.sources, vmId, merged) };
  }
  const retiredEntry = state.retired.get(vmId);
  if (retiredEntry !== undefined && at <= retiredEntry.recoveredAt) {
    // NOTE: a stale observation from before the recovery: the VM stays retired; only the onset may move earlier.
    const earlier = at < retiredEntry.onsetAt ? { ...retiredEntry, onsetAt: at } : retiredEntry;
    return { ...state, anomalousSeenAt, retired: withEntry(state.retired, vmId, earlier) };
  }
  const retired = new Map(state.retired);
  retired.delete(vmId);
  return {
    ...state,
    anomalousSeenAt,
    retired,
    sources: withEntry(state.sources, vmId, { onsetAt: at, severity, lastAnomalousAt: at }),
    status: 'OPEN',
    resolvedAt: null,
  };
}

function bump(state: IncidentState): IncidentState {
  return { ...state, version: state.version + 1 };
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.set(key, value);
  return next;
}

function withMax(map: ReadonlyMap<string, number>, key: string, value: number): ReadonlyMap<string, number> {
  const previous = map.get(key);
  return previous !== undefined && previous >= value ? map : withEntry(map, key, value);
}

/** Throws INVALID_ARGUMENT unless `value` is a finite event time. */
export function assertTime(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ForesightError('INVALID_ARGUMENT', `${what} must be a finite event time (ms), got ${String(value)}`);
  }
}

/** Throws INVALID_ARGUMENT unless `vmId` is a non-empty string. */
export function assertVmId(vmId: string): void {
  if (typeof vmId !== 'string' || vmId.length === 0) {
    throw new ForesightError('INVALID_ARGUMENT', `vmId must be a non-empty string, got ${JSON.stringify(vmId)}`);
  }
}
