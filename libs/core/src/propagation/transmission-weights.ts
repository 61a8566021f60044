import { GENERIC_ANOMALY_TYPE, normaliseAnomalyType } from '../model/anomaly-type.js';
import type { AnomalyTypeParameters, CarrierParameters, ModelParameters } from '../model/model-parameters.js';
import { carrierFor, FEATURE_COUNT, featureVector, hopProbability, typeParameters, vulnerabilityOffset } from '../model/transmission.js';
import { NEUTRAL_FEATURES, PATHWAY_KINDS, type PathwayFeatures } from '../topology/pathway.js';
import { CO_LOCATED_KIND_INDEX, type TopologySnapshot } from '../topology/topology-snapshot.js';

/**
 * Per-edge transmission of one anomaly type over one snapshot, as costs: cost = −log p of traversing the edge
 * forward (source → target) or in reverse (target → source); +Infinity when the type does not travel that way.
 * Delays are the carrier's mean hop delay (0 on hub→VM edges, whose delay is counted on the VM→hub edge).
 */
export interface TransmissionWeights {
  /** The model type whose parameters were used ('generic' for types the model has not seen). */
  readonly resolvedType: string;
  readonly forwardCost: Float64Array;
  readonly reverseCost: Float64Array;
  /** reverseCost laid out in reverse-CSR order (reverseCostIn[i] = reverseCost[inEdges[i]]), for sequential reads. */
  readonly reverseCostIn: Float64Array;
  readonly forwardDelayMs: Float32Array;
  readonly reverseDelayMs: Float32Array;
}

// snapshot → model → type parameters → weights. Unseen types share `generic`'s entry; everything is collected
// with the snapshot or the model (both are immutable values).
const cache = new WeakMap<TopologySnapshot, WeakMap<ModelParameters, WeakMap<AnomalyTypeParameters, TransmissionWeights>>>();

/** Transmission weights of (snapshot, model, anomaly type), memoised per (snapshot, model object, type parameters). */
export function transmissionWeights(snapshot: TopologySnapshot, model: ModelParameters, anomalyType: string): TransmissionWeights {
  const params = typeParameters(model, anomalyType);
  let byModel = cache.get(snapshot);
  if (byModel === undefined) cache.set(snapshot, (byModel = new WeakMap()));
  let byType = byModel.get(model);
  if (byType === undefined) byModel.set(model, (byType = new WeakMap()));
  let weights = byType.get(params);
  if (weights === undefined) {
    const normalised = normaliseAnomalyType(anomalyType);
    const resolvedType = model.types[normalised] === params ? normalised : GENERIC_ANOMALY_TYPE;
    weights = computeWeights(snapshot, model, params, resolvedType);
    byType.set(params, weights);
  }
  return weights;
}

/**
 * The CO_LOCATED carrier. Co-location is symmetric, so one direction describes it: forward, or reverse when a
 * model only defines that one.
 */
export function coLocatedCarrier(params: AnomalyTypeParameters): CarrierParameters | undefined {
  return carrierFor(params, 'CO_LOCATED', 'forward') ?? carrierFor(params, 'CO_LOCATED', 'reverse');
}

function computeWeights(snapshot: TopologySnapshot, model: ModelParameters, params: AnomalyTypeParameters, resolvedType: string): TransmissionWeights {
  const { vmCount, nodeCount, edgeCount, outOffsets, outTargets, edgeKind } = snapshot;
  const forwardCost = new Float64Array(edgeCount).fill(Infinity);
  const reverseCost = new Float64Array(edgeCount).fill(Infinity);
  const forwardDelayMs = new Float32Array(edgeCount);
  const reverseDelayMs = new Float32Array(edgeCount);

  const offset = new Float64Array(vmCount);
  const ids = snapshot.vmIds();
  for (let v = 0; v < vmCount; v++) offset[v] = vulnerabilityOffset(model, ids[v]);

  const forwardCarrier = PATHWAY_KINDS.map((kind) => carrierFor(params, kind, 'forward'));
  const reverseCarrier = PATHWAY_KINDS.map((kind) => carrierFor(params, kind, 'reverse'));
  const coLocated = coLocatedCarrier(params);

  // Host hubs. The CO_LOCATED pair probability a→b is q(b) = hopProbability(carrier, neutral, offset(b)): it depends
  // on the target only. The hop a→b is split into a→hub with probability P(h) = max over b on host h of q(b), and
  // hub→b with probability q(b)/P(h) ≤ 1, so every two-hop product equals q(b) exactly and all costs stay ≥ 0.
  const hubEntryCost = new Float64Array(nodeCount - vmCount).fill(Infinity);
  const pairProbability = new Float64Array(vmCount);
  const hubMax = new Float64Array(nodeCount - vmCount);
  if (coLocated !== undefined) {
    const neutral = featureVector(NEUTRAL_FEATURES);
    for (let v = 0; v < vmCount; v++) {
      const q = hopProbability(coLocated, neutral, offset[v]);
      pairProbability[v] = q;
      const h = snapshot.hubOfVm[v] - vmCount;
      if (q > hubMax[h]) hubMax[h] = q;
    }
    for (let h = 0; h < hubMax.length; h++) hubEntryCost[h] = -Math.log(hubMax[h]);
  }

  const x = new Float64Array(FEATURE_COUNT);
  const features = { bandwidthMbps: 0, callsPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0, errorRate: 0, lastSeenAt: 0 } satisfies PathwayFeatures;
  for (let u = 0; u < nodeCount; u++) {
    for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) {
      const v = outTargets[e];
      const kind = edgeKind[e];
      if (kind === CO_LOCATED_KIND_INDEX) {
        if (coLocated === undefined) continue;
        if (u < vmCount) {
          forwardCost[e] = hubEntryCost[v - vmCount]!;
          forwardDelayMs[e] = coLocated.delayMs;
        } else {
          const max = hubMax[u - vmCount];
          if (max > 0) forwardCost[e] = -Math.log(Math.min(pairProbability[v] / max, 1));
        }
        continue;
      }
      const fc = forwardCarrier[kind];
      const rc = reverseCarrier[kind];
      if (fc === undefined && rc === undefined) continue;
      features.bandwidthMbps = snapshot.bandwidthMbps[e]!;
      features.callsPerSec = snapshot.callsPerSec[e]!;
      features.latencyP50Ms = snapshot.latencyP50Ms[e]!;
      features.latencyP99Ms = snapshot.latencyP99Ms[e]!;
      features.errorRate = snapshot.errorRate[e]!;
      featureVector(features, x);
      if (fc !== undefined) {
        forwardCost[e] = -Math.log(hopProbability(fc, x, offset[v]));
        forwardDelayMs[e] = fc.delayMs;
      }
      if (rc !== undefined) {
        reverseCost[e] = -Math.log(hopProbability(rc, x, offset[u]));
        reverseDelayMs[e] = rc.delayMs;
      }
    }
  }
  const reverseCostIn = new Float64Array(edgeCount);
  for (let i = 0; i < edgeCount; i++) reverseCostIn[i] = reverseCost[snapshot.inEdges[i]];
  return { resolvedType, forwardCost, reverseCost, reverseCostIn, forwardDelayMs, reverseDelayMs };
}
