import { ForesightError } from '../errors.js';
import type { ModelParameters } from '../model/model-parameters.js';
import { typeParameters } from '../model/transmission.js';
import { RESOURCE_KEYS, ZERO_RESOURCES, assertResources, type Resources } from '../resources.js';

const UNIT_EPSILON = 1e-9;

/** Rounds down to whole units (millicores, MiB, Mbps), forgiving float noise just below an integer. */
export function wholeUnits(value: number): number {
  return Math.max(0, Math.floor(value + UNIT_EPSILON));
}

/** The type's grant size at severity 1 (model `generic` for unknown types); INVALID_PARAMETERS if the model has neither. */
export function grantSizeAtFullSeverity(model: ModelParameters, anomalyType: string): Resources {
  let size: Resources;
  try {
    size = typeParameters(model, anomalyType).grantSize;
  } catch (cause) {
    throw new ForesightError('INVALID_PARAMETERS', `no grant size for anomaly type '${anomalyType}': ${(cause as Error).message}`, { cause });
  }
  assertResources(size, `model type '${anomalyType}' grantSize`);
  return size;
}

/**
 * The size a lease should have: grantSize(type) × severity × f(probability), clamped to the VM's cap, in whole
 * units. f is a step: 1 once the (incident, VM) is eligible (probability ≥ grantThreshold for a new lease,
 * ≥ releaseThreshold to keep one), 0 otherwise, so eligibility is decided by the caller and not repeated here.
 * NOTE: a grant is insurance sized for the anomaly if it arrives; probability ranks grants, it does not size them
 * (sizing by probability would resize every lease as the score wobbles inside the hysteresis band).
 */
export function grantTarget(grantSize: Resources, severity: number, cap: Resources): Resources {
  if (severity <= 0) return ZERO_RESOURCES;
  const out = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
  for (const key of RESOURCE_KEYS) {
    if (grantSize[key] > 0) out[key] = wholeUnits(Math.min(grantSize[key] * severity, cap[key]));
  }
  return out;
}

/** The smallest granted/target ratio over the resources the target needs (1 when it needs none). */
export function grantedFraction(granted: Resources, target: Resources): number {
  let fraction = 1;
  for (const key of RESOURCE_KEYS) {
    if (target[key] > 0) fraction = Math.min(fraction, granted[key] / target[key]);
  }
  return fraction;
}

/** True when `next` differs from `current` by more than `tolerance` relative to the larger of the two. */
export function isSignificantChange(current: number, next: number, tolerance: number): boolean {
  return Math.abs(next - current) > tolerance * Math.max(current, next);
}
