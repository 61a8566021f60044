import { DEFAULT_ALLOCATION_POLICY, defaultModel } from '@foresight/core';
import { allocatorHolds, judgeHolds, simulateNoAction, type Hold, type PolicyOutcome } from '@foresight/evaluation';
import type { FleetScenario } from './fleet-scenario.js';
import type { ActuatedHold } from './simulated-actuator.js';

/** The policies the summary compares. */
export const POLICIES = ['predictive', 'reactive', 'none'] as const;
/** One of POLICIES. */
export type Policy = (typeof POLICIES)[number];

/** Totals of one policy over the run's incidents. */
export interface PolicyTotals {
  readonly degradedVmMinutes: number;
  readonly sloViolationMinutes: number;
  /** Resource-unit-minutes (1 vCPU, 1 GiB or 100 Mbps for a minute) granted, and the part that helped no affected VM. */
  readonly grantedUnitMinutes: number;
  readonly wastedUnitMinutes: number;
  /** Share of the truly affected VMs protected by a grant in place before their onset. */
  readonly protectedShare: number;
  /** Degraded VM-minutes per incident, in incident order (for charts). */
  readonly perIncident: readonly number[];
}

/** The reactive autoscaler's holds per incident (planned once; the predictive policy runs on top of them). */
export type ReactiveHolds = readonly ReadonlyMap<string, readonly Hold[]>[];

/** Plans the reactive baseline of every incident with the evaluation's closed loop (core planAllocation, default model). */
export function reactiveHolds(scenario: FleetScenario): ReactiveHolds {
  const model = defaultModel();
  return scenario.incidents.map((incident) =>
    allocatorHolds('reactive', incident, scenario.truth, scenario.observed, model, { policy: DEFAULT_ALLOCATION_POLICY, estimator: 'multipath' }).holds);
}

/** Holds as of `now`: open ones end now, and none outlives its lease. */
function clipped(holds: readonly (Hold & { readonly expiresAt?: number })[], now: number): Hold[] {
  return holds.map((h) => ({ start: h.start, end: Math.max(h.start, Math.min(h.end, now, h.expiresAt ?? Infinity)), resources: h.resources }));
}

function merge(a: ReadonlyMap<string, readonly Hold[]>, b: ReadonlyMap<string, readonly Hold[]>): Map<string, Hold[]> {
  const out = new Map<string, Hold[]>();
  for (const source of [a, b]) for (const [vmId, list] of source) out.set(vmId, [...(out.get(vmId) ?? []), ...list]);
  return out;
}

/**
 * Judges the three policies on every incident with the impact model (evaluation's judgeHolds): no action; the
 * reactive autoscaler; predictive = the reactive autoscaler plus the holds the pipeline's commands put in place for
 * the Foresight incidents matched to this incident. Holds of unmatched Foresight incidents count as wasted.
 */
export function judgePolicies(
  scenario: FleetScenario, reactive: ReactiveHolds, pipelineHolds: readonly ActuatedHold[], match: ReadonlyMap<string, number>, now: number, upTo = Infinity,
): Record<Policy, PolicyTotals> {
  const perIncident = scenario.incidents.map(() => new Map<string, Hold[]>());
  let unmatched = 0;
  for (const hold of pipelineHolds) {
    const i = match.get(hold.incidentId);
    const [h] = clipped([hold], now);
    if (i === undefined) {
      unmatched += unitMinutes(h);
      continue;
    }
    perIncident[i].set(hold.vmId, [...(perIncident[i].get(hold.vmId) ?? []), h]);
  }
  const outcomes: Record<Policy, PolicyOutcome[]> = { predictive: [], reactive: [], none: [] };
  let affected = 0;
  scenario.incidents.forEach((incident, i) => {
    if (incident.horizonEnd > upTo) return;
    affected += incident.affected.length;
    const own = new Map([...reactive[i]].map(([vmId, list]) => [vmId, clipped(list, now)]));
    outcomes.none.push(simulateNoAction(incident, scenario.truth, scenario.observed));
    outcomes.reactive.push(judgeHolds(incident, scenario.truth, scenario.observed, own, 0));
    outcomes.predictive.push(judgeHolds(incident, scenario.truth, scenario.observed, merge(own, perIncident[i]), 0));
  });
  const total = (list: readonly PolicyOutcome[], extraWaste: number): PolicyTotals => ({
    degradedVmMinutes: sum(list, (o) => o.degradedVmMinutes),
    sloViolationMinutes: sum(list, (o) => o.sloViolationMinutes),
    grantedUnitMinutes: sum(list, (o) => o.grantedUnitMinutes) + extraWaste,
    wastedUnitMinutes: sum(list, (o) => o.wastedUnitMinutes) + extraWaste,
    protectedShare: affected === 0 ? 0 : sum(list, (o) => o.protectedInTime) / affected,
    perIncident: list.map((o) => o.degradedVmMinutes),
  });
  return { predictive: total(outcomes.predictive, unmatched), reactive: total(outcomes.reactive, 0), none: total(outcomes.none, 0) };
}

const UNIT = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };

function unitMinutes(h: Hold): number {
  const units = h.resources.cpuMillis / UNIT.cpuMillis + h.resources.memoryMiB / UNIT.memoryMiB + h.resources.networkMbps / UNIT.networkMbps;
  return (units * Math.max(0, h.end - h.start)) / 60_000;
}

function sum<T>(list: readonly T[], f: (t: T) => number): number {
  return list.reduce((s, x) => s + f(x), 0);
}
