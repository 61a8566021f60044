// Small random topologies and models for property tests, and brute-force references computed from the raw
// VMs / pathways (not from the snapshot), so the snapshot, hub encoding and search are all under test.
import fc from 'fast-check';
import type { AnomalyTypeParameters, CarrierParameters, CarrierTable, ModelParameters } from '../../src/model/model-parameters.js';
import { defaultModel } from '../../src/model/default-model.js';
import { carrierFor, featureVector, hopProbability, typeParameters, vulnerabilityOffset } from '../../src/model/transmission.js';
import { NEUTRAL_FEATURES, OBSERVED_PATHWAY_KINDS, pathwayKey, type Pathway, type PathwayKind } from '../../src/topology/pathway.js';
import type { Vm } from '../../src/topology/vm.js';
import type { PropagationScore, RiskEntry } from '../../src/propagation/propagation-score.js';
import { coLocatedCarrier } from '../../src/propagation/transmission-weights.js';

/** A small world to score. */
export interface World {
  readonly vms: Vm[];
  readonly pathways: Pathway[];
  readonly model: ModelParameters;
  readonly anomalyType: string;
  readonly sources: { vmId: string; onsetAt: number }[];
  readonly nodeFactors: Map<string, number>;
}

export function makeVm(id: string, hostId: string, groupId = 'g', systemId = 's'): Vm {
  return {
    id, hostId, groupId, systemId, criticality: 0.5,
    capacity: { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 },
    allocation: { cpuMillis: 1000, memoryMiB: 2048, networkMbps: 100 },
  };
}

export function makePathway(source: string, target: string, kind: Pathway['kind'], features: Partial<Pathway['features']> = {}): Pathway {
  return { source, target, kind, features: { ...NEUTRAL_FEATURES, ...features } };
}

// Features are float32-exact because the snapshot stores them at float32 precision.
const f32 = (max: number): fc.Arbitrary<number> => fc.double({ min: 0, max, noNaN: true }).map((x) => Math.fround(x));

const featuresArb = fc.record({
  bandwidthMbps: f32(5000), callsPerSec: f32(5000), latencyP50Ms: f32(500), latencyP99Ms: f32(3000),
  errorRate: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => Math.min(Math.fround(x), 1)), lastSeenAt: fc.constant(0),
});

const carrierArb: fc.Arbitrary<CarrierParameters> = fc.record({
  weights: fc.array(fc.double({ min: -2.5, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }),
  delayMs: fc.integer({ min: 1, max: 120 }).map((s) => s * 1000),
});

const carrierTableArb: fc.Arbitrary<CarrierTable> = fc.record({ forward: carrierArb, reverse: carrierArb }, { requiredKeys: [] });

const randomTypeArb: fc.Arbitrary<AnomalyTypeParameters> = fc.record({
  carriers: fc.record({ NETWORK: carrierTableArb, API_CALL: carrierTableArb, SHARED_STORAGE: carrierTableArb, CO_LOCATED: carrierTableArb }, { requiredKeys: [] }),
  grantSize: fc.constant({ cpuMillis: 0, memoryMiB: 0, networkMbps: 0 }),
});

export interface WorldShape {
  readonly maxVms: number;
  readonly maxPathways: number;
  readonly maxSources?: number;
  readonly factors?: boolean;
}

/** Random worlds: kinds, features, directions, cycles, shared hosts, vulnerability, evidence, random or default types. */
export function worldArb(shape: WorldShape): fc.Arbitrary<World> {
  return fc.integer({ min: 2, max: shape.maxVms }).chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => `vm-${i}`);
    const pathwayArb = fc.record({
      source: fc.integer({ min: 0, max: n - 1 }),
      offset: fc.integer({ min: 1, max: n - 1 }),
      kind: fc.constantFrom(...OBSERVED_PATHWAY_KINDS),
      features: featuresArb,
    });
    return fc.record({
      hosts: fc.array(fc.integer({ min: 0, max: Math.max(1, Math.floor(n / 2)) }), { minLength: n, maxLength: n }),
      raw: fc.array(pathwayArb, { minLength: Math.min(n, shape.maxPathways), maxLength: shape.maxPathways }),
      vulnerability: fc.array(fc.option(fc.record({ alpha: fc.double({ min: 0.5, max: 20, noNaN: true }), beta: fc.double({ min: 0.5, max: 20, noNaN: true }) })), { minLength: n, maxLength: n }),
      randomType: randomTypeArb,
      typeChoice: fc.oneof(
        { weight: 3, arbitrary: fc.constant('random') },
        { weight: 2, arbitrary: fc.constantFrom('latency', 'cpu_saturation', 'network_congestion', 'disk_io', 'error_rate', 'memory_pressure', 'never-seen-type') },
      ),
      sources: fc.uniqueArray(fc.record({ index: fc.integer({ min: 0, max: n - 1 }), onsetAt: fc.integer({ min: 0, max: 1_000_000 }) }), {
        minLength: 1, maxLength: shape.maxSources ?? 2, selector: (s) => s.index,
      }),
      factors: shape.factors === true
        ? fc.array(fc.option(fc.constantFrom(0, 0.25, 0.5, 0.9, 1), { nil: undefined }), { minLength: n, maxLength: n })
        : fc.constant([] as (number | undefined)[]),
    }).map(({ hosts, raw, vulnerability, randomType, typeChoice, sources, factors }) => {
      const vms = ids.map((id, i) => makeVm(id, `host-${hosts[i]}`));
      const seen = new Set<string>();
      const pathways: Pathway[] = [];
      for (const p of raw) {
        const source = ids[p.source];
        const target = ids[(p.source + p.offset) % n];
        const key = pathwayKey(source, target, p.kind);
        if (seen.has(key)) continue;
        seen.add(key);
        pathways.push({ source, target, kind: p.kind, features: p.features });
      }
      const base = defaultModel();
      const vulnerabilityById: Record<string, { alpha: number; beta: number }> = {};
      vulnerability.forEach((v, i) => {
        if (v !== null) vulnerabilityById[ids[i]] = v;
      });
      const model: ModelParameters = { ...base, types: { ...base.types, random: randomType }, vulnerability: vulnerabilityById };
      const nodeFactors = new Map<string, number>();
      factors.forEach((f, i) => {
        if (f !== undefined) nodeFactors.set(ids[i], f);
      });
      return { vms, pathways, model, anomalyType: typeChoice, sources: sources.map((s) => ({ vmId: ids[s.index], onsetAt: s.onsetAt })), nodeFactors };
    });
  });
}

/** One VM-to-VM transmission hop of the model, computed from the raw world. */
export interface VmHop {
  readonly from: string;
  readonly to: string;
  readonly probability: number;
  readonly delayMs: number;
  readonly kind: PathwayKind;
}

/** Every VM→VM hop the type can make: pathways forward / reverse, and every co-located ordered pair. */
export function vmHops(world: World): VmHop[] {
  const params = typeParameters(world.model, world.anomalyType);
  const offset = (id: string): number => vulnerabilityOffset(world.model, id);
  const hops: VmHop[] = [];
  for (const p of world.pathways) {
    const x = featureVector(p.features);
    const fwd = carrierFor(params, p.kind, 'forward');
    if (fwd) hops.push({ from: p.source, to: p.target, probability: hopProbability(fwd, x, offset(p.target)), delayMs: fwd.delayMs, kind: p.kind });
    const rev = carrierFor(params, p.kind, 'reverse');
    if (rev) hops.push({ from: p.target, to: p.source, probability: hopProbability(rev, x, offset(p.source)), delayMs: rev.delayMs, kind: p.kind });
  }
  const co = coLocatedCarrier(params);
  if (co) {
    const neutral = featureVector(NEUTRAL_FEATURES);
    for (const a of world.vms) {
      for (const b of world.vms) {
        if (a.id === b.id || a.hostId !== b.hostId) continue;
        hops.push({ from: a.id, to: b.id, probability: hopProbability(co, neutral, offset(b.id)), delayMs: co.delayMs, kind: 'CO_LOCATED' });
      }
    }
  }
  return hops;
}

/** Brute force: for each VM, the max over simple paths (from any source) of Π hop probability × entered factors, and the ETAs of all argmax paths. */
export function bruteForceMostProbable(world: World): Map<string, { probability: number; etas: number[] }> {
  const hops = vmHops(world);
  const out = new Map<string, { probability: number; etas: number[] }>();
  const bySource = new Map<string, VmHop[]>();
  for (const h of hops) {
    const list = bySource.get(h.from) ?? [];
    list.push(h);
    bySource.set(h.from, list);
  }
  const sourceIds = new Set(world.sources.map((s) => s.vmId));
  const factor = (id: string): number => (sourceIds.has(id) ? 1 : world.nodeFactors.get(id) ?? 1);
  const record = (id: string, probability: number, eta: number): void => {
    if (sourceIds.has(id) || probability <= 0) return;
    const best = out.get(id);
    if (best === undefined || probability > best.probability * (1 + 1e-12)) out.set(id, { probability, etas: [eta] });
    else if (probability >= best.probability * (1 - 1e-12)) {
      best.etas.push(eta);
      best.probability = Math.max(best.probability, probability);
    }
  };
  const visit = (at: string, probability: number, eta: number, onPath: Set<string>): void => {
    for (const h of bySource.get(at) ?? []) {
      if (onPath.has(h.to)) continue;
      const p = probability * h.probability * factor(h.to);
      if (p <= 0) continue;
      record(h.to, p, eta + h.delayMs);
      onPath.add(h.to);
      visit(h.to, p, eta + h.delayMs, onPath);
      onPath.delete(h.to);
    }
  };
  for (const s of world.sources) visit(s.vmId, 1, s.onsetAt, new Set([s.vmId]));
  return out;
}


/** Plain copies of risk entries (explanations are read lazily, so deep equality must read them): for deepEqual. */
export function plainRisk(atRisk: readonly RiskEntry[]): unknown[] {
  return atRisk.map((r) => ({ vmId: r.vmId, probability: r.probability, etaAt: r.etaAt, path: [...r.path], contributions: r.contributions.map((c) => ({ ...c })) }));
}

/** A score with its entries made plain (see plainRisk). */
export function plainScore(score: PropagationScore): unknown {
  return { ...score, atRisk: plainRisk(score.atRisk) };
}
