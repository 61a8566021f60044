// Small topologies and an independent-cascade simulator for the incident tests.
import { defaultModel } from '../../src/model/default-model.js';
import type { ModelParameters } from '../../src/model/model-parameters.js';
import { carrierFor, featureVector, hopProbability, typeParameters, vulnerabilityOffset } from '../../src/model/transmission.js';
import { SeededRandom } from '../../src/seeded-random.js';
import { NEUTRAL_FEATURES, type Pathway, type PathwayFeatures } from '../../src/topology/pathway.js';
import { TopologyGraph } from '../../src/topology/topology-graph.js';
import type { TopologySnapshot } from '../../src/topology/topology-snapshot.js';
import type { Vm } from '../../src/topology/vm.js';

export const MODEL: ModelParameters = defaultModel('test', 0);
/** Latency travels callee → caller (against API_CALL edges). Every VM has its own host: no co-location. */
export const TYPE = 'latency';
export const T0 = 1_700_000_000_000;

export function vm(id: string, groupId = 'g1', systemId = 's1'): Vm {
  return {
    id,
    hostId: `host-${id}`,
    groupId,
    systemId,
    capacity: { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 },
    allocation: { cpuMillis: 1000, memoryMiB: 2048, networkMbps: 100 },
    criticality: 0.5,
  };
}

/** A busy API_CALL: `caller` calls `callee`, so latency travels callee → caller with p ≈ 0.6. */
export function call(caller: string, callee: string, callsPerSec = 1000, latencyP99Ms = 400): Pathway {
  const features: PathwayFeatures = { ...NEUTRAL_FEATURES, callsPerSec, latencyP99Ms, latencyP50Ms: latencyP99Ms / 4 };
  return { source: caller, target: callee, kind: 'API_CALL', features };
}

export function snapshotOf(vms: readonly Vm[], pathways: readonly Pathway[]): TopologySnapshot {
  const graph = new TopologyGraph();
  for (const v of vms) graph.upsertVm(v);
  for (const p of pathways) graph.upsertPathway(p);
  return graph.compile();
}

/** A chain where latency travels a → b → c → … (each VM calls the previous one). */
export function chain(ids: readonly string[]): { vms: Vm[]; pathways: Pathway[]; snapshot: TopologySnapshot } {
  const vms = ids.map((id) => vm(id));
  const pathways = ids.slice(1).map((id, i) => call(id, ids[i]));
  return { vms, pathways, snapshot: snapshotOf(vms, pathways) };
}

/** A random call graph of `n` VMs in `groups` groups of one system; each VM calls 1–3 others. */
export function randomCallGraph(seed: number, n: number, groups: number): { vms: Vm[]; pathways: Pathway[] } {
  const rng = new SeededRandom(seed);
  const vms = Array.from({ length: n }, (_, i) => vm(`vm-${String(i).padStart(4, '0')}`, `g${i % groups}`, 's1'));
  const pathways: Pathway[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const fanOut = 1 + rng.int(3);
    for (let k = 0; k < fanOut; k++) {
      const j = rng.int(n);
      const key = `${i}>${j}`;
      if (j === i || seen.has(key)) continue;
      seen.add(key);
      pathways.push(call(vms[i].id, vms[j].id, Math.round(rng.pareto(50, 1.2)), 50 + rng.int(900)));
    }
  }
  return { vms, pathways };
}

/**
 * One independent cascade of TYPE from `origin` (live-edge form: each hop transmits with the model's probability,
 * after an exponential delay with the carrier's mean). Returns infected VM → infection time.
 */
export function simulateCascade(
  vms: readonly Vm[],
  pathways: readonly Pathway[],
  origin: string,
  onsetAt: number,
  rng: SeededRandom,
  model: ModelParameters = MODEL,
): Map<string, number> {
  const params = typeParameters(model, TYPE);
  const out = new Map<string, { to: string; p: number; meanDelay: number }[]>();
  for (const v of vms) out.set(v.id, []);
  for (const p of pathways) {
    const forward = carrierFor(params, p.kind, 'forward');
    const reverse = carrierFor(params, p.kind, 'reverse');
    const x = featureVector(p.features);
    if (forward !== undefined) out.get(p.source)!.push({ to: p.target, p: hopProbability(forward, x, vulnerabilityOffset(model, p.target)), meanDelay: forward.delayMs });
    if (reverse !== undefined) out.get(p.target)!.push({ to: p.source, p: hopProbability(reverse, x, vulnerabilityOffset(model, p.source)), meanDelay: reverse.delayMs });
  }
  const time = new Map<string, number>([[origin, onsetAt]]);
  const done = new Set<string>();
  // Dijkstra over live edges (graphs here are small: a linear scan for the minimum is enough).
  for (;;) {
    let next: string | undefined;
    for (const [id, t] of time) if (!done.has(id) && (next === undefined || t < time.get(next)!)) next = id;
    if (next === undefined) break;
    done.add(next);
    const t = time.get(next)!;
    for (const e of out.get(next)!) {
      if (rng.next() >= e.p) continue;
      const arrival = t + rng.exponential(e.meanDelay);
      if (!done.has(e.to) && arrival < (time.get(e.to) ?? Infinity)) time.set(e.to, arrival);
    }
  }
  return time;
}
