import type { EntityIdentity } from './entity-identity.js';

/** What the built-in detector watches; each is also the anomaly type it reports (the model's well-known types). */
export type DetectorSignal = 'latency' | 'error_rate' | 'cpu_saturation' | 'memory_pressure' | 'network_congestion';

export const DETECTOR_SIGNALS: readonly DetectorSignal[] = Object.freeze(['latency', 'error_rate', 'cpu_saturation', 'memory_pressure', 'network_congestion']);

/** An anomaly opened or resolved by the detector, at one level (a VM, a group or a system). */
export interface DetectedAnomaly {
  readonly level: 'COMPONENT' | 'GROUP' | 'SYSTEM';
  readonly systemId: string;
  /** The VM, group or system id, by level. */
  readonly subjectId: string;
  readonly anomalyType: DetectorSignal;
  readonly state: 'OPEN' | 'RESOLVED';
  /** 0..1. */
  readonly severity: number;
  /** Event time: the end of the window (or the metric point) that decided it. */
  readonly atMs: number;
  readonly attributes: Readonly<Record<string, string>>;
}

/** One utilisation reading of a VM (0..1 and more: a share of its capacity), at event time. */
export interface UtilisationPoint {
  readonly identity: EntityIdentity;
  readonly signal: 'cpu_saturation' | 'memory_pressure' | 'network_congestion';
  readonly value: number;
  readonly timeMs: number;
}

/**
 * The utilisation metrics the gateway reads (semantic conventions and the Collector's hostmetrics, kubeletstats and
 * docker_stats receivers), as shares of capacity. Points carrying a state attribute are combined: CPU sums the
 * non-idle states over the CPUs reported, memory takes the `used` state; points without one take the highest value.
 */
export const UTILISATION_METRICS: Readonly<Record<string, UtilisationPoint['signal']>> = Object.freeze({
  'system.cpu.utilization': 'cpu_saturation',
  'process.cpu.utilization': 'cpu_saturation',
  'container.cpu.utilization': 'cpu_saturation',
  'k8s.pod.cpu.utilization': 'cpu_saturation',
  'k8s.pod.cpu_limit_utilization': 'cpu_saturation',
  'k8s.container.cpu_limit_utilization': 'cpu_saturation',
  'system.memory.utilization': 'memory_pressure',
  'process.memory.utilization': 'memory_pressure',
  'k8s.pod.memory_limit_utilization': 'memory_pressure',
  'k8s.container.memory_limit_utilization': 'memory_pressure',
});

/** State attributes of utilisation points, and the states that are not use. */
const STATE_ATTRIBUTES = ['state', 'system.cpu.state', 'cpu.mode', 'system.memory.state'] as const;
const CPU_ATTRIBUTES = ['cpu', 'cpu.logical_number', 'system.cpu.logical_number'] as const;
const IDLE_STATES = new Set(['idle', 'wait', 'steal']);

/** One data point of a utilisation metric, its attributes readable. */
export interface UtilisationReading {
  readonly signal: UtilisationPoint['signal'];
  readonly value: number;
  readonly attribute: (key: string) => string | undefined;
}

/**
 * The utilisation of one VM at one time from the data points of one metric: CPU points with a state sum their
 * non-idle states divided by the CPUs named (1 when none), memory points with a state take `used`, points without a
 * state the highest value. Undefined when no point counts (only idle states, say).
 */
export function combineUtilisation(readings: readonly UtilisationReading[]): number | undefined {
  let stateless: number | undefined;
  let used = 0;
  let withState = 0;
  const cpus = new Set<string>();
  for (const r of readings) {
    if (!Number.isFinite(r.value)) continue;
    const state = STATE_ATTRIBUTES.map((k) => r.attribute(k)).find((v) => v !== undefined && v !== '');
    if (state === undefined) {
      stateless = Math.max(stateless ?? Number.NEGATIVE_INFINITY, r.value);
      continue;
    }
    withState += 1;
    cpus.add(CPU_ATTRIBUTES.map((k) => r.attribute(k)).find((v) => v !== undefined) ?? '');
    if (r.signal === 'cpu_saturation' ? !IDLE_STATES.has(state) : state === 'used') used += r.value;
  }
  if (withState > 0) return used / Math.max(1, cpus.size);
  return stateless;
}
