import type { AnomalyEvent } from '@foresight/contracts';
import { faultAnomalyId } from './fault-anomalies.js';
import type { NezhaFault } from './fault-list.js';
import { systemIdOf, vmIdOf } from './pod-names.js';
import type { ReachedPod, ReachSignal } from './reach-labels.js';

/** The anomaly type monitoring would report for a signal the reach rule flagged. */
export const SIGNAL_ANOMALY_TYPES: Readonly<Record<ReachSignal, string>> = Object.freeze({
  cpuMillis: 'cpu_saturation',
  memoryMiB: 'memory_pressure',
  clientP99: 'latency',
  serverP99: 'latency',
});

/** A metric row covers about this much time before its timestamp. */
const ROW_MS = 60_000;

/**
 * What monitoring would report on the pods a fault reached: an anomaly per reached pod, OPEN at its first flagged
 * row, RESOLVED a row after its last one. These are the outcomes the learner learns from (the fault's own first
 * assessment comes before them: every flagged row ends after the injection).
 */
export function reachAnomalies(fault: NezhaFault, reached: readonly ReachedPod[]): AnomalyEvent[] {
  return reached.flatMap((r) => {
    const first = r.flags[0];
    if (first === undefined) return [];
    const last = Math.max(...r.flags.map((f) => f.at)) + ROW_MS;
    const base = {
      systemId: systemIdOf(fault.day), level: 'COMPONENT' as const, subjectId: vmIdOf(fault.day, r.pod),
      anomalyType: SIGNAL_ANOMALY_TYPES[first.signal], severity: Math.min(1, first.threshold > 0 ? 1 - first.threshold / first.value : 1),
      attributes: { pod: r.pod, signal: first.signal, reachedBy: fault.faultId, source: 'nezha-reach-rule' },
    };
    const id = `${faultAnomalyId(fault)}-reached-${r.pod}`;
    return [
      { ...base, eventId: `${id}-open`, eventTime: first.at, state: 'OPEN' as const, detectedAt: first.at },
      { ...base, eventId: `${id}-resolved`, eventTime: last, state: 'RESOLVED' as const, detectedAt: last },
    ];
  });
}
