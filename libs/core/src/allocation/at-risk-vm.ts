import { ForesightError } from '../errors.js';

/** One VM at risk in one incident, as the allocation policy sees it. */
export interface AtRiskVm {
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  /** Open set of strings; unknown types are sized with the model's `generic` grant size. */
  readonly anomalyType: string;
  /** How bad the anomaly is if it arrives, 0..1. */
  readonly severity: number;
  /** Chance the anomaly reaches this VM, 0..1. */
  readonly probability: number;
  /** Expected event time (ms) of impact; may already be in the past. */
  readonly etaAt: number;
  /** How much the business cares about this VM, 0..1. */
  readonly criticality: number;
}

const MAX_ID_LENGTH = 256;

/** Throws INVALID_ARGUMENT unless `value` is a non-empty id string of at most 256 characters. */
export function assertAllocationId(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new ForesightError('INVALID_ARGUMENT', `${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${JSON.stringify(value)}`);
  }
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number in [0, 1]. */
export function assertUnitInterval(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ForesightError('INVALID_ARGUMENT', `${what} must be a finite number in [0, 1], got ${String(value)}`);
  }
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number (an event time). */
export function assertEventTime(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ForesightError('INVALID_ARGUMENT', `${what} must be a finite event time (ms), got ${String(value)}`);
  }
}

/** Throws INVALID_ARGUMENT with the offending field named. */
export function assertAtRiskVm(entry: AtRiskVm): void {
  assertAllocationId(entry.incidentId, 'atRisk.incidentId');
  const at = `atRisk (${entry.incidentId}, ${String(entry.vmId)})`;
  assertAllocationId(entry.vmId, `${at}.vmId`);
  assertAllocationId(entry.hostId, `${at}.hostId`);
  if (typeof entry.anomalyType !== 'string') {
    throw new ForesightError('INVALID_ARGUMENT', `${at}.anomalyType must be a string, got ${String(entry.anomalyType)}`);
  }
  assertUnitInterval(entry.severity, `${at}.severity`);
  assertUnitInterval(entry.probability, `${at}.probability`);
  assertUnitInterval(entry.criticality, `${at}.criticality`);
  assertEventTime(entry.etaAt, `${at}.etaAt`);
}
