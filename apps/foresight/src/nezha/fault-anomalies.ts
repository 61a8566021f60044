import type { AnomalyEvent } from '@foresight/contracts';
import type { NezhaFault, NezhaFaultType } from './fault-list.js';
import { systemIdOf, vmIdOf } from './pod-names.js';

/**
 * The anomaly type of the model (libs/core default-model.ts) each injected fault type is reported as. CPU stress in
 * the pod, or a CPU hog beside it, saturates its CPU; a network delay on the pod is latency its callers see (the model's
 * network_congestion travels NETWORK flows, which spans do not give); a code change returning wrong values or
 * throwing makes its callers' requests fail.
 */
export const FAULT_ANOMALY_TYPES: Readonly<Record<NezhaFaultType, string>> = Object.freeze({
  cpu_contention: 'cpu_saturation',
  cpu_consumed: 'cpu_saturation',
  network_delay: 'latency',
  return: 'error_rate',
  exception: 'error_rate',
});

/** How an injected fault is reported (docs/ingestion-nezha.md). */
export const FAULT_REPORTING = Object.freeze({
  /** An injected fault is a full-strength anomaly; the data has no severity. */
  severity: 1,
  /** OPEN at injection, RESOLVED this long after: the faulty pod's own CPU stays raised about this long after a CPU fault, and it ends before the next injection (≈ 8.5 min apart). */
  durationMs: 5 * 60_000,
});

/** The anomaly id of a fault (its incident's source). */
export function faultAnomalyId(fault: NezhaFault): string {
  return `nezha-${fault.faultId}`;
}

/** A fault as a COMPONENT anomaly of its pod: OPEN at injection, RESOLVED `durationMs` later. */
export function faultAnomalies(fault: NezhaFault, durationMs: number = FAULT_REPORTING.durationMs): [AnomalyEvent, AnomalyEvent] {
  const base = {
    systemId: systemIdOf(fault.day), level: 'COMPONENT' as const, subjectId: vmIdOf(fault.day, fault.pod),
    anomalyType: FAULT_ANOMALY_TYPES[fault.type], severity: FAULT_REPORTING.severity,
    attributes: { faultId: fault.faultId, faultType: fault.type, pod: fault.pod, source: 'nezha-online-boutique' },
  };
  const id = faultAnomalyId(fault);
  const resolvedAt = fault.injectedAt + durationMs;
  return [
    { ...base, eventId: `${id}-open`, eventTime: fault.injectedAt, state: 'OPEN', detectedAt: fault.injectedAt },
    { ...base, eventId: `${id}-resolved`, eventTime: resolvedAt, state: 'RESOLVED', detectedAt: resolvedAt },
  ];
}
