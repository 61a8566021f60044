// Test support: independent cascades over random trees, generated from known transmission parameters and turned
// into outcome records. Plain arrays only: no snapshot or propagation code.
import type { IncidentOutcome, ExposureOutcome } from '../../src/learning/outcome.js';
import type { CarrierParameters, ModelParameters } from '../../src/model/model-parameters.js';
import { carrierFor, featureVector, hopProbability, typeParameters, vulnerabilityOffset } from '../../src/model/transmission.js';
import { type SeededRandom } from '../../src/seeded-random.js';
import type { Direction, PathwayFeatures, PathwayKind } from '../../src/topology/pathway.js';

/** A transmission arc: the anomaly would travel parent → child along a pathway of `kind`, taken in `direction`. */
export interface SimArc {
  readonly parent: string;
  readonly child: string;
  readonly kind: PathwayKind;
  readonly direction: Direction;
  readonly features: PathwayFeatures;
}

export interface CarrierChoice {
  readonly kind: PathwayKind;
  readonly direction: Direction;
}

const LOG_SCALE = Math.log1p(10_000);

/** Features whose log-scaled entries are uniform on [0, 1] (errorRate uniform on [0, 0.3]); CO_LOCATED is featureless. */
export function randomFeatures(rng: SeededRandom, kind: PathwayKind): PathwayFeatures {
  if (kind === 'CO_LOCATED') return { bandwidthMbps: 0, callsPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0, errorRate: 0, lastSeenAt: 0 };
  const scaled = (): number => Math.expm1(rng.next() * LOG_SCALE);
  const latencyP50Ms = scaled();
  return {
    bandwidthMbps: scaled(),
    callsPerSec: scaled(),
    latencyP50Ms,
    latencyP99Ms: Math.min(latencyP50Ms * (1 + 20 * rng.next()) + 1, 10_000),
    errorRate: 0.3 * rng.next(),
    lastSeenAt: 0,
  };
}

/** A random recursive tree over `size` distinct VMs of the pool (biased toward early nodes, so cascades branch). */
export function randomTree(rng: SeededRandom, pool: readonly string[], size: number, carriers: readonly CarrierChoice[]): { root: string; arcs: SimArc[] } {
  const chosen = new Set<string>();
  while (chosen.size < Math.min(size, pool.length)) chosen.add(pool[rng.int(pool.length)]);
  const nodes = [...chosen];
  const arcs: SimArc[] = [];
  for (let i = 1; i < nodes.length; i++) {
    const parent = nodes[Math.floor(i * rng.next() ** 2)];
    const c = carriers[rng.int(carriers.length)];
    arcs.push({ parent, child: nodes[i], kind: c.kind, direction: c.direction, features: randomFeatures(rng, c.kind) });
  }
  return { root: nodes[0], arcs };
}

function carrierOf(model: ModelParameters, anomalyType: string, arc: SimArc): CarrierParameters {
  const c = carrierFor(typeParameters(model, anomalyType), arc.kind, arc.direction);
  if (c === undefined) throw new Error(`no carrier for ${arc.kind}/${arc.direction}`);
  return c;
}

export interface CascadeOptions {
  readonly incidentId: string;
  readonly anomalyType: string;
  /** The parameters cascades are generated with. */
  readonly truth: ModelParameters;
  /** The model that "predicted" (its hop probability becomes predictedProbability and drives grantInPlace). */
  readonly predictor: ModelParameters;
}

/**
 * One independent cascade from the root: each arc from an affected parent transmits once with the truth's hop
 * probability, after an exponential delay with the truth's mean. Every child of the tree is an exposure; those whose
 * parent stayed healthy carry parentAffected = false.
 */
export function simulateCascade(rng: SeededRandom, tree: { root: string; arcs: readonly SimArc[] }, options: CascadeOptions): IncidentOutcome {
  const onset = new Map<string, number>([[tree.root, 0]]);
  const exposures: ExposureOutcome[] = [];
  for (const arc of tree.arcs) {
    const parentOnset = onset.get(arc.parent);
    const x = featureVector(arc.features);
    const predicted = hopProbability(carrierOf(options.predictor, options.anomalyType, arc), x, vulnerabilityOffset(options.predictor, arc.child));
    const edge = { kind: arc.kind, direction: arc.direction, features: arc.features, parentVmId: arc.parent };
    if (parentOnset === undefined) {
      exposures.push({ vmId: arc.child, anomalyType: options.anomalyType, predictedProbability: predicted, becameAnomalous: false, grantInPlace: false, edge: { ...edge, parentAffected: false } });
      continue;
    }
    const truth = carrierOf(options.truth, options.anomalyType, arc);
    const affected = rng.next() < hopProbability(truth, x, vulnerabilityOffset(options.truth, arc.child));
    const delay = affected ? rng.exponential(truth.delayMs) : undefined;
    if (delay !== undefined) onset.set(arc.child, parentOnset + delay);
    exposures.push({
      vmId: arc.child,
      anomalyType: options.anomalyType,
      predictedProbability: predicted,
      becameAnomalous: affected,
      ...(delay === undefined ? {} : { onsetDelayMs: parentOnset + delay }),
      grantInPlace: predicted >= options.predictor.grantThreshold,
      degradedMinutes: affected ? 3 : 0,
      edge: { ...edge, parentAffected: true, parentOnsetDelayMs: parentOnset },
    });
  }
  return { incidentId: options.incidentId, onsetAt: 0, modelVersion: options.predictor.version, exposures };
}

/** A model like `base` with the given carriers replaced for one type. */
export function withCarriers(base: ModelParameters, anomalyType: string, carriers: readonly (CarrierChoice & CarrierParameters)[]): ModelParameters {
  const type = base.types[anomalyType];
  const table: Record<string, Record<string, CarrierParameters>> = {};
  for (const [kind, t] of Object.entries(type.carriers)) table[kind] = { ...t };
  for (const c of carriers) table[c.kind] = { ...table[c.kind], [c.direction]: { weights: c.weights, delayMs: c.delayMs } };
  return { ...base, types: { ...base.types, [anomalyType]: { ...type, carriers: table } } };
}
