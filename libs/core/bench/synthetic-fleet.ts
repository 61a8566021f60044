// A seeded synthetic fleet for benchmarks: service tiers, heavy-tailed degrees, VMs packed ~16 per host.
import { SeededRandom } from '../src/seeded-random.js';
import type { Pathway, PathwayFeatures, PathwayKind } from '../src/topology/pathway.js';
import type { Vm } from '../src/topology/vm.js';

/** Shape of a synthetic fleet. */
export interface FleetShape {
  readonly vms: number;
  readonly edges: number;
  readonly seed: number;
  /** VMs per host (default 16). */
  readonly vmsPerHost?: number;
  /** VMs per system (default 500). */
  readonly vmsPerSystem?: number;
}

/** A generated fleet: VMs and observed pathways (CO_LOCATED is derived from hostIds). */
export interface SyntheticFleet {
  readonly vms: Vm[];
  readonly pathways: Pathway[];
}

const TIERS = ['frontend', 'api', 'worker', 'data'] as const;
type Tier = (typeof TIERS)[number];
const TIER_SHARE: Record<Tier, number> = { frontend: 0.1, api: 0.3, worker: 0.4, data: 0.2 };
// Who API_CALLs whom: mostly one tier down, some calls within the tier (api → api) and a few skips.
const CALLEE_TIERS: Record<Tier, readonly [Tier, number][]> = {
  frontend: [['api', 0.9], ['data', 0.1]],
  api: [['api', 0.2], ['worker', 0.4], ['data', 0.4]],
  worker: [['data', 0.85], ['api', 0.15]],
  data: [['data', 1]],
};
const STORAGE_GROUP_SIZE = 8;
const EPOCH = 1_700_000_000_000;

/** Weighted sampler over a fixed set of VM indices (cumulative weights + binary search). */
class WeightedPicker {
  private readonly cumulative: Float64Array;
  constructor(readonly members: Int32Array, weights: Float64Array) {
    this.cumulative = new Float64Array(members.length);
    let total = 0;
    for (let i = 0; i < members.length; i++) this.cumulative[i] = total += weights[members[i]];
  }
  get size(): number {
    return this.members.length;
  }
  pick(random: SeededRandom): number {
    const x = random.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return this.members[lo];
  }
}

/**
 * Generates a fleet: systems of ~500 VMs split into tiers (10% frontends, 30% APIs, 40% workers, 20% databases /
 * caches); each VM has a Pareto popularity (callee weight) and activity (caller weight), so degrees are heavy-tailed.
 * 60% of pathways are API_CALLs, mostly one tier down and 85% inside the caller's system; 30% NETWORK flows between
 * any two VMs (weighted by activity and popularity); 10% SHARED_STORAGE inside storage groups of 8. VMs are
 * shuffled onto hosts of ~16, so co-location mixes tiers and systems.
 */
export function generateFleet(shape: FleetShape): SyntheticFleet {
  const random = new SeededRandom(shape.seed);
  const n = shape.vms;
  const perHost = shape.vmsPerHost ?? 16;
  const perSystem = shape.vmsPerSystem ?? 500;
  const systems = Math.max(1, Math.round(n / perSystem));

  const tierOf = new Uint8Array(n);
  const systemOf = new Int32Array(n);
  const popularity = new Float64Array(n);
  const activity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    systemOf[i] = i % systems;
    const u = random.next();
    let acc = 0;
    tierOf[i] = TIERS.length - 1;
    for (let t = 0; t < TIERS.length; t++) {
      acc += TIER_SHARE[TIERS[t]];
      if (u < acc) {
        tierOf[i] = t;
        break;
      }
    }
    popularity[i] = Math.min(random.pareto(1, 1.3), 5000);
    activity[i] = Math.min(random.pareto(1, 1.6), 1000);
  }

  // Random packing onto hosts.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const hostOf = new Int32Array(n);
  for (let k = 0; k < n; k++) hostOf[order[k]] = Math.floor(k / perHost);

  const vms: Vm[] = [];
  const capacity = { cpuMillis: 8000, memoryMiB: 32768, networkMbps: 10_000 };
  const allocation = { cpuMillis: 2000, memoryMiB: 8192, networkMbps: 1000 };
  for (let i = 0; i < n; i++) {
    const tier = TIERS[tierOf[i]];
    vms.push({
      id: `vm-${i}`, hostId: `host-${hostOf[i]}`, groupId: `sys-${systemOf[i]}-${tier}`, systemId: `sys-${systemOf[i]}`,
      capacity, allocation, criticality: tier === 'data' ? 0.9 : tier === 'frontend' ? 0.7 : 0.5,
    });
  }

  // Pickers: per (system, tier) and global per tier, weighted by popularity (callees) or activity (callers).
  const members = (filter: (i: number) => boolean): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (filter(i)) out.push(i);
    return Int32Array.from(out);
  };
  const globalCallee = TIERS.map((_, t) => new WeightedPicker(members((i) => tierOf[i] === t), popularity));
  const bySystem: number[][][] = Array.from({ length: systems }, () => TIERS.map(() => []));
  for (let i = 0; i < n; i++) bySystem[systemOf[i]][tierOf[i]].push(i);
  const systemCallee = bySystem.map((tiers) => tiers.map((list) => new WeightedPicker(Int32Array.from(list), popularity)));
  const anyCaller = new WeightedPicker(members(() => true), activity);
  const anyCallee = new WeightedPicker(members(() => true), popularity);

  const seen = new Set<number>();
  const pathways: Pathway[] = [];
  const add = (s: number, t: number, kind: PathwayKind, kindIndex: number): boolean => {
    if (s === t) return false;
    const key = (s * n + t) * 4 + kindIndex;
    if (seen.has(key)) return false;
    seen.add(key);
    pathways.push({ source: `vm-${s}`, target: `vm-${t}`, kind, features: features(random, kind) });
    return true;
  };
  const pickCalleeTier = (callerTier: number): number => {
    const options = CALLEE_TIERS[TIERS[callerTier]];
    let u = random.next();
    for (const [tier, share] of options) {
      if ((u -= share) < 0) return TIERS.indexOf(tier);
    }
    return TIERS.indexOf(options[options.length - 1][0]);
  };

  const target = Math.min(shape.edges, Math.floor(n * (n - 1) * 0.5));
  let attempts = 0;
  while (pathways.length < target && attempts++ < target * 20) {
    const roll = random.next();
    if (roll < 0.6) {
      const caller = anyCaller.pick(random);
      const tier = pickCalleeTier(tierOf[caller]);
      const local = systemCallee[systemOf[caller]][tier];
      const picker = random.next() < 0.85 && local.size > 0 ? local : globalCallee[tier];
      if (picker.size > 0) add(caller, picker.pick(random), 'API_CALL', 1);
    } else if (roll < 0.9) {
      add(anyCaller.pick(random), anyCallee.pick(random), 'NETWORK', 0);
    } else {
      const a = random.int(n);
      const groupStart = a - (a % STORAGE_GROUP_SIZE);
      const b = Math.min(groupStart + random.int(STORAGE_GROUP_SIZE), n - 1);
      add(a, b, 'SHARED_STORAGE', 2);
    }
  }
  return { vms, pathways };
}

function features(random: SeededRandom, kind: PathwayKind): PathwayFeatures {
  const p50 = Math.min(2 + random.exponential(15), 2000);
  return {
    bandwidthMbps: Math.min(random.pareto(0.5, 1.1), 10_000),
    callsPerSec: kind === 'API_CALL' ? Math.min(random.pareto(1, 1.1), 20_000) : 0,
    latencyP50Ms: p50,
    latencyP99Ms: Math.min(p50 * (2 + random.exponential(3)), 30_000),
    errorRate: Math.min(random.pareto(0.001, 1.5) - 0.001, 1),
    lastSeenAt: EPOCH + random.int(3_600_000),
  };
}
