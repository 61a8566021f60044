import { ForesightError } from '../errors.js';
import type { ModelParameters } from '../model/model-parameters.js';
import { posteriorMean } from '../model/transmission.js';
import { scorePropagation } from '../propagation/score-propagation.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { assertTime, assertVmId } from './incident-state.js';
import {
  DEFAULT_CLOCK_SKEW_MS, DEFAULT_MAX_ORIGIN_CANDIDATES, DEFAULT_REPORT_PROBABILITY, DEFAULT_ORIGIN_EPSILON, DEFAULT_ORIGIN_FLOOR, DEFAULT_ORIGIN_TOP_K, ORIGIN_SCOPE_LEVELS,
  type AnomalousObservation, type OriginCandidate, type OriginEvidence, type TraceOriginOptions,
} from './origin-evidence.js';
import { bestObservedParents, componentLikelihood, scopeLikelihood, type CandidateLikelihood, type Reach } from './origin-likelihood.js';

/**
 * Ranks the VMs that may have started an anomaly, best first (top-k of at most `maxCandidates` evaluated).
 * Each candidate is scored as the only source with the same propagation model; its log-likelihood of the evidence
 * (origin-likelihood.ts: an infection tree over the reported VMs, or the expected share of a scope) plus its log-prior
 * is turned into a posterior by a softmax over all evaluated candidates.
 * Candidates: observed anomalous VMs (earliest first), then the COMPONENT VM or the VMs of the GROUP / SYSTEM
 * (by prior, then vmId); VMs reported healthy are never candidates. Ties rank by vmId.
 * Throws UNKNOWN_VM for an evidence VM the snapshot lacks, INVALID_ARGUMENT for bad times or scope, and
 * EMPTY_SOURCES when no candidate remains.
 */
export function traceOrigin(
  snapshot: TopologySnapshot,
  model: ModelParameters,
  anomalyType: string,
  evidence: OriginEvidence,
  options: TraceOriginOptions = {},
): OriginCandidate[] {
  const topK = positiveInteger(options.topK ?? DEFAULT_ORIGIN_TOP_K, 'topK');
  const maxCandidates = positiveInteger(options.maxCandidates ?? DEFAULT_MAX_ORIGIN_CANDIDATES, 'maxCandidates');
  const floor = options.floor ?? DEFAULT_ORIGIN_FLOOR;
  const params = {
    epsilon: options.epsilon ?? DEFAULT_ORIGIN_EPSILON,
    timingWeight: options.timingWeight ?? 1,
    skewMs: options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
    reportProbability: options.reportProbability ?? DEFAULT_REPORT_PROBABILITY,
  };
  if (!(params.epsilon > 0 && params.epsilon < 1)) throw new ForesightError('INVALID_ARGUMENT', `epsilon must be in (0, 1), got ${params.epsilon}`);
  if (!(params.timingWeight >= 0 && params.timingWeight < Infinity)) {
    throw new ForesightError('INVALID_ARGUMENT', `timingWeight must be a finite number ≥ 0, got ${params.timingWeight}`);
  }
  if (!(params.skewMs > 0 && params.skewMs < Infinity)) throw new ForesightError('INVALID_ARGUMENT', `clockSkewMs must be finite and > 0, got ${params.skewMs}`);
  if (!(params.reportProbability > 0 && params.reportProbability < 1)) {
    throw new ForesightError('INVALID_ARGUMENT', `reportProbability must be in (0, 1), got ${params.reportProbability}`);
  }
  if (!(floor >= 0 && floor < 1)) throw new ForesightError('INVALID_ARGUMENT', `floor must be in [0, 1), got ${floor}`);

  const anomalous = earliestPerVm(snapshot, evidence.anomalous);
  const anomalousIds = new Set(anomalous.map((a) => a.vmId));
  const healthy = [...new Set(evidence.healthy ?? [])].filter((h) => {
    assertKnown(snapshot, h, 'healthy VM');
    return !anomalousIds.has(h);
  });
  if (evidence.reportedAt !== undefined) assertTime(evidence.reportedAt, 'reportedAt');
  const scopeVmIds = scopeMembers(snapshot, evidence);

  const logPrior = (vmId: string): number =>
    options.prior === 'uniform' ? 0 : Math.log(posteriorMean(model.vulnerability[vmId] ?? model.vulnerabilityPrior));
  const candidates = chooseCandidates(anomalous, scopeVmIds, new Set(healthy), maxCandidates, logPrior);
  if (candidates.length === 0) {
    throw new ForesightError(
      'EMPTY_SOURCES',
      `no origin candidates: ${evidence.scope.level} ${evidence.scope.id} has no VM in topology snapshot v${snapshot.version} ` +
        'that is not reported healthy, and no anomalous VM was reported',
    );
  }

  // Observed anomalous VMs come first among the candidates: score them first, as they are also the possible parents.
  const reachOf = new Map<string, ReadonlyMap<string, Reach>>();
  for (const vmId of candidates) {
    if (!anomalousIds.has(vmId)) break;
    reachOf.set(vmId, reachFrom(snapshot, model, anomalyType, vmId, floor, options));
  }
  const observedParents = bestObservedParents(anomalous, (vmId) => reachOf.get(vmId), params);
  const scored = candidates.map((vmId) => {
    const reach = reachOf.get(vmId) ?? reachFrom(snapshot, model, anomalyType, vmId, floor, options);
    const likelihood: CandidateLikelihood =
      anomalous.length > 0
        ? componentLikelihood(vmId, reach, anomalous, observedParents, healthy, params)
        : scopeLikelihood(vmId, reach, scopeVmIds, healthy, params, evidence.reportedAt);
    return { vmId, likelihood, logPrior: logPrior(vmId), score: likelihood.logLikelihood + logPrior(vmId) };
  });
  scored.sort((a, b) => b.score - a.score || compareIds(a.vmId, b.vmId));
  const best = scored[0].score;
  let total = 0;
  for (const s of scored) total += Math.exp(s.score - best);
  return scored.slice(0, topK).map((s) => ({
    vmId: s.vmId,
    posterior: Math.exp(s.score - best) / total,
    logLikelihood: s.likelihood.logLikelihood,
    logPrior: s.logPrior,
    ...(s.likelihood.onsetAt === undefined ? {} : { onsetAt: s.likelihood.onsetAt }),
    explained: s.likelihood.explained,
  }));
}

/** One observation per VM (its earliest time), validated, ordered by time then vmId. */
function earliestPerVm(snapshot: TopologySnapshot, observations: readonly AnomalousObservation[]): AnomalousObservation[] {
  const earliest = new Map<string, number>();
  for (const o of observations) {
    assertKnown(snapshot, o.vmId, 'anomalous VM');
    assertTime(o.at, `observation time of ${o.vmId}`);
    const prev = earliest.get(o.vmId);
    if (prev === undefined || o.at < prev) earliest.set(o.vmId, o.at);
  }
  return [...earliest].map(([vmId, at]) => ({ vmId, at })).sort((a, b) => a.at - b.at || compareIds(a.vmId, b.vmId));
}

/** The VMs the report names: the group's or system's VMs, or the one component VM. */
function scopeMembers(snapshot: TopologySnapshot, evidence: OriginEvidence): readonly string[] {
  const { level, id } = evidence.scope;
  if (!ORIGIN_SCOPE_LEVELS.includes(level)) throw new ForesightError('INVALID_ARGUMENT', `scope level must be SYSTEM, GROUP or COMPONENT, got ${String(level)}`);
  if (typeof id !== 'string' || id.length === 0) throw new ForesightError('INVALID_ARGUMENT', `scope id must be a non-empty string, got ${JSON.stringify(id)}`);
  if (level === 'COMPONENT') {
    assertKnown(snapshot, id, 'scope component');
    return [id];
  }
  return level === 'GROUP' ? snapshot.vmsInGroup(id) : snapshot.vmsInSystem(id);
}

/**
 * At most `max` candidates, deterministically: anomalous VMs by observed time, then scope VMs by prior (desc) and
 * vmId. NOTE: when a scope is larger than the budget, unobserved VMs past it are not considered.
 */
function chooseCandidates(
  anomalous: readonly AnomalousObservation[],
  scopeVmIds: readonly string[],
  healthy: ReadonlySet<string>,
  max: number,
  logPrior: (vmId: string) => number,
): string[] {
  const chosen: string[] = [];
  const seen = new Set<string>();
  for (const a of anomalous) {
    if (chosen.length >= max) return chosen;
    seen.add(a.vmId);
    chosen.push(a.vmId);
  }
  const rest = scopeVmIds.filter((v) => !seen.has(v) && !healthy.has(v));
  const priors = new Map(rest.map((v) => [v, logPrior(v)]));
  rest.sort((a, b) => priors.get(b)! - priors.get(a)! || compareIds(a, b));
  for (const v of rest) {
    if (chosen.length >= max) break;
    chosen.push(v);
  }
  return chosen;
}

/** Probability and expected delay of every VM the candidate reaches at or above the floor; the candidate itself at (1, 0). */
function reachFrom(
  snapshot: TopologySnapshot,
  model: ModelParameters,
  anomalyType: string,
  vmId: string,
  floor: number,
  options: TraceOriginOptions,
): Map<string, Reach> {
  const score = scorePropagation(snapshot, model, anomalyType, [{ vmId, onsetAt: 0 }], {
    floor,
    ...(options.estimator === undefined ? {} : { estimator: options.estimator }),
  });
  const reach = new Map<string, Reach>([[vmId, { probability: 1, delayMs: 0 }]]);
  for (const r of score.atRisk) reach.set(r.vmId, { probability: r.probability, delayMs: r.etaAt });
  return reach;
}

function assertKnown(snapshot: TopologySnapshot, vmId: string, what: string): void {
  assertVmId(vmId);
  if (!snapshot.hasVm(vmId)) throw new ForesightError('UNKNOWN_VM', `${what} ${vmId} is not in topology snapshot v${snapshot.version}`);
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new ForesightError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${value}`);
  return value;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
