import { RESOURCE_KEYS, type Resources } from '@foresight/core';
import type { GrantEffect } from './true-parameters.js';

/**
 * Share of a VM's need a grant covers: min over the resources the anomaly needs of granted / (need × severity),
 * in [0, 1]. A grant of the wrong resource covers nothing; a type that needs nothing is always covered.
 */
export function grantCoverage(need: Resources, severity: number, granted: Resources): number {
  let coverage = 1;
  for (const key of RESOURCE_KEYS) {
    const required = need[key] * severity;
    if (required <= 0) continue;
    coverage = Math.min(coverage, granted[key] / required);
  }
  return Math.max(0, Math.min(1, coverage));
}

/**
 * Minutes a VM is degraded by one anomaly of untreated duration `durationMs` (docs/simulation.md, impact model):
 * - no grant (or none before recovery): the whole duration;
 * - a grant in place at or before onset covering share c: duration × (1 − inTime × c);
 * - a grant landing `late` ms after onset: late + (duration − late) × (1 − lateEffect × c).
 */
export function degradedMinutes(durationMs: number, grantInPlaceAt: number | undefined, onsetAt: number, coverage: number, effect: GrantEffect): number {
  if (grantInPlaceAt === undefined || coverage <= 0 || grantInPlaceAt >= onsetAt + durationMs) return durationMs / 60_000;
  if (grantInPlaceAt <= onsetAt) return (durationMs * (1 - effect.inTime * coverage)) / 60_000;
  const late = grantInPlaceAt - onsetAt;
  return (late + (durationMs - late) * (1 - effect.late * coverage)) / 60_000;
}
