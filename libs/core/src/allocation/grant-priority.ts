import { RESOURCE_KEYS, type Resources } from '../resources.js';
import type { AtRiskVm } from './at-risk-vm.js';
import type { AllocationPolicy } from './allocation-policy.js';

/** Weight of a criticality-0 VM, so that among uncritical VMs the likelier and sooner still rank first. */
export const CRITICALITY_FLOOR = 0.1;

/**
 * How much acting now matters, in (0, 1]. slack = etaAt − now − actuationLatency; on time (slack ≥ 0):
 * 1 / (1 + slack/τ); late (the grant lands after impact): lateWeight / (1 + |slack|/τ), still counted but less.
 */
export function urgency(etaAt: number, now: number, policy: Pick<AllocationPolicy, 'actuationLatencyMs' | 'urgencyHorizonMs' | 'lateWeight'>): number {
  const slack = etaAt - now - policy.actuationLatencyMs;
  if (slack >= 0) return 1 / (1 + slack / policy.urgencyHorizonMs);
  return policy.lateWeight / (1 + -slack / policy.urgencyHorizonMs);
}

/** Expected benefit of protecting the VM: criticality weight × probability × urgency × severity. */
export function grantBenefit(entry: AtRiskVm, now: number, policy: AllocationPolicy): number {
  const weight = CRITICALITY_FLOOR + (1 - CRITICALITY_FLOOR) * entry.criticality;
  return weight * entry.probability * urgency(entry.etaAt, now, policy) * entry.severity;
}

/**
 * Cost of a grant, comparable across resources: Σ size_k / max(total_k, size_k) where `total` is Foresight's
 * whole allowance (budget left + everything leased). Each term is in [0, 1].
 */
export function grantCost(size: Resources, total: Resources): number {
  let cost = 0;
  for (const key of RESOURCE_KEYS) {
    if (size[key] > 0) cost += size[key] / Math.max(total[key], size[key]);
  }
  return cost;
}

/** Benefit per unit of cost (0 for a grant that costs nothing: there is nothing to grant). */
export function grantPriority(entry: AtRiskVm, target: Resources, total: Resources, now: number, policy: AllocationPolicy): number {
  const cost = grantCost(target, total);
  return cost > 0 ? grantBenefit(entry, now, policy) / cost : 0;
}
