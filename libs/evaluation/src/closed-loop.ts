import {
  DEFAULT_MAX_GRANTS_PER_MINUTE, allocationRound, assess, grantWindow, ledgerViewOfPool, observeAnomalous, observeHealthy, observeRecovered, openIncident,
  scaleResources, typeParameters,
  type AllocationPolicy, type AssessedVm, type GrantRefusal, type EstimatorName, type IncidentState, type LedgerView, type ModelParameters, type RateAllowance, type Resources,
  type RoundAssessment, type RoundPass,
} from '@foresight/core';
import { degradedMinutes, grantCoverage, type Incident, type TrueParameters } from '@foresight/sim';
import type { ObservedTopology } from './observed-topology.js';

/** The closed-loop policies compared (`perfect-prediction`: perfect-prediction.ts). */
export const POLICY_NAMES = ['none', 'reactive', 'predictive', 'perfect-prediction', 'oracle'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** What one policy did in one incident. */
export interface PolicyOutcome {
  readonly degradedVmMinutes: number;
  /** The part of degradedVmMinutes of VMs other than the origin: what a policy acting on detections can reach. */
  readonly downstreamDegradedVmMinutes: number;
  /** Degraded minutes of SLO-critical VMs (criticality ≥ 0.8). */
  readonly sloViolationMinutes: number;
  /** Resource-unit-minutes granted (1 unit = 1 vCPU, 1 GiB or 100 Mbps) and the part that helped no affected VM. */
  readonly grantedUnitMinutes: number;
  readonly wastedUnitMinutes: number;
  /** Unit-minutes of useful grants held after their VM's degradation would have ended (onset + untreated duration). */
  readonly idleUnitMinutes: number;
  /** GRANT + ADJUST + RELEASE decisions (renewals excluded). */
  readonly churn: number;
  /** Truly affected VMs protected by a grant in place before their onset. */
  readonly protectedInTime: number;
  /** Per VM, when Foresight's first grant was in place (one decided before the VM was reported anomalous): what the learner is told. */
  readonly foresightGrantAt?: ReadonlyMap<string, number>;
  /** Per affected VM, its degraded minutes under this policy (what monitoring would report between OPEN and RESOLVED). */
  readonly degradedMinutesByVm: ReadonlyMap<string, number>;
}

/** Resources held on one VM from `start` (in place) to `end` (released). */
export interface Hold {
  readonly start: number;
  end: number;
  readonly resources: Resources;
}

/** Knobs of the closed-loop simulation. */
export interface ClosedLoopOptions {
  readonly policy: AllocationPolicy;
  readonly estimator: EstimatorName;
  /** Re-plan every tickMs (default 60 s) and at every detection. */
  readonly tickMs?: number;
  /**
   * The reactive autoscaler beside Foresight (default true): the anomalous VMs are listed at probability 1, sized by
   * their own severity. false: Foresight alone, as the allocator service sees the assessments (the identity test).
   */
  readonly autoscaler?: boolean;
  /** Return every round's assessments and passes (allocatorHolds' `rounds`), for tests. */
  readonly recordRounds?: boolean;
}

/** One allocation round of the closed loop: what it was given and what it decided. */
export interface ClosedLoopRound {
  readonly assessments: readonly RoundAssessment[];
  readonly passes: readonly RoundPass[];
  readonly refusals: readonly GrantRefusal[];
}

/** Criticality of a VM the observed topology does not know (never used: only known VMs are listed). */
const DEFAULT_CRITICALITY = 0.5;

const SLO_CRITICALITY = 0.8;
const UNIT: Resources = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };
const TAIL_MS = 30 * 60_000;

function units(r: Resources): number {
  return r.cpuMillis / UNIT.cpuMillis + r.memoryMiB / UNIT.memoryMiB + r.networkMbps / UNIT.networkMbps;
}

/** Judges holds against the truth: degradation of every affected VM, useful and wasted unit-minutes. */
export function judgeHolds(incident: Incident, truth: TrueParameters, observed: ObservedTopology, holds: ReadonlyMap<string, readonly Hold[]>, churn: number): PolicyOutcome {
  const need = truth.impact[incident.anomalyType].need;
  const usefulHold = new Set<Hold>();
  // For a useful hold: the end of the degradation it covers (held longer than that is idle). A hold is on one VM, and a
  // VM is affected at most once in an incident, so a hold covers one degradation.
  const idleAfter = new Map<Hold, number>();
  let degraded = 0;
  let downstream = 0;
  let slo = 0;
  let protectedInTime = 0;
  const byVm = new Map<string, number>();
  for (const a of incident.affected) {
    const mine = (holds.get(a.vmId) ?? []).slice().sort((x, y) => x.start - y.start);
    const end = a.onsetAt + a.durationMs;
    const covering = mine.find((h) => h.start <= a.onsetAt && h.end > a.onsetAt) ?? mine.find((h) => h.start > a.onsetAt && h.start < end);
    const coverage = covering === undefined ? 0 : grantCoverage(need, a.severity, covering.resources);
    const minutes = degradedMinutes(a.durationMs, covering?.start, a.onsetAt, coverage, truth.grantEffect);
    for (const h of mine) {
      if (h.start < end && h.end > a.onsetAt && grantCoverage(need, a.severity, h.resources) > 0) {
        usefulHold.add(h);
        idleAfter.set(h, end);
      }
    }
    const inTime = covering !== undefined && covering.start <= a.onsetAt;
    if (inTime) protectedInTime++;
    degraded += minutes;
    byVm.set(a.vmId, minutes);
    if (a.vmId !== incident.originVmId) downstream += minutes;
    if ((observed.vmById.get(a.vmId)?.criticality ?? 0) >= SLO_CRITICALITY) slo += minutes;
  }
  let granted = 0;
  let wasted = 0;
  let idle = 0;
  for (const list of holds.values()) {
    for (const h of list) {
      const m = units(h.resources) * Math.max(0, h.end - h.start) / 60_000;
      granted += m;
      if (!usefulHold.has(h)) wasted += m;
      else idle += units(h.resources) * Math.max(0, h.end - Math.max(h.start, idleAfter.get(h)!)) / 60_000;
    }
  }
  return { degradedVmMinutes: degraded, downstreamDegradedVmMinutes: downstream, sloViolationMinutes: slo, grantedUnitMinutes: granted, wastedUnitMinutes: wasted, idleUnitMinutes: idle, churn, protectedInTime, degradedMinutesByVm: byVm };
}

/** No grants: every affected VM degrades for its whole duration. */
export function simulateNoAction(incident: Incident, truth: TrueParameters, observed: ObservedTopology): PolicyOutcome {
  return judgeHolds(incident, truth, observed, new Map(), 0);
}

/** Knows the realised cascade: grants each affected VM exactly its need, in place at its onset, until it recovers. */
export function simulateOracle(incident: Incident, truth: TrueParameters, observed: ObservedTopology): PolicyOutcome {
  const need = truth.impact[incident.anomalyType].need;
  const holds = new Map<string, Hold[]>();
  for (const a of incident.affected) holds.set(a.vmId, [{ start: a.onsetAt, end: a.onsetAt + a.durationMs, resources: scaleResources(need, a.severity) }]);
  return judgeHolds(incident, truth, observed, holds, 2 * incident.affected.length);
}

/**
 * The allocator in the loop, driven by the incident's AnomalyEvents: 'reactive' lists the VMs whose own anomaly is
 * active (probability 1, their own severity); 'predictive' adds Foresight's assessment (re-assessed at every detection
 * and tick, VMs not yet anomalous reported healthy as of one mean detection delay ago). Each step is one core
 * allocationRound, the allocator service's own, on an in-memory ledger built from the observed pool (the model's grant
 * sizes and thresholds, the service's default rate limit); resources are in place actuationLatencyMs after the
 * decision and leave at release; the incident ends with a CLOSED assessment. In 'predictive', the anomalous VMs are the
 * assessment's sources, so a lease granted before a VM turned anomalous follows `policy.degradedLeases`: 'keep', the
 * autoscaler finds it in place and sizes it (one lease); 'handover', Foresight releases it and the autoscaler grants
 * its own (reactiveLeaseIncident).
 */
export function simulateAllocator(
  mode: 'reactive' | 'predictive', incident: Incident, truth: TrueParameters, observed: ObservedTopology, model: ModelParameters, options: ClosedLoopOptions,
): PolicyOutcome {
  const { holds, churn, foresightGrantAt } = allocatorHolds(mode, incident, truth, observed, model, options);
  return { ...judgeHolds(incident, truth, observed, holds, churn), foresightGrantAt };
}

/**
 * The holds (per VM) and churn of simulateAllocator's policy, before judging: to combine them with other grants; and
 * per VM when its first grant decided before it was reported anomalous (a prediction's, not the autoscaler's) was in place.
 */
export function allocatorHolds(
  mode: 'reactive' | 'predictive', incident: Incident, truth: TrueParameters, observed: ObservedTopology, model: ModelParameters, options: ClosedLoopOptions,
): {
  readonly holds: ReadonlyMap<string, readonly Hold[]>; readonly churn: number; readonly foresightGrantAt: ReadonlyMap<string, number>;
  readonly rounds: readonly ClosedLoopRound[];
} {
  const events = incident.anomalyEvents;
  const foresightGrantAt = new Map<string, number>();
  const rounds: ClosedLoopRound[] = [];
  if (events.length === 0) return { holds: new Map(), churn: 0, foresightGrantAt, rounds };
  const tick = options.tickMs ?? 60_000;
  const latency = options.policy.actuationLatencyMs;
  const healthyLag = truth.detection.minDelayMs + truth.detection.meanExtraDelayMs;
  const first = events[0].detectedAt;
  const times = new Set<number>(events.map((e) => e.detectedAt));
  for (let t = first; t <= incident.horizonEnd + TAIL_MS; t += tick) times.add(t);
  const schedule = [...times].sort((a, b) => a - b);

  // The autoscaler's leases: under 'handover' its own, beside Foresight's handed-over ones; otherwise the incident's.
  const withAutoscaler = options.autoscaler ?? true;
  const handover = mode === 'predictive' && options.policy.degradedLeases === 'handover';
  const autoscalerIncident = handover ? reactiveLeaseIncident(incident.incidentId) : incident.incidentId;
  const settings = { policy: options.policy, vmCap: observed.pool.vmCaps.default, defaultCriticality: DEFAULT_CRITICALITY };
  let state: IncidentState = openIncident(incident.incidentId, incident.anomalyType, first);
  let ledger: LedgerView = ledgerViewOfPool(observed.pool);
  let allowance: RateAllowance = new Map();
  const versions = new Map<string, number>();
  const holds = new Map<string, Hold[]>();
  const open = new Map<string, Hold>();
  let churn = 0;
  let next = 0;
  const assessment = (incidentId: string, now: number, over: Pick<RoundAssessment, 'status' | 'severity' | 'sources' | 'atRisk'>): RoundAssessment => {
    const version = (versions.get(incidentId) ?? 0) + 1;
    versions.set(incidentId, version);
    return { incidentId, version, mode: 'ENFORCE', eventTime: now, generatedAt: now, anomalyType: incident.anomalyType, ...over };
  };
  const run = (assessments: readonly RoundAssessment[], now: number): void => {
    for (const a of assessments) {
      const window = grantWindow(a.mode, now);
      if (!allowance.has(window)) allowance.set(window, DEFAULT_MAX_GRANTS_PER_MINUTE);
    }
    const round = allocationRound({ assessments, ledger, placements: observed.vmById, rateAllowance: allowance, model, settings });
    ({ ledger, rateAllowance: allowance } = round);
    if (options.recordRounds === true) rounds.push({ assessments, passes: round.passes, refusals: round.refusals });
    for (const c of round.passes.flatMap((p) => p.commands)) {
      if (c.step === 'RENEW') continue;
      churn++;
      const held = open.get(c.reservationId);
      if (held !== undefined) {
        held.end = c.step === 'RELEASE' ? now : now + latency;
        open.delete(c.reservationId);
      }
      if (c.step === 'RELEASE') continue;
      const hold: Hold = { start: now + latency, end: Infinity, resources: c.resources };
      if (c.step === 'GRANT' && !state.anomalousSeenAt.has(c.vmId) && !foresightGrantAt.has(c.vmId)) foresightGrantAt.set(c.vmId, hold.start);
      open.set(c.reservationId, hold);
      holds.set(c.vmId, [...(holds.get(c.vmId) ?? []), hold]);
    }
  };
  let now = first;
  for (now of schedule) {
    for (; next < events.length && events[next].detectedAt <= now; next++) {
      const e = events[next];
      state = e.state === 'OPEN' ? observeAnomalous(state, e.subjectId, e.eventTime, e.severity) : observeRecovered(state, e.subjectId, e.eventTime);
    }
    if (now >= incident.horizonEnd && state.status === 'RESOLVED' && ledger.leases.length === 0) break;
    // The autoscaler: every anomalous VM at probability 1, sized by its own severity, impact now.
    const anomalous: AssessedVm[] = [];
    for (const [vmId, s] of withAutoscaler ? state.sources : []) {
      const vm = observed.vmById.get(vmId);
      if (vm !== undefined) anomalous.push({ vmId, hostId: vm.hostId, probability: 1, etaMs: 0, path: [vmId], severity: s.severity });
    }
    const predicted: AssessedVm[] = [];
    let severity = 0;
    if (mode === 'predictive' && state.sources.size > 0 && now < incident.horizonEnd) {
      const healthyAt = now - healthyLag;
      for (const r of state.lastAssessment?.atRisk ?? []) {
        if (healthyAt > state.openedAt && !state.anomalousSeenAt.has(r.vmId)) state = observeHealthy(state, r.vmId, healthyAt);
      }
      const result = assess(state, observed.snapshot, model, now, { estimator: options.estimator, seed: incident.index + 1, samples: 500 });
      state = result.state;
      severity = result.assessment.severity;
      // As the scorer publishes an entry: ETA in whole ms after the assessment, never negative.
      for (const r of result.assessment.atRisk) {
        const vm = observed.vmById.get(r.vmId);
        if (vm === undefined || state.sources.has(r.vmId)) continue;
        predicted.push({ vmId: r.vmId, hostId: vm.hostId, probability: Math.min(1, r.probability), etaMs: Math.max(0, Math.round(r.etaAt - now)), path: r.path });
      }
    }
    const sources = mode === 'predictive' ? [...state.sources.keys()].map((vmId) => ({ vmId })) : [];
    run(handover
      ? [
        assessment(incident.incidentId, now, { status: 'OPEN', severity, sources, atRisk: predicted }),
        assessment(autoscalerIncident, now, { status: 'OPEN', severity, sources: [], atRisk: anomalous }),
      ]
      : [assessment(incident.incidentId, now, { status: 'OPEN', severity, sources, atRisk: [...anomalous, ...predicted] })], now);
  }
  const closed = { status: 'CLOSED', severity: 0, sources: [], atRisk: [] } as const;
  run([assessment(incident.incidentId, now, closed), ...(handover ? [assessment(autoscalerIncident, now, closed)] : [])], now);
  for (const h of open.values()) h.end = now;
  return { holds, churn, foresightGrantAt, rounds };
}

/** The incident id the autoscaler's leases go under in the closed loop when Foresight hands degraded VMs over. */
export function reactiveLeaseIncident(incidentId: string): string {
  return `${incidentId}#autoscaler`;
}

/** The grant size (at severity 1) the model would give this type, for reports. */
export function modelGrantSize(model: ModelParameters, anomalyType: string): Resources {
  return typeParameters(model, anomalyType).grantSize;
}
