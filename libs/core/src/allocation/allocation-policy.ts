import { ForesightError } from '../errors.js';
import type { ModelParameters } from '../model/model-parameters.js';

/**
 * What becomes of a lease when its VM turns degraded in the incident (a source: anomalous itself). `keep`: held while
 * the VM is degraded, released on its recovery, at expiry or when the incident closes. `handover`: released at once
 * with reason `handed_over`, for a reactive autoscaler to take over.
 */
export type DegradedLeases = 'keep' | 'handover';

/** Every DegradedLeases value, for settings and flags. */
export const DEGRADED_LEASES: readonly DegradedLeases[] = Object.freeze(['keep', 'handover']);

/** Knobs of the allocation policy that are not learned (thresholds and grant sizes come from the model). */
export interface AllocationPolicy {
  /** How long a grant lasts unless renewed. */
  readonly leaseTtlMs: number;
  /** Renew a kept lease once at most this much of its TTL remains (0 ≤ renewBeforeMs < leaseTtlMs). */
  readonly renewBeforeMs: number;
  /** A new grant smaller than this fraction of its target (on any needed resource) is deferred, 0 < f ≤ 1. */
  readonly minUsefulFraction: number;
  /** Time from decision to resources being in place; an ETA sooner than this is late. */
  readonly actuationLatencyMs: number;
  /** Per-resource relative change ignored when resizing a lease, 0 ≤ t < 1 (avoids ADJUST churn). */
  readonly adjustTolerance: number;
  /** τ of the urgency 1 / (1 + slack / τ). */
  readonly urgencyHorizonMs: number;
  /** Urgency multiplier for grants that land after the ETA, 0 < w ≤ 1. */
  readonly lateWeight: number;
  /** What becomes of a lease whose VM turns degraded (docs/allocation-policy.md, "Degraded VMs"). */
  readonly degradedLeases: DegradedLeases;
}

const MINUTE = 60_000;

/** Defaults: 10-minute leases renewed in their last 5 minutes, 5 s actuation, τ = 5 minutes, leases kept on degraded VMs. */
export const DEFAULT_ALLOCATION_POLICY: AllocationPolicy = Object.freeze({
  leaseTtlMs: 10 * MINUTE,
  renewBeforeMs: 5 * MINUTE,
  minUsefulFraction: 0.25,
  actuationLatencyMs: 5_000,
  adjustTolerance: 0.1,
  urgencyHorizonMs: 5 * MINUTE,
  lateWeight: 0.5,
  degradedLeases: 'keep',
});

function invalid(message: string): ForesightError {
  return new ForesightError('INVALID_PARAMETERS', message);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Throws INVALID_PARAMETERS unless the model's thresholds are usable: 0 ≤ releaseThreshold < grantThreshold ≤ 1. */
export function assertAllocationThresholds(model: Pick<ModelParameters, 'grantThreshold' | 'releaseThreshold'>): void {
  const { grantThreshold: g, releaseThreshold: r } = model;
  if (!isFiniteNumber(g) || g < 0 || g > 1) throw invalid(`grantThreshold must be in [0, 1], got ${String(g)}`);
  if (!isFiniteNumber(r) || r < 0 || r > 1) throw invalid(`releaseThreshold must be in [0, 1], got ${String(r)}`);
  if (r >= g) throw invalid(`releaseThreshold (${r}) must be < grantThreshold (${g}): hysteresis needs a gap`);
}

/** Throws INVALID_PARAMETERS naming the first knob out of range. */
export function assertAllocationPolicy(policy: AllocationPolicy): void {
  const p = policy;
  if (!isFiniteNumber(p.leaseTtlMs) || p.leaseTtlMs <= 0) throw invalid(`leaseTtlMs must be > 0, got ${String(p.leaseTtlMs)}`);
  if (!isFiniteNumber(p.renewBeforeMs) || p.renewBeforeMs < 0 || p.renewBeforeMs >= p.leaseTtlMs) {
    throw invalid(`renewBeforeMs must be in [0, leaseTtlMs), got ${String(p.renewBeforeMs)}`);
  }
  if (!isFiniteNumber(p.minUsefulFraction) || p.minUsefulFraction <= 0 || p.minUsefulFraction > 1) {
    throw invalid(`minUsefulFraction must be in (0, 1], got ${String(p.minUsefulFraction)}`);
  }
  if (!isFiniteNumber(p.actuationLatencyMs) || p.actuationLatencyMs < 0) {
    throw invalid(`actuationLatencyMs must be ≥ 0, got ${String(p.actuationLatencyMs)}`);
  }
  if (!isFiniteNumber(p.adjustTolerance) || p.adjustTolerance < 0 || p.adjustTolerance >= 1) {
    throw invalid(`adjustTolerance must be in [0, 1), got ${String(p.adjustTolerance)}`);
  }
  if (!isFiniteNumber(p.urgencyHorizonMs) || p.urgencyHorizonMs <= 0) {
    throw invalid(`urgencyHorizonMs must be > 0, got ${String(p.urgencyHorizonMs)}`);
  }
  if (!isFiniteNumber(p.lateWeight) || p.lateWeight <= 0 || p.lateWeight > 1) throw invalid(`lateWeight must be in (0, 1], got ${String(p.lateWeight)}`);
  if (!DEGRADED_LEASES.includes(p.degradedLeases)) throw invalid(`degradedLeases must be one of ${DEGRADED_LEASES.join(', ')}, got ${String(p.degradedLeases)}`);
}
