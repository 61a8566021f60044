// Builders and an independent invariant checker for the allocation tests (no ledger code reused on purpose).
import { defaultModel } from '../../src/model/default-model.js';
import type { ModelParameters } from '../../src/model/model-parameters.js';
import { RESOURCE_KEYS, type Resources } from '../../src/resources.js';
import { DEFAULT_ALLOCATION_POLICY, type AllocationPolicy } from '../../src/allocation/allocation-policy.js';
import type { AllocationPlan } from '../../src/allocation/allocation-plan.js';
import type { AllocationRequest } from '../../src/allocation/allocation-request.js';
import type { AtRiskVm } from '../../src/allocation/at-risk-vm.js';
import type { Lease } from '../../src/allocation/lease.js';
import { vmCap, type ResourcePool } from '../../src/allocation/resource-pool.js';

export const MINUTE = 60_000;
export const T0 = 1_700_000_000_000;

export function res(cpuMillis: number, memoryMiB: number, networkMbps: number): Resources {
  return { cpuMillis, memoryMiB, networkMbps };
}

export const BIG = res(1e6, 1e6, 1e6);

export function model(overrides: Partial<ModelParameters> = {}): ModelParameters {
  return { ...defaultModel('test', 0), ...overrides };
}

export const policy: AllocationPolicy = DEFAULT_ALLOCATION_POLICY;

export function pool(hostFree: Record<string, Resources>, budget: Resources = BIG, cap: Resources = BIG, overrides?: Record<string, Resources>): ResourcePool {
  return { hostFree, budget, vmCaps: overrides === undefined ? { default: cap } : { default: cap, overrides } };
}

export function atRisk(vmId: string, over: Partial<AtRiskVm> = {}): AtRiskVm {
  return {
    incidentId: 'inc-1',
    vmId,
    hostId: 'h1',
    anomalyType: 'cpu_saturation',
    severity: 1,
    probability: 0.8,
    etaAt: T0 + MINUTE,
    criticality: 0.5,
    ...over,
  };
}

export function lease(vmId: string, over: Partial<Lease> = {}): Lease {
  return {
    leaseId: `L-${vmId}`,
    incidentId: 'inc-1',
    vmId,
    hostId: 'h1',
    resources: res(1000, 0, 0),
    expiresAt: T0 + 9 * MINUTE,
    ...over,
  };
}

export function request(over: Partial<AllocationRequest> = {}): AllocationRequest {
  return { now: T0, atRisk: [], pool: pool({ h1: BIG }), leases: [], model: model(), policy, ...over };
}

function sum(list: readonly Resources[]): Resources {
  const out = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
  for (const r of list) for (const k of RESOURCE_KEYS) out[k] += r[k];
  return out;
}

function exceeds(a: Resources, b: Resources): boolean {
  return RESOURCE_KEYS.some((k) => a[k] > b[k] + 1e-6);
}

function max(a: Resources, b: Resources): Resources {
  return { cpuMillis: Math.max(a.cpuMillis, b.cpuMillis), memoryMiB: Math.max(a.memoryMiB, b.memoryMiB), networkMbps: Math.max(a.networkMbps, b.networkMbps) };
}

/**
 * Capacity invariants of `after` (the leases once the plan is applied), computed from scratch: per host Σ leases
 * ≤ hostFree + Σ leases held there before; Σ all ≤ budget + Σ all before; per VM Σ ≤ cap. With `capTolerance:
 * 'held before'` a VM may stay at what it held before when that was over a (lowered) cap: for partial plans, which
 * need not have fixed it yet. Returns the violations.
 */
export function capacityViolations(before: AllocationRequest, after: readonly Lease[], capTolerance: 'none' | 'held before' = 'none'): string[] {
  const out: string[] = [];
  const hosts = new Set([...Object.keys(before.pool.hostFree)]);
  for (const host of hosts) {
    const allowance = sum([before.pool.hostFree[host], ...before.leases.filter((l) => l.hostId === host).map((l) => l.resources)]);
    const used = sum(after.filter((l) => l.hostId === host).map((l) => l.resources));
    if (exceeds(used, allowance)) out.push(`host ${host}: ${JSON.stringify(used)} > ${JSON.stringify(allowance)}`);
  }
  for (const l of after) if (!hosts.has(l.hostId)) out.push(`lease ${l.leaseId} on unknown host ${l.hostId}`);
  const budget = sum([before.pool.budget, ...before.leases.map((l) => l.resources)]);
  const total = sum(after.map((l) => l.resources));
  if (exceeds(total, budget)) out.push(`budget: ${JSON.stringify(total)} > ${JSON.stringify(budget)}`);
  for (const vm of new Set(after.map((l) => l.vmId))) {
    const held = sum(after.filter((l) => l.vmId === vm).map((l) => l.resources));
    const heldBefore = sum(before.leases.filter((l) => l.vmId === vm).map((l) => l.resources));
    const cap = capTolerance === 'none' ? vmCap(before.pool, vm) : max(vmCap(before.pool, vm), heldBefore);
    if (exceeds(held, cap)) out.push(`vm ${vm}: ${JSON.stringify(held)} > cap ${JSON.stringify(cap)}`);
  }
  return out;
}

/** Counts decisions by action. */
export function counts(plan: AllocationPlan): Record<string, number> {
  const out: Record<string, number> = { GRANT: 0, ADJUST: 0, RENEW: 0, RELEASE: 0 };
  for (const d of plan.decisions) out[d.action] = (out[d.action] ?? 0) + 1;
  return out;
}
