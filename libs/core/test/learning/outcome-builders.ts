// Test support: small hand-built outcome records.
import type { ExposureOutcome, IncidentOutcome, InfectingEdge } from '../../src/learning/outcome.js';
import { carrierLogit, featureVector, sigmoid } from '../../src/model/transmission.js';
import { NEUTRAL_FEATURES } from '../../src/topology/pathway.js';

export const API_EDGE: InfectingEdge = {
  kind: 'API_CALL',
  direction: 'reverse',
  features: { ...NEUTRAL_FEATURES, callsPerSec: 100, latencyP99Ms: 200 },
  parentAffected: true,
  parentOnsetDelayMs: 0,
};

export function exposure(over: Partial<ExposureOutcome> = {}): ExposureOutcome {
  return { vmId: 'vm-a', anomalyType: 'latency', predictedProbability: 0.5, becameAnomalous: false, grantInPlace: false, edge: API_EDGE, ...over };
}

export function incident(id: string, exposures: readonly ExposureOutcome[], over: Partial<IncidentOutcome> = {}): IncidentOutcome {
  return { incidentId: id, onsetAt: 0, modelVersion: 1, exposures, ...over };
}

/** Recursively freezes a value so any mutation throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** An API_CALL edge from an affected parent with the given call rate (other features neutral). */
export function apiEdgeWithCalls(callsPerSec: number, direction: 'forward' | 'reverse' = 'reverse'): InfectingEdge {
  return { kind: 'API_CALL', direction, features: { ...NEUTRAL_FEATURES, callsPerSec }, parentAffected: true, parentOnsetDelayMs: 0 };
}

/** The chance a carrier with `weights` gives an API edge with the given call rate. */
export function apiChance(weights: readonly number[], callsPerSec: number): number {
  return sigmoid(carrierLogit({ weights, delayMs: 1 }, featureVector(apiEdgeWithCalls(callsPerSec).features)));
}
