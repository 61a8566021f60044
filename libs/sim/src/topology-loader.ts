import { ForesightError, SeededRandom, isPathwayKind, type Pathway, type PathwayFeatures, type Vm } from '@foresight/core';
import { TIERS, type SimHost, type SimService, type Tier, type World } from './world.js';

const DEFAULT_SIZE = { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 };
const HOST_CAPACITY = { cpuMillis: 48_000, memoryMiB: 196_608, networkMbps: 25_000 };
const VMS_PER_HOST = 10;

type Attributes = Readonly<Record<string, unknown>>;

function text(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(attrs: Attributes, key: string, fallback: number): number {
  const v = attrs[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function featuresOf(attrs: Attributes): PathwayFeatures {
  return {
    bandwidthMbps: num(attrs, 'bandwidthMbps', 0), callsPerSec: num(attrs, 'callsPerSec', 0), latencyP50Ms: num(attrs, 'latencyP50Ms', 0),
    latencyP99Ms: num(attrs, 'latencyP99Ms', 0), errorRate: Math.min(num(attrs, 'errorRate', 0), 1), lastSeenAt: num(attrs, 'lastSeenAt', 0),
  };
}

/**
 * Builds a World from node and edge records. Missing node attributes get defaults: groupId = systemId = the node
 * key, tier 'api', a 4-core VM, criticality 0.5, and hosts assigned 10 VMs per host in seeded random order.
 */
function worldFrom(nodes: ReadonlyMap<string, Attributes>, edges: readonly { source: string; target: string; attrs: Attributes }[], seed: number): World {
  const random = new SeededRandom(seed);
  const ids = [...nodes.keys()];
  const shuffled = [...ids];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const fallbackHost = new Map(shuffled.map((id, k) => [id, `host-${Math.floor(k / VMS_PER_HOST)}`]));
  const tierOf = new Map<string, Tier>();
  const vms: Vm[] = ids.map((id) => {
    const a = nodes.get(id) ?? {};
    const tier = text(a, 'tier');
    tierOf.set(id, tier !== undefined && (TIERS as readonly string[]).includes(tier) ? (tier as Tier) : 'api');
    const capacity = { cpuMillis: num(a, 'cpuMillis', DEFAULT_SIZE.cpuMillis), memoryMiB: num(a, 'memoryMiB', DEFAULT_SIZE.memoryMiB), networkMbps: num(a, 'networkMbps', DEFAULT_SIZE.networkMbps) };
    return {
      id, hostId: text(a, 'hostId') ?? fallbackHost.get(id)!, groupId: text(a, 'groupId') ?? id, systemId: text(a, 'systemId') ?? text(a, 'groupId') ?? id,
      capacity, allocation: { cpuMillis: capacity.cpuMillis / 2, memoryMiB: capacity.memoryMiB / 2, networkMbps: capacity.networkMbps / 2 },
      criticality: Math.min(num(a, 'criticality', 0.5), 1),
    };
  });
  const seen = new Set<string>();
  const pathways: Pathway[] = [];
  for (const e of edges) {
    const kind = text(e.attrs, 'kind') ?? 'API_CALL';
    if (!isPathwayKind(kind) || kind === 'CO_LOCATED') throw new ForesightError('INVALID_ARGUMENT', `edge ${e.source} -> ${e.target}: unknown kind ${kind}`);
    const key = `${e.source}\u0000${e.target}\u0000${kind}`;
    if (e.source === e.target || seen.has(key)) continue;
    seen.add(key);
    pathways.push({ source: e.source, target: e.target, kind, features: featuresOf(e.attrs) });
  }
  const hosts: SimHost[] = [...new Set(vms.map((vm) => vm.hostId))].map((id) => ({ id, capacity: HOST_CAPACITY }));
  const byGroup = new Map<string, Vm[]>();
  for (const vm of vms) byGroup.set(vm.groupId, [...(byGroup.get(vm.groupId) ?? []), vm]);
  const services: SimService[] = [...byGroup].map(([id, members]) => ({ id, systemId: members[0].systemId, tier: tierOf.get(members[0].id) ?? 'api', replicas: members.map((m) => m.id) }));
  return { vms, hosts, services, pathways, tierOf };
}

/**
 * A World from a graphology serialised graph (`{ nodes: [{ key, attributes }], edges: [{ source, target, attributes }] }`).
 * Node attributes: hostId, groupId, systemId, tier, criticality, cpuMillis, memoryMiB, networkMbps; edge attributes:
 * kind (NETWORK | API_CALL | SHARED_STORAGE, default API_CALL) and the pathway features. Undirected edges become one
 * pathway source → target.
 */
export function loadGraphologyJson(json: string, seed = 1): World {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new ForesightError('INVALID_ARGUMENT', `topology file is not JSON: ${(cause as Error).message}`, { cause });
  }
  const graph = parsed as { nodes?: unknown; edges?: unknown };
  if (typeof graph !== 'object' || graph === null || !Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) {
    throw new ForesightError('INVALID_ARGUMENT', 'graphology JSON needs arrays `nodes` and `edges`');
  }
  const nodes = new Map<string, Attributes>();
  for (const n of graph.nodes as { key?: unknown; attributes?: Attributes }[]) {
    if (typeof n.key !== 'string' && typeof n.key !== 'number') throw new ForesightError('INVALID_ARGUMENT', 'every node needs a key');
    nodes.set(String(n.key), n.attributes ?? {});
  }
  const edges = (graph.edges as { source?: unknown; target?: unknown; attributes?: Attributes }[]).map((e) => {
    const source = String(e.source);
    const target = String(e.target);
    if (!nodes.has(source) || !nodes.has(target)) throw new ForesightError('UNKNOWN_VM', `edge ${source} -> ${target} names an unknown node`);
    return { source, target, attrs: e.attributes ?? {} };
  });
  return worldFrom(nodes, edges, seed);
}

/**
 * A World from a CSV edge list with a header row: `source,target` and optionally `kind` and any pathway feature
 * column (callsPerSec, bandwidthMbps, latencyP50Ms, latencyP99Ms, errorRate). VMs are the endpoints, with defaults.
 */
export function loadCsvEdgeList(csv: string, seed = 1): World {
  const lines = csv.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  if (lines.length === 0) throw new ForesightError('INVALID_ARGUMENT', 'CSV edge list is empty');
  const header = lines[0].split(',').map((h) => h.trim());
  const si = header.indexOf('source');
  const ti = header.indexOf('target');
  if (si === -1 || ti === -1) throw new ForesightError('INVALID_ARGUMENT', 'CSV edge list needs `source` and `target` columns');
  const nodes = new Map<string, Attributes>();
  const edges = lines.slice(1).map((line, row) => {
    const cells = line.split(',').map((c) => c.trim());
    const attrs: Record<string, string> = {};
    header.forEach((h, i) => {
      if (cells[i] !== undefined) attrs[h] = cells[i];
    });
    const source = cells[si];
    const target = cells[ti];
    if (!source || !target) throw new ForesightError('INVALID_ARGUMENT', `CSV row ${row + 2}: source and target are required`);
    nodes.set(source, {});
    nodes.set(target, {});
    return { source, target, attrs };
  });
  return worldFrom(nodes, edges, seed);
}
