import type { AnomalousObservation } from './origin-evidence.js';

/** How likely, and how late after the origin's onset, one VM is affected when a given candidate is the origin. */
export interface Reach {
  readonly probability: number;
  readonly delayMs: number;
}

/** The likelihood of the evidence under one candidate origin. */
export interface CandidateLikelihood {
  readonly logLikelihood: number;
  readonly onsetAt?: number;
  readonly explained: number;
}

/** Knobs of the likelihood (see TraceOriginOptions). */
export interface LikelihoodParameters {
  readonly epsilon: number;
  readonly timingWeight: number;
  readonly skewMs: number;
  readonly reportProbability: number;
}

/** Delays shorter than this are treated as this in the relative timing penalty. */
const MIN_DELAY_MS = 1;

/**
 * Timing penalty of one arrival (a negative log-density without its constant). For an observed delay ≥ 0: Laplace
 * around the predicted delay d with standard deviation d (as for an exponential delay), √2·|observed − d| / d.
 * A negative observed delay (seen before the origin's onset) is impossible under the model but for detection jitter
 * and clock skew: the penalty at 0 plus |observed| / skewMs.
 */
export function timingPenalty(observedDelayMs: number, predictedDelayMs: number, skewMs: number): number {
  const d = Math.max(predictedDelayMs, MIN_DELAY_MS);
  if (observedDelayMs >= 0) return (Math.SQRT2 * Math.abs(observedDelayMs - d)) / d;
  return Math.SQRT2 - observedDelayMs / Math.max(skewMs, MIN_DELAY_MS);
}

/**
 * The onset τ ≤ `upper` minimising Σ w·|x − τ| (the weighted median of the points, clipped); `upper` when empty.
 * With x = t_a − d_a and w = 1/d_a this is the onset that minimises the summed timing penalties.
 */
export function fitOnset(points: readonly { readonly x: number; readonly w: number }[], upper: number): number {
  if (points.length === 0) return upper;
  const sorted = [...points].sort((a, b) => a.x - b.x);
  let total = 0;
  for (const p of sorted) total += p.w;
  let acc = 0;
  for (const p of sorted) {
    acc += p.w;
    if (acc >= total / 2) return Math.min(p.x, upper);
  }
  return Math.min(sorted[sorted.length - 1]?.x ?? upper, upper);
}

/** Log-term of one arrival at `a` from a source whose onset is `from`: log max(p, ε) − timingWeight · penalty. */
export function arrivalTerm(r: Reach | undefined, observedAt: number, from: number, params: LikelihoodParameters): number {
  if (r === undefined) return Math.log(params.epsilon);
  const presence = Math.log(Math.max(r.probability, params.epsilon));
  return params.timingWeight > 0 ? presence - params.timingWeight * timingPenalty(observedAt - from, r.delayMs, params.skewMs) : presence;
}

/**
 * For each anomalous VM, the best log-term of being infected by an anomalous VM observed before it (its likeliest
 * observed parent: earlier in `anomalous` order, i.e. by time then vmId, so parents always form a tree);
 * −Infinity when no earlier VM is known to reach it. `reachOf` gives each observed VM's reach (undefined when the
 * VM was past the candidate budget and was not scored).
 */
export function bestObservedParents(
  anomalous: readonly AnomalousObservation[],
  reachOf: (vmId: string) => ReadonlyMap<string, Reach> | undefined,
  params: LikelihoodParameters,
): Map<string, number> {
  const best = new Map<string, number>();
  for (let i = 0; i < anomalous.length; i++) {
    const a = anomalous[i];
    let term = -Infinity;
    for (let j = 0; j < i; j++) {
      const u = anomalous[j];
      const r = reachOf(u.vmId)?.get(a.vmId);
      if (r !== undefined) term = Math.max(term, arrivalTerm(r, a.at, u.at, params));
    }
    best.set(a.vmId, term);
  }
  return best;
}

/**
 * Log-likelihood of VM-level evidence under origin `candidate`, as an infection tree: every other anomalous VM a
 * is explained by its better parent, the candidate (arrivalTerm from τ) or an anomalous VM observed before it
 * (`observedParents`, see bestObservedParents), plus Σ_h log(1 − p_c(h)) over healthy VMs, plus log q when the
 * candidate was reported anomalous and log(1 − q) when it was not (q = reportProbability). τ = t_c when the
 * candidate was seen anomalous (detection is taken as prompt), else the onset fitted to its direct arrivals
 * (fitOnset, at most the earliest observation). `anomalous` holds one observation per VM, ordered by time then vmId.
 */
export function componentLikelihood(
  candidate: string,
  reach: ReadonlyMap<string, Reach>,
  anomalous: readonly AnomalousObservation[],
  observedParents: ReadonlyMap<string, number>,
  healthy: readonly string[],
  params: LikelihoodParameters,
): CandidateLikelihood {
  let earliest = Infinity;
  let own: number | undefined;
  const points: { x: number; w: number }[] = [];
  for (const a of anomalous) {
    earliest = Math.min(earliest, a.at);
    if (a.vmId === candidate) {
      own = a.at;
      continue;
    }
    const r = reach.get(a.vmId);
    if (r !== undefined) points.push({ x: a.at - r.delayMs, w: 1 / Math.max(r.delayMs, MIN_DELAY_MS) });
  }
  const onsetAt = own ?? fitOnset(points, earliest);
  // The origin is certainly anomalous: it was reported (q) or missed (1 − q).
  let logL = healthyTerm(reach, healthy, params.epsilon) + Math.log(own === undefined ? 1 - params.reportProbability : params.reportProbability);
  let explained = 0;
  for (const a of anomalous) {
    if (a.vmId === candidate) continue;
    const r = reach.get(a.vmId);
    if (r !== undefined) explained++;
    logL += Math.max(arrivalTerm(r, a.at, onsetAt, params), observedParents.get(a.vmId) ?? -Infinity);
  }
  return Number.isFinite(onsetAt) ? { logLikelihood: logL, onsetAt, explained } : { logLikelihood: logL, explained };
}

/**
 * Log-likelihood of a scope-only anomaly (no VM-level evidence): log of the expected share of the scope the
 * candidate's cascade reaches (the candidate counts as reached), plus the healthy term.
 */
export function scopeLikelihood(
  candidate: string,
  reach: ReadonlyMap<string, Reach>,
  scopeVmIds: readonly string[],
  healthy: readonly string[],
  params: LikelihoodParameters,
  reportedAt: number | undefined,
): CandidateLikelihood {
  let spread = 0;
  let explained = 0;
  for (const vmId of scopeVmIds) {
    if (vmId === candidate) {
      spread += 1;
      continue;
    }
    const r = reach.get(vmId);
    if (r === undefined) continue;
    spread += r.probability;
    explained++;
  }
  const share = Math.max(spread / Math.max(scopeVmIds.length, 1), params.epsilon);
  const logLikelihood = Math.log(share) + healthyTerm(reach, healthy, params.epsilon);
  return reportedAt === undefined ? { logLikelihood, explained } : { logLikelihood, onsetAt: reportedAt, explained };
}

function healthyTerm(reach: ReadonlyMap<string, Reach>, healthy: readonly string[], epsilon: number): number {
  let sum = 0;
  for (const h of healthy) {
    const p = reach.get(h)?.probability ?? 0;
    sum += Math.log(1 - Math.min(p, 1 - epsilon));
  }
  return sum;
}
