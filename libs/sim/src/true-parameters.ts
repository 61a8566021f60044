import { SeededRandom, type AnomalyTypeParameters, type CarrierParameters, type CarrierTable, type Resources, type Vm } from '@foresight/core';

const SECOND = 1000;

function carrier(bias: number, delayMs: number, rest: Partial<Record<'bandwidth' | 'calls' | 'latencyP50' | 'latencyP99' | 'errorRate', number>> = {}): CarrierParameters {
  return { weights: [bias, rest.bandwidth ?? 0, rest.calls ?? 0, rest.latencyP50 ?? 0, rest.latencyP99 ?? 0, rest.errorRate ?? 0], delayMs };
}

/** How one anomaly type hurts a VM: the resources that cure it (at severity 1) and how long it lasts untreated. */
export interface TrueImpact {
  readonly need: Resources;
  /** Untreated degradation lasts base × (0.5 + severity) × lognormal(0, 0.3) minutes. */
  readonly baseDegradationMinutes: number;
}

/** Detection noise of the simulated monitoring. */
export interface DetectionNoise {
  /** Chance an affected VM never raises its own anomaly. */
  readonly missProbability: number;
  /** Detection delay = minDelayMs + Exponential(meanExtraDelayMs). */
  readonly minDelayMs: number;
  readonly meanExtraDelayMs: number;
  /** Standard deviation of the reported onset (eventTime) around the true onset. */
  readonly onsetJitterMs: number;
  /** Mean number of false alarms (Poisson) of the incident's type during its horizon. */
  readonly falseAlarmsPerIncident: number;
}

/** Effect of a grant on degradation (docs/simulation.md, impact model). */
export interface GrantEffect {
  /** Share of the degradation a fully sized grant in place before onset prevents. */
  readonly inTime: number;
  /** Share of the remaining degradation a fully sized late grant prevents. */
  readonly late: number;
}

/**
 * The hidden truth: per-type transmission (the same logistic family as the model, different coefficients and
 * delays), per-VM vulnerability offsets, impact, detection noise and grant effect.
 */
export interface TrueParameters {
  /** Same shape as the model's types; `grantSize` is unused (the truth's need is in `impact`). */
  readonly types: Readonly<Record<string, AnomalyTypeParameters>>;
  readonly impact: Readonly<Record<string, TrueImpact>>;
  /** Relative frequency of each type among incidents. */
  readonly typeMix: Readonly<Record<string, number>>;
  /** Per VM: additive log-odds of becoming anomalous once exposed (0 for most, large for fragile VMs). */
  readonly vulnerability: ReadonlyMap<string, number>;
  readonly detection: DetectionNoise;
  readonly grantEffect: GrantEffect;
  readonly horizonMs: number;
}

const ZERO = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };

/**
 * TRUE transmission. Compared with defaultModel(): the same carriers (so learning can reach the truth), mostly weaker
 * intercepts with stronger feature slopes (the default over-spreads to quiet edges and under-spreads to busy ones),
 * and delays 0.5×–1.5× the default's.
 */
export const TRUE_TYPES: Readonly<Record<string, AnomalyTypeParameters>> = {
  latency: {
    carriers: {
      API_CALL: { reverse: carrier(-7.0, 45 * SECOND, { calls: 11.0, latencyP99: 1.0 }) },
      NETWORK: { reverse: carrier(-7.0, 30 * SECOND, { bandwidth: 8.0 }) },
      CO_LOCATED: { forward: carrier(-6.0, 90 * SECOND) },
    },
    grantSize: ZERO,
  },
  error_rate: {
    carriers: { API_CALL: { reverse: carrier(-6.5, 15 * SECOND, { calls: 10.0, errorRate: 10.0 }) } },
    grantSize: ZERO,
  },
  cpu_saturation: {
    carriers: {
      CO_LOCATED: { forward: carrier(-5.0, 40 * SECOND) },
      API_CALL: { reverse: carrier(-8.0, 60 * SECOND, { calls: 10.0 }) },
    },
    grantSize: ZERO,
  },
  memory_pressure: {
    carriers: {
      CO_LOCATED: { forward: carrier(-5.5, 180 * SECOND) },
      API_CALL: { reverse: carrier(-8.5, 60 * SECOND, { calls: 10.0 }) },
    },
    grantSize: ZERO,
  },
  network_congestion: {
    carriers: {
      NETWORK: { forward: carrier(-6.0, 30 * SECOND, { bandwidth: 10.0 }), reverse: carrier(-7.0, 60 * SECOND, { bandwidth: 8.0 }) },
      CO_LOCATED: { forward: carrier(-5.5, 60 * SECOND) },
    },
    grantSize: ZERO,
  },
  disk_io: {
    carriers: {
      SHARED_STORAGE: { forward: carrier(-6.0, 120 * SECOND, { bandwidth: 11.0 }), reverse: carrier(-6.5, 120 * SECOND, { bandwidth: 11.0 }) },
      CO_LOCATED: { forward: carrier(-5.5, 60 * SECOND) },
    },
    grantSize: ZERO,
  },
};

/** What cures each type, at severity 1. The default grant sizes are under-sized for CPU and memory. */
const TRUE_IMPACT: Record<string, TrueImpact> = {
  latency: { need: { cpuMillis: 500, memoryMiB: 256, networkMbps: 50 }, baseDegradationMinutes: 8 },
  error_rate: { need: { cpuMillis: 250, memoryMiB: 256, networkMbps: 0 }, baseDegradationMinutes: 6 },
  cpu_saturation: { need: { cpuMillis: 1500, memoryMiB: 0, networkMbps: 0 }, baseDegradationMinutes: 12 },
  memory_pressure: { need: { cpuMillis: 0, memoryMiB: 1536, networkMbps: 0 }, baseDegradationMinutes: 15 },
  network_congestion: { need: { cpuMillis: 0, memoryMiB: 0, networkMbps: 250 }, baseDegradationMinutes: 8 },
  disk_io: { need: { cpuMillis: 500, memoryMiB: 512, networkMbps: 0 }, baseDegradationMinutes: 10 },
};

/** Relative frequency of each anomaly type among the default world's incidents. */
export const TRUE_TYPE_MIX: Readonly<Record<string, number>> = {
  latency: 0.25, error_rate: 0.15, cpu_saturation: 0.2, memory_pressure: 0.15, network_congestion: 0.15, disk_io: 0.1,
};

export const DEFAULT_DETECTION_NOISE: DetectionNoise = Object.freeze({
  missProbability: 0.1, minDelayMs: 10 * SECOND, meanExtraDelayMs: 35 * SECOND, onsetJitterMs: 5 * SECOND, falseAlarmsPerIncident: 0.4,
});

export const DEFAULT_GRANT_EFFECT: GrantEffect = Object.freeze({ inTime: 0.95, late: 0.6 });

/** Share of VMs that are fragile, and their log-odds offset range. */
const FRAGILE_SHARE = 0.08;
const FRAGILE_OFFSET: readonly [number, number] = [1.5, 3.0];
const ORDINARY_SD = 0.3;

/**
 * What may be changed of the truth, to ask how results depend on the world: the detection noise, the grant effect,
 * the horizon, `reach`, log-odds added to every true carrier's intercept (> 0: wider cascades; default 0), and for
 * world families the transmission itself and the type mix.
 */
export interface TruthOverrides extends Partial<Pick<TrueParameters, 'detection' | 'grantEffect' | 'horizonMs' | 'typeMix'>> {
  readonly reach?: number;
  readonly types?: Readonly<Record<string, AnomalyTypeParameters>>;
}

/** The default detection noise with both delay terms multiplied by `scale` (> 0): faster or slower monitoring. */
export function scaledDetection(scale: number): DetectionNoise {
  if (!(Number.isFinite(scale) && scale > 0)) throw new RangeError(`detection delay scale must be a positive number, got ${scale}`);
  const d = DEFAULT_DETECTION_NOISE;
  return { ...d, minDelayMs: d.minDelayMs * scale, meanExtraDelayMs: d.meanExtraDelayMs * scale };
}

function withReach(types: Readonly<Record<string, AnomalyTypeParameters>>, reach: number): Readonly<Record<string, AnomalyTypeParameters>> {
  if (!Number.isFinite(reach)) throw new RangeError(`reach must be a finite number of log-odds, got ${reach}`);
  if (reach === 0) return types;
  const shift = (c: CarrierParameters): CarrierParameters => ({ ...c, weights: c.weights.map((w, i) => (i === 0 ? w + reach : w)) });
  const shiftTable = (t: CarrierTable): CarrierTable => ({
    ...(t.forward === undefined ? {} : { forward: shift(t.forward) }), ...(t.reverse === undefined ? {} : { reverse: shift(t.reverse) }),
  });
  return Object.fromEntries(Object.entries(types).map(([type, p]) => [type, {
    ...p,
    carriers: Object.fromEntries(Object.entries(p.carriers).map(([kind, table]) => [kind, table === undefined ? table : shiftTable(table)])),
  }]));
}

/** The truth for a fleet: fixed per-type parameters, per-VM vulnerability drawn from the seed. */
export function trueParameters(vms: readonly Vm[], seed: number, overrides: TruthOverrides = {}): TrueParameters {
  const random = new SeededRandom(seed ^ 0x5eed);
  const vulnerability = new Map<string, number>();
  for (const vm of vms) {
    const offset = random.next() < FRAGILE_SHARE
      ? FRAGILE_OFFSET[0] + (FRAGILE_OFFSET[1] - FRAGILE_OFFSET[0]) * random.next()
      : ORDINARY_SD * random.normal();
    vulnerability.set(vm.id, offset);
  }
  return {
    types: withReach(overrides.types ?? TRUE_TYPES, overrides.reach ?? 0),
    impact: TRUE_IMPACT,
    typeMix: overrides.typeMix ?? TRUE_TYPE_MIX,
    vulnerability,
    detection: overrides.detection ?? DEFAULT_DETECTION_NOISE,
    grantEffect: overrides.grantEffect ?? DEFAULT_GRANT_EFFECT,
    horizonMs: overrides.horizonMs ?? 30 * 60 * SECOND,
  };
}
