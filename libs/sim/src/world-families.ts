import {
  defaultModel, logit, SeededRandom, type AnomalyTypeParameters, type CarrierParameters, type CarrierTable, type Direction, type PathwayKind,
} from '@foresight/core';
import { compileTruthGraph } from './truth-graph.js';
import type { FlowTelemetryOptions } from './telemetry.js';
import { generateTopology, type TopologyShape } from './topology-generator.js';
import { TRUE_TYPE_MIX, TRUE_TYPES, trueParameters, type DetectionNoise, type TrueParameters } from './true-parameters.js';
import type { World } from './world.js';

/**
 * The world families (docs/simulation.md and docs/evaluation.md, "World families"): structurally different fleets, truths and monitoring,
 * to judge the learner on more than the world it was shaped on. `platform` is held out entirely (WORLD_SPLITS).
 */
export const WORLD_FAMILY_NAMES = ['tiered', 'colocated', 'storage', 'mesh', 'sparse', 'broad-priors', 'platform'] as const;
export type WorldFamilyName = (typeof WORLD_FAMILY_NAMES)[number];

/** One seeded world of a family: the fleet, its hidden truth and how its flows are monitored. */
export interface WorldFamily {
  readonly family: WorldFamilyName;
  readonly seed: number;
  readonly world: World;
  readonly truth: TrueParameters;
  /** The monitoring's flow windows, noise and never-observed share (flowEvents options; seed and until are the caller's). */
  readonly telemetry: Pick<FlowTelemetryOptions, 'windows' | 'noise' | 'dropRate'>;
}

/** How a family differs from `tiered`, for the CLI and the docs. */
export interface WorldFamilyTraits {
  readonly structure: string;
  readonly hops: 'default' | 'fast' | 'slow' | 'drawn 5–60 s';
  /** How incidents spread over the types: `concentrated` makes a few types frequent and the rest rare. */
  readonly typeMix: 'default' | 'concentrated' | 'flat' | 'drawn';
  readonly monitoring: 'default' | 'sparse';
}

export const WORLD_FAMILY_TRAITS: Readonly<Record<WorldFamilyName, WorldFamilyTraits>> = {
  tiered: { structure: 'the default generator and truth (the world the learner was shaped on)', hops: 'default', typeMix: 'default', monitoring: 'default' },
  colocated: { structure: 'hosts 4x larger (about 4x the VMs per host); co-location carries most contention', hops: 'fast', typeMix: 'concentrated', monitoring: 'default' },
  storage: { structure: 'every VM in a cross-system storage pool of 16; disk I/O is the commonest type', hops: 'slow', typeMix: 'concentrated', monitoring: 'default' },
  mesh: { structure: 'services call 4 random peers fleet-wide, every call has a flow, 2 extra flows per VM', hops: 'fast', typeMix: 'concentrated', monitoring: 'default' },
  sparse: { structure: 'tiered fleet seen through sparse monitoring: 1 flow window, 25% of pathways never seen, 35% of anomalies missed, slow detection', hops: 'default', typeMix: 'flat', monitoring: 'sparse' },
  'broad-priors': { structure: 'tiered fleet; carriers drawn per seed: null and opposite-sign slopes, dropped and unmodelled carriers', hops: 'drawn 5–60 s', typeMix: 'drawn', monitoring: 'default' },
  platform: { structure: 'three fleet-wide platform services called by 60% of API and worker services (held out)', hops: 'default', typeMix: 'default', monitoring: 'default' },
};

/** A world named by family and seed, as `family@seed`. */
export interface WorldSpec {
  readonly family: WorldFamilyName;
  readonly seed: number;
}

/**
 * Held-out discipline (docs/evaluation.md, "World families"): tune only on `tuning` (seeds 1–2 of every family but
 * `platform`); `held-out` is seeds 101–102 of every family, `platform` included. Seeds from HELD_OUT_SEED_FROM up and
 * every `platform` world are held out whatever the list they are named in.
 */
export const HELD_OUT_FAMILIES: readonly WorldFamilyName[] = ['platform'];
export const HELD_OUT_SEED_FROM = 100;
export const WORLD_SPLITS: Readonly<Record<'tuning' | 'held-out', readonly WorldSpec[]>> = {
  tuning: WORLD_FAMILY_NAMES.filter((f) => !HELD_OUT_FAMILIES.includes(f)).flatMap((family) => [1, 2].map((seed) => ({ family, seed }))),
  'held-out': WORLD_FAMILY_NAMES.flatMap((family) => [101, 102].map((seed) => ({ family, seed }))),
};

/** True when results on this world must not steer tuning. */
export function isHeldOut(spec: WorldSpec): boolean {
  return HELD_OUT_FAMILIES.includes(spec.family) || spec.seed >= HELD_OUT_SEED_FROM;
}

type Types = Readonly<Record<string, AnomalyTypeParameters>>;
type CarrierMap = (carrier: CarrierParameters, type: string, kind: PathwayKind, direction: Direction) => CarrierParameters;

function mapCarriers(types: Types, f: CarrierMap): Types {
  const table = (type: string, kind: PathwayKind, t: CarrierTable): CarrierTable => ({
    ...(t.forward === undefined ? {} : { forward: f(t.forward, type, kind, 'forward') }),
    ...(t.reverse === undefined ? {} : { reverse: f(t.reverse, type, kind, 'reverse') }),
  });
  return Object.fromEntries(Object.entries(types).map(([type, p]) => [type, {
    ...p, carriers: Object.fromEntries(Object.entries(p.carriers).map(([kind, t]) => [kind, t === undefined ? t : table(type, kind as PathwayKind, t)])),
  }]));
}

const withBias = (c: CarrierParameters, bias: number): CarrierParameters => ({ ...c, weights: c.weights.map((w, i) => (i === 0 ? bias : w)) });
const shifted = (c: CarrierParameters, by: number): CarrierParameters => withBias(c, c.weights[0] + by);
const delayed = (c: CarrierParameters, factor: number): CarrierParameters => ({ ...c, delayMs: c.delayMs * factor });
const normalised = (mix: Readonly<Record<string, number>>): Record<string, number> => {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(mix).map(([t, w]) => [t, w / total]));
};

/** Mean number of co-tenants of a VM (the other VMs on its host). */
function meanCoTenants(world: World): number {
  const perHost = new Map<string, number>();
  for (const vm of world.vms) perHost.set(vm.hostId, (perHost.get(vm.hostId) ?? 0) + 1);
  let pairs = 0;
  for (const n of perHost.values()) pairs += n * (n - 1);
  return pairs / Math.max(1, world.vms.length);
}

// Expected VMs one anomalous VM passes each type to over co-location, in `colocated`.
// (before vulnerability, which adds about 70% on average through the fragile VMs).
const COLOCATED_CHILDREN: Readonly<Record<string, number>> = {
  cpu_saturation: 0.3, memory_pressure: 0.25, network_congestion: 0.15, disk_io: 0.12, latency: 0.12,
};

const SPARSE_DETECTION: DetectionNoise = Object.freeze({
  missProbability: 0.35, minDelayMs: 20_000, meanExtraDelayMs: 70_000, onsetJitterMs: 15_000, falseAlarmsPerIncident: 1.0,
});

/**
 * Broad priors and the mesh keep each type's mean branching (expected VMs infected by one anomalous VM) inside this
 * range: subcritical cascades, as in `tiered` (0.17–0.70).
 */
const BRANCHING_RANGE: readonly [number, number] = [0.15, 0.6];

/** Mean over VMs of the expected number of VMs one anomalous VM passes `type` to (sum of its out-edges' probabilities). */
export function meanBranching(world: World, truth: TrueParameters, type: string): number {
  const g = compileTruthGraph(world, truth, type);
  let sum = 0;
  for (let e = 0; e < g.probability.length; e++) sum += g.probability[e];
  return sum / Math.max(1, g.vmIds.length);
}

/**
 * Broad priors: per seed, each type keeps the default model's carriers (each dropped with chance 0.15, at least one
 * kept) and may gain one the model lacks (chance 0.3); every slope is null with chance 0.35, else of size U(2, 12)
 * with the default's sign flipped with chance 0.35 (either sign where the default has none); intercepts U(-7, -3),
 * then shifted so each type's mean branching lies in BRANCHING_RANGE; delays log-uniform 5–60 s; the type mix Exp(1)
 * weights (some types rare).
 */
function broadPriorTruth(world: World, seed: number): TrueParameters {
  const random = new SeededRandom(Math.imul(seed, 0x2545f491) ^ 0xb40ad);
  const model = defaultModel().types;
  const generic = model['generic'];
  const kinds: readonly PathwayKind[] = ['API_CALL', 'NETWORK', 'SHARED_STORAGE', 'CO_LOCATED'];
  const drawCarrier = (prior: CarrierParameters | undefined): CarrierParameters => {
    const weights = [-7 + 4 * random.next()];
    for (let i = 1; i < 6; i++) {
      if (random.next() < 0.35) {
        weights.push(0);
        continue;
      }
      const assumed = prior?.weights[i] ?? 0;
      const sign = assumed > 0 ? (random.next() < 0.35 ? -1 : 1) : random.next() < 0.5 ? -1 : 1;
      weights.push(sign * (2 + 10 * random.next()));
    }
    return { weights, delayMs: 5_000 * Math.pow(12, random.next()) };
  };
  const types: Record<string, AnomalyTypeParameters> = {};
  const mix: Record<string, number> = {};
  for (const type of Object.keys(TRUE_TYPES)) {
    const assumed = model[type];
    const slots: { kind: PathwayKind; direction: Direction; prior?: CarrierParameters }[] = [];
    for (const kind of kinds) {
      for (const direction of ['forward', 'reverse'] as const) {
        const prior = assumed.carriers[kind]?.[direction];
        if (prior !== undefined) slots.push({ kind, direction, prior });
      }
    }
    const kept = slots.filter(() => random.next() >= 0.15);
    if (kept.length === 0) kept.push(slots[random.int(slots.length)]);
    if (random.next() < 0.3) {
      const missing = kinds.flatMap((kind) => (['forward', 'reverse'] as const).map((direction) => ({ kind, direction })))
        .filter((s) => generic.carriers[s.kind]?.[s.direction] !== undefined && !slots.some((x) => x.kind === s.kind && x.direction === s.direction));
      if (missing.length > 0) kept.push(missing[random.int(missing.length)]);
    }
    const carriers: Partial<Record<PathwayKind, { forward?: CarrierParameters; reverse?: CarrierParameters }>> = {};
    for (const slot of kept) {
      // NOTE: co-location has no features (neutral): only its intercept and delay matter.
      (carriers[slot.kind] ??= {})[slot.direction] = drawCarrier(slot.prior);
    }
    types[type] = { carriers, grantSize: TRUE_TYPES[type].grantSize };
    mix[type] = random.exponential(1);
  }
  return calibrateBranching(world, trueParameters(world.vms, seed, { types, typeMix: normalised(mix) }));
}

/** Shifts every intercept of each type (bisection on the shift) until its mean branching lies in BRANCHING_RANGE. */
function calibrateBranching(world: World, truth: TrueParameters): TrueParameters {
  let out = truth;
  for (const type of Object.keys(truth.types)) out = calibrateType(world, out, type);
  return out;
}

function calibrateType(world: World, truth: TrueParameters, type: string): TrueParameters {
  const at = (by: number): TrueParameters => ({ ...truth, types: { ...truth.types, [type]: mapCarriers({ [type]: truth.types[type] }, (c) => shifted(c, by))[type] } });
  const r0 = meanBranching(world, truth, type);
  if (r0 >= BRANCHING_RANGE[0] && r0 <= BRANCHING_RANGE[1]) return truth;
  const goal = r0 > BRANCHING_RANGE[1] ? BRANCHING_RANGE[1] : BRANCHING_RANGE[0];
  let lo = -12;
  let hi = 12;
  for (let k = 0; k < 30; k++) {
    const mid = (lo + hi) / 2;
    if (meanBranching(world, at(mid), type) > goal) hi = mid;
    else lo = mid;
  }
  return at((lo + hi) / 2);
}

const DEFAULT_TELEMETRY: WorldFamily['telemetry'] = Object.freeze({});

/**
 * One world of a family, deterministic in (family, vms, seed). `tiered` is exactly the default world of
 * `foresight eval` (generateTopology, trueParameters, default monitoring) for the same seed.
 */
export function worldFamily(family: WorldFamilyName, options: { readonly vms?: number; readonly seed: number }): WorldFamily {
  const { seed } = options;
  const topology = (shape: Partial<TopologyShape> = {}): World => generateTopology({ vms: options.vms, seed, shape });
  const make = (world: World, truth: TrueParameters, telemetry = DEFAULT_TELEMETRY): WorldFamily => ({ family, seed, world, truth, telemetry });
  switch (family) {
    case 'tiered': {
      const world = generateTopology({ vms: options.vms, seed });
      return make(world, trueParameters(world.vms, seed));
    }
    case 'colocated': {
      const world = topology({ hostCapacity: { cpuMillis: 192_000, memoryMiB: 786_432, networkMbps: 100_000 }, hostFill: 0.85 });
      const coTenants = meanCoTenants(world);
      const types = mapCarriers(TRUE_TYPES, (c, type, kind) => {
        if (kind !== 'CO_LOCATED') return kind === 'API_CALL' ? shifted(c, -1) : c;
        const children = COLOCATED_CHILDREN[type] ?? 0.2;
        return delayed(withBias(c, logit(Math.min(0.5, children / Math.max(1, coTenants)))), 0.3);
      });
      const typeMix = { cpu_saturation: 0.35, memory_pressure: 0.25, latency: 0.15, network_congestion: 0.1, disk_io: 0.1, error_rate: 0.05 };
      return make(world, trueParameters(world.vms, seed, { types, typeMix }));
    }
    case 'storage': {
      const world = topology({ storagePoolSize: 16, storagePoolShare: 1 });
      const types = mapCarriers(TRUE_TYPES, (c) => delayed(c, 2));
      const typeMix = { disk_io: 0.4, latency: 0.2, cpu_saturation: 0.1, memory_pressure: 0.1, network_congestion: 0.1, error_rate: 0.1 };
      return make(world, trueParameters(world.vms, seed, { types, typeMix }));
    }
    case 'mesh': {
      const world = topology({ meshPeers: 4, networkTransportShare: 1, meshFlowsPerVm: 2 });
      // The default truth on a mesh is supercritical (80 affected VMs per incident): calibrated back to subcritical.
      const types = mapCarriers(TRUE_TYPES, (c) => delayed(c, 0.5));
      const typeMix = { network_congestion: 0.35, latency: 0.3, error_rate: 0.15, cpu_saturation: 0.1, memory_pressure: 0.05, disk_io: 0.05 };
      return make(world, calibrateBranching(world, trueParameters(world.vms, seed, { types, typeMix })));
    }
    case 'sparse': {
      const world = generateTopology({ vms: options.vms, seed });
      const typeMix = Object.fromEntries(Object.keys(TRUE_TYPE_MIX).map((t) => [t, 1 / 6]));
      return make(world, trueParameters(world.vms, seed, { typeMix, detection: SPARSE_DETECTION }), { windows: 1, dropRate: 0.25, noise: 0.6 });
    }
    case 'broad-priors': {
      const world = generateTopology({ vms: options.vms, seed });
      return make(world, broadPriorTruth(world, seed));
    }
    case 'platform': {
      const world = topology({ platformServices: 3, platformCallShare: 0.6 });
      return make(world, trueParameters(world.vms, seed));
    }
  }
}
