import { SeededRandom, type Pathway, type PathwayFeatures, type PathwayKind, type Resources, type Vm } from '@foresight/core';
import type { SimHost, SimService, Tier, World } from './world.js';

/** Shape of a generated fleet. */
export interface TopologyOptions {
  /** Approximate number of VMs (systems are added until this many exist; default 1000). */
  readonly vms?: number;
  readonly seed: number;
  /** Event time stamped on the pathways' lastSeenAt (default 1.7e12). */
  readonly epoch?: number;
  /** Structural knobs (world families, docs/simulation.md "World families"); every default gives the fleet described below. */
  readonly shape?: Partial<TopologyShape>;
}

/** The structural knobs of a generated fleet. */
export interface TopologyShape {
  /** Capacity of every host, and the share of each resource VMs may fill (the rest is free for grants). */
  readonly hostCapacity: Resources;
  readonly hostFill: number;
  /** VMs per cross-system storage pool, and the chance each block of that many VMs forms one. */
  readonly storagePoolSize: number;
  readonly storagePoolShare: number;
  /** Chance an API call also has a NETWORK pathway (its transport). */
  readonly networkTransportShare: number;
  /** Extra calls of every API and worker service to random API, worker, database or cache services of any system. */
  readonly meshPeers: number;
  /** Extra NETWORK flows (sidecar and gossip traffic) from every VM to random VMs. */
  readonly meshFlowsPerVm: number;
  /** Fleet-wide platform services (auth, queues, config) of 4–8 replicas each; their callers are below. */
  readonly platformServices: number;
  /** Chance each API and worker service calls one platform service. */
  readonly platformCallShare: number;
}

interface TierShape {
  readonly services: readonly [number, number];
  readonly replicas: readonly [number, number];
  readonly size: Resources;
  readonly criticality: number;
}

// Per system: how many services of each tier, how many replicas each, and the VM size of the tier.
const TIER_SHAPES: Record<Tier, TierShape> = {
  frontend: { services: [1, 2], replicas: [3, 6], size: { cpuMillis: 2000, memoryMiB: 4096, networkMbps: 1000 }, criticality: 0.7 },
  api: { services: [3, 5], replicas: [2, 6], size: { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 }, criticality: 0.6 },
  worker: { services: [1, 3], replicas: [2, 5], size: { cpuMillis: 4000, memoryMiB: 16384, networkMbps: 1000 }, criticality: 0.3 },
  database: { services: [1, 2], replicas: [2, 3], size: { cpuMillis: 8000, memoryMiB: 32768, networkMbps: 2000 }, criticality: 0.9 },
  cache: { services: [1, 2], replicas: [2, 3], size: { cpuMillis: 4000, memoryMiB: 16384, networkMbps: 2000 }, criticality: 0.8 },
};
const TIER_ORDER: readonly Tier[] = ['frontend', 'api', 'worker', 'database', 'cache'];
/** Base p50 latency (ms) of calls into a tier. */
const CALLEE_LATENCY_MS: Record<Tier, number> = { frontend: 40, api: 20, worker: 30, database: 5, cache: 1 };
const MAX_CALLEE_REPLICAS = 4;
const PLATFORM_REPLICAS: readonly [number, number] = [4, 8];

/** The shape of the default fleet: 48-core hosts filled to 80%, pools of 6 on half the blocks, a third of calls with a flow. */
export const DEFAULT_TOPOLOGY_SHAPE: TopologyShape = Object.freeze({
  hostCapacity: Object.freeze({ cpuMillis: 48_000, memoryMiB: 196_608, networkMbps: 25_000 }),
  hostFill: 0.8, storagePoolSize: 6, storagePoolShare: 0.5, networkTransportShare: 1 / 3, meshPeers: 0, meshFlowsPerVm: 0, platformServices: 0, platformCallShare: 0,
});

function between(random: SeededRandom, [lo, hi]: readonly [number, number]): number {
  return lo + random.int(hi - lo + 1);
}

function lognormal(random: SeededRandom, sigma: number): number {
  return Math.exp(sigma * random.normal());
}

/**
 * Generates a fleet of systems. Each system has services in tiers (frontends, APIs, workers, databases, caches) with
 * 2–6 replicas; frontends call APIs, APIs call APIs further down, databases and caches, workers call databases and
 * APIs; 10% of API services also call an API of another system. Every caller replica calls up to 4 replicas of the
 * callee, with a heavy-tailed (Pareto) service-level rate split over them. NETWORK flows: database replication, a
 * third of the API calls' transport, cross-system bulk transfers. SHARED_STORAGE: the replicas of every database and
 * worker service, and random storage pools of 6 VMs. VMs are packed first-fit in random order onto 48-core hosts
 * filled to 80%. `shape` changes these numbers and adds mesh calls and flows or platform services (TopologyShape).
 */
export function generateTopology(options: TopologyOptions): World {
  const random = new SeededRandom(options.seed);
  const target = Math.max(10, Math.floor(options.vms ?? 1000));
  const epoch = options.epoch ?? 1_700_000_000_000;
  const shape: TopologyShape = { ...DEFAULT_TOPOLOGY_SHAPE, ...options.shape };
  const services: SimService[] = [];
  const vms: Omit<Vm, 'hostId'>[] = [];
  const tierOf = new Map<string, Tier>();
  const servicesBySystem: SimService[][] = [];
  const platform: SimService[] = [];
  for (let k = 0; k < shape.platformServices && vms.length < target; k++) {
    const id = `platform-api-${k}`;
    const size = TIER_SHAPES.api.size;
    const replicas: string[] = [];
    const n = Math.min(between(random, PLATFORM_REPLICAS), target - vms.length);
    for (let r = 0; r < n; r++) {
      const vmId = `${id}-${r}`;
      replicas.push(vmId);
      tierOf.set(vmId, 'api');
      const share = 0.4 + 0.4 * random.next();
      vms.push({
        id: vmId, groupId: id, systemId: 'platform', capacity: size, criticality: 0.9,
        allocation: { cpuMillis: Math.round(size.cpuMillis * share), memoryMiB: Math.round(size.memoryMiB * share), networkMbps: Math.round(size.networkMbps * share) },
      });
    }
    const service = { id, systemId: 'platform', tier: 'api' as const, replicas };
    services.push(service);
    platform.push(service);
  }

  for (let s = 0; vms.length < target; s++) {
    const systemId = `sys-${s}`;
    const mine: SimService[] = [];
    for (const tier of TIER_ORDER) {
      const shape = TIER_SHAPES[tier];
      const count = between(random, shape.services);
      for (let k = 0; k < count && vms.length < target; k++) {
        const id = `${systemId}-${tier}-${k}`;
        const replicas: string[] = [];
        const n = Math.min(between(random, shape.replicas), target - vms.length);
        for (let r = 0; r < n; r++) {
          const vmId = `${id}-${r}`;
          replicas.push(vmId);
          tierOf.set(vmId, tier);
          const allocationShare = 0.4 + 0.4 * random.next();
          vms.push({
            id: vmId, groupId: id, systemId, capacity: shape.size,
            allocation: { cpuMillis: Math.round(shape.size.cpuMillis * allocationShare), memoryMiB: Math.round(shape.size.memoryMiB * allocationShare), networkMbps: Math.round(shape.size.networkMbps * allocationShare) },
            criticality: shape.criticality,
          });
        }
        const service = { id, systemId, tier, replicas };
        services.push(service);
        mine.push(service);
      }
    }
    servicesBySystem.push(mine);
  }

  const pathways: Pathway[] = [];
  const seen = new Set<string>();
  const add = (source: string, target: string, kind: PathwayKind, features: PathwayFeatures): void => {
    const key = `${source}\u0000${target}\u0000${kind}`;
    if (source === target || seen.has(key)) return;
    seen.add(key);
    pathways.push({ source, target, kind, features });
  };
  const lastSeen = (): number => epoch - random.int(600_000);

  const callService = (caller: SimService, callee: SimService): void => {
    const serviceRate = Math.min(random.pareto(20, 0.5), 200_000);
    const payloadKb = 2 + random.exponential(30);
    const perCaller = Math.min(callee.replicas.length, MAX_CALLEE_REPLICAS);
    const edges = caller.replicas.length * perCaller;
    for (const from of caller.replicas) {
      const start = random.int(callee.replicas.length);
      for (let j = 0; j < perCaller; j++) {
        const to = callee.replicas[(start + j) % callee.replicas.length];
        const calls = (serviceRate / edges) * lognormal(random, 0.3);
        const p50 = CALLEE_LATENCY_MS[callee.tier] * lognormal(random, 0.5);
        const features: PathwayFeatures = {
          bandwidthMbps: Math.min((calls * payloadKb * 8) / 1000, 10_000),
          callsPerSec: calls,
          latencyP50Ms: p50,
          latencyP99Ms: p50 * (3 + random.exponential(3)),
          errorRate: Math.min(random.pareto(0.001, 1.5) - 0.001, 0.5),
          lastSeenAt: lastSeen(),
        };
        add(from, to, 'API_CALL', features);
        if (random.next() < shape.networkTransportShare) add(from, to, 'NETWORK', { ...features, callsPerSec: 0, errorRate: 0 });
      }
    }
  };
  const flow = (from: string, to: string, scale: number): void => {
    const p50 = 0.5 + random.exponential(2);
    add(from, to, 'NETWORK', {
      bandwidthMbps: Math.min(scale * random.pareto(1, 1.1), 10_000), callsPerSec: 0, latencyP50Ms: p50,
      latencyP99Ms: p50 * (2 + random.exponential(2)), errorRate: 0, lastSeenAt: lastSeen(),
    });
  };
  const storage = (members: readonly string[]): void => {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const p50 = 1 + random.exponential(4);
        add(members[i], members[j], 'SHARED_STORAGE', {
          bandwidthMbps: Math.min(random.pareto(2, 1.2), 4000), callsPerSec: 0, latencyP50Ms: p50,
          latencyP99Ms: p50 * (2 + random.exponential(4)), errorRate: 0, lastSeenAt: lastSeen(),
        });
      }
    }
  };

  const pick = <T>(list: readonly T[]): T | undefined => (list.length === 0 ? undefined : list[random.int(list.length)]);
  const ofTier = (list: readonly SimService[], tier: Tier): SimService[] => list.filter((x) => x.tier === tier);
  for (let s = 0; s < servicesBySystem.length; s++) {
    const mine = servicesBySystem[s];
    const apis = ofTier(mine, 'api');
    const dbs = ofTier(mine, 'database');
    const caches = ofTier(mine, 'cache');
    for (const fe of ofTier(mine, 'frontend')) {
      const n = 1 + random.int(3);
      for (let k = 0; k < n; k++) {
        const api = pick(apis);
        if (api !== undefined) callService(fe, api);
      }
    }
    apis.forEach((api, i) => {
      const lower = apis.slice(i + 1);
      const n = random.int(3);
      for (let k = 0; k < n; k++) {
        const callee = pick(lower);
        if (callee !== undefined) callService(api, callee);
      }
      const db = pick(dbs);
      if (db !== undefined && random.next() < 0.8) callService(api, db);
      const cache = pick(caches);
      if (cache !== undefined && random.next() < 0.7) callService(api, cache);
      if (servicesBySystem.length > 1 && random.next() < 0.1) {
        const other = servicesBySystem[(s + 1 + random.int(servicesBySystem.length - 1)) % servicesBySystem.length];
        const remote = pick(ofTier(other, 'api'));
        if (remote !== undefined) callService(api, remote);
      }
    });
    for (const worker of ofTier(mine, 'worker')) {
      const db = pick(dbs);
      if (db !== undefined) callService(worker, db);
      const api = pick(apis);
      if (api !== undefined && random.next() < 0.5) callService(worker, api);
      const cache = pick(caches);
      if (cache !== undefined && random.next() < 0.4) callService(worker, cache);
      storage(worker.replicas);
    }
    for (const db of dbs) {
      for (let r = 1; r < db.replicas.length; r++) flow(db.replicas[0], db.replicas[r], 50);
      storage(db.replicas);
    }
    for (const cache of caches) for (let r = 1; r < cache.replicas.length; r++) flow(cache.replicas[0], cache.replicas[r], 20);
    if (servicesBySystem.length > 1 && dbs.length > 0) {
      const other = servicesBySystem[(s + 1) % servicesBySystem.length];
      const sink = pick(ofTier(other, 'worker'));
      const db = dbs[0];
      if (sink !== undefined) flow(db.replicas[db.replicas.length - 1], sink.replicas[0], 100);
    }
  }
  // NOTE: the knobs below draw nothing at their defaults, so the default fleet stays the same for a seed.
  const callers = services.filter((x) => x.systemId !== 'platform' && (x.tier === 'api' || x.tier === 'worker'));
  if (platform.length > 0) {
    for (const caller of callers) if (random.next() < shape.platformCallShare) callService(caller, platform[random.int(platform.length)]);
    for (const service of platform) storage(service.replicas);
  }
  if (shape.meshPeers > 0) {
    const peers = services.filter((x) => x.tier !== 'frontend');
    for (const caller of callers) {
      for (let k = 0; k < shape.meshPeers; k++) {
        const callee = peers[random.int(peers.length)];
        if (callee.id !== caller.id) callService(caller, callee);
      }
    }
  }
  for (let k = 0; k < shape.meshFlowsPerVm; k++) {
    for (const vm of vms) flow(vm.id, vms[random.int(vms.length)].id, 20);
  }
  // Storage pools: SAN volumes shared by VMs of any system.
  const order = vms.map((vm) => vm.id);
  shuffle(order, random);
  for (let i = 0; i + 1 < order.length; i += shape.storagePoolSize) {
    if (random.next() < shape.storagePoolShare) storage(order.slice(i, i + shape.storagePoolSize));
  }

  const { placed, hosts } = packOntoHosts(vms, random, shape.hostCapacity, shape.hostFill);
  return { vms: placed, hosts, services, pathways, tierOf };
}

function shuffle<T>(list: T[], random: SeededRandom): void {
  for (let i = list.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = list[i];
    list[i] = list[j];
    list[j] = t;
  }
}

/** First-fit in random order onto identical hosts, each filled to at most `fill` of every resource. */
function packOntoHosts(vms: readonly Omit<Vm, 'hostId'>[], random: SeededRandom, capacity: Resources, fill: number): { placed: Vm[]; hosts: SimHost[] } {
  const order = vms.map((_, i) => i);
  shuffle(order, random);
  const used: Resources[] = [];
  const hostOf = new Array<number>(vms.length);
  const limit = { cpuMillis: capacity.cpuMillis * fill, memoryMiB: capacity.memoryMiB * fill, networkMbps: capacity.networkMbps * fill };
  for (const i of order) {
    const c = vms[i].capacity;
    let h = used.findIndex((u) => u.cpuMillis + c.cpuMillis <= limit.cpuMillis && u.memoryMiB + c.memoryMiB <= limit.memoryMiB && u.networkMbps + c.networkMbps <= limit.networkMbps);
    if (h === -1) {
      h = used.length;
      used.push({ cpuMillis: 0, memoryMiB: 0, networkMbps: 0 });
    }
    const u = used[h];
    used[h] = { cpuMillis: u.cpuMillis + c.cpuMillis, memoryMiB: u.memoryMiB + c.memoryMiB, networkMbps: u.networkMbps + c.networkMbps };
    hostOf[i] = h;
  }
  const hosts = used.map((_, h) => ({ id: `host-${h}`, capacity }));
  return { placed: vms.map((vm, i) => ({ ...vm, hostId: `host-${hostOf[i]}` })), hosts };
}
