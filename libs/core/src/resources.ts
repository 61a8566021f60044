import { ForesightError } from './errors.js';

/** An amount of the three resources Foresight grants. */
export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly networkMbps: number;
}

export const RESOURCE_KEYS = ['cpuMillis', 'memoryMiB', 'networkMbps'] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

export const ZERO_RESOURCES: Resources = Object.freeze({ cpuMillis: 0, memoryMiB: 0, networkMbps: 0 });

export function addResources(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB, networkMbps: a.networkMbps + b.networkMbps };
}

export function subtractResources(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis - b.cpuMillis, memoryMiB: a.memoryMiB - b.memoryMiB, networkMbps: a.networkMbps - b.networkMbps };
}

export function minResources(a: Resources, b: Resources): Resources {
  return {
    cpuMillis: Math.min(a.cpuMillis, b.cpuMillis),
    memoryMiB: Math.min(a.memoryMiB, b.memoryMiB),
    networkMbps: Math.min(a.networkMbps, b.networkMbps),
  };
}

export function scaleResources(a: Resources, factor: number): Resources {
  return { cpuMillis: a.cpuMillis * factor, memoryMiB: a.memoryMiB * factor, networkMbps: a.networkMbps * factor };
}

/** True when every component of `a` is ≤ the same component of `b` (with a tiny tolerance for float sums). */
export function fitsWithin(a: Resources, b: Resources, epsilon = 1e-9): boolean {
  return a.cpuMillis <= b.cpuMillis + epsilon && a.memoryMiB <= b.memoryMiB + epsilon && a.networkMbps <= b.networkMbps + epsilon;
}

export function isZeroResources(a: Resources): boolean {
  return a.cpuMillis === 0 && a.memoryMiB === 0 && a.networkMbps === 0;
}

/** Throws INVALID_RESOURCES unless every component is a finite, non-negative number. */
export function assertResources(value: Resources, what: string): void {
  for (const key of RESOURCE_KEYS) {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ForesightError('INVALID_RESOURCES', `${what}.${key} must be a finite number ≥ 0, got ${String(v)}`);
    }
  }
}
