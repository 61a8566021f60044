import { scaleResources } from '@foresight/core';
import type { Incident, TrueParameters } from '@foresight/sim';
import { judgeHolds, type Hold, type PolicyOutcome } from './closed-loop.js';
import type { ObservedTopology } from './observed-topology.js';

/**
 * A perfect prediction acted on at the first detection: knows every VM the incident will affect and grants each its
 * exact need (need × severity), in place at the first detection + `actuationLatencyMs`, until its recovery (onset +
 * untreated duration); no pool limit. Per VM it degrades no longer than any policy that acts from the first
 * detection (reactive and predictive included), so its cut against reactive bounds theirs. Undetected: no grants.
 */
export function simulatePerfectPrediction(incident: Incident, truth: TrueParameters, observed: ObservedTopology, actuationLatencyMs: number): PolicyOutcome {
  const first = incident.anomalyEvents.find((e) => e.state === 'OPEN')?.detectedAt;
  const holds = new Map<string, Hold[]>();
  if (first !== undefined) {
    const need = truth.impact[incident.anomalyType].need;
    const start = first + actuationLatencyMs;
    for (const a of incident.affected) {
      const end = a.onsetAt + a.durationMs;
      if (end > start) holds.set(a.vmId, [{ start, end, resources: scaleResources(need, a.severity) }]);
    }
  }
  return judgeHolds(incident, truth, observed, holds, 2 * holds.size);
}
