import { REACH_RULE, reachedPods, type PodSeries, type ReachRule } from './reach-labels.js';

/** Where the rule is checked on fault-free minutes: after the day's last fault has long passed. */
export const FALSE_FLAG_CHECK = Object.freeze({
  /** Pseudo-injections start this long after the day's last injection. */
  afterLastFaultMs: 30 * 60_000,
  /** One pseudo-injection per this many minutes of fault-free time. */
  everyMs: 10 * 60_000,
});

/** How often the rule flags a pod when nothing was injected. */
export interface FalseFlagCount {
  readonly pseudoInjections: number;
  /** Pod checks: pseudo-injections × pods. */
  readonly checks: number;
  readonly flagged: number;
  /** Pseudo-injections that flagged at least one pod. */
  readonly injectionsWithFlag: number;
}

/** The pseudo-injection times of a day: every `everyMs` from `afterLastFaultMs` past its last fault until its rows end. */
export function pseudoInjections(day: readonly PodSeries[], injections: readonly number[], rule: ReachRule = REACH_RULE): number[] {
  const lastRow = Math.min(...day.map((s) => s.rows.at(-1)?.at ?? Number.NEGATIVE_INFINITY));
  const times: number[] = [];
  for (let t = Math.max(...injections) + FALSE_FLAG_CHECK.afterLastFaultMs; t + rule.afterMs <= lastRow; t += FALSE_FLAG_CHECK.everyMs) times.push(t);
  return times;
}

/**
 * The rule applied at pseudo-injections in fault-free time, on every pod (none is the faulty one); each
 * pseudo-injection is also excluded from the baseline like a fault, so the baselines are built as for real faults.
 */
export function countFalseFlags(day: readonly PodSeries[], injections: readonly number[], rule: ReachRule = REACH_RULE): FalseFlagCount {
  const pseudo = pseudoInjections(day, injections, rule);
  let flagged = 0;
  let injectionsWithFlag = 0;
  for (const t of pseudo) {
    const reached = reachedPods(day, undefined, t, [...injections, t], rule);
    flagged += reached.length;
    if (reached.length > 0) injectionsWithFlag++;
  }
  return { pseudoInjections: pseudo.length, checks: pseudo.length * day.length, flagged, injectionsWithFlag };
}
