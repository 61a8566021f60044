import type { Pathway, PathwayFeatures, PathwayKind, Vm } from '@foresight/core';

/** A VM with round-number resources. */
export function vm(id: string, hostId: string, groupId = 'g1', systemId = 's1', criticality = 0.5): Vm {
  return {
    id, hostId, groupId, systemId, criticality,
    capacity: { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 },
    allocation: { cpuMillis: 1000.5, memoryMiB: 2048, networkMbps: 100.25 },
  };
}

/** Features whose values all differ, so a swapped field shows. */
export function features(seed: number): PathwayFeatures {
  return { bandwidthMbps: seed + 0.5, callsPerSec: seed * 2, latencyP50Ms: 1 + seed / 7, latencyP99Ms: 10 + seed / 3, errorRate: (seed % 100) / 1000, lastSeenAt: 1_700_000_000_000 + seed };
}

/** A pathway with features derived from `seed`. */
export function pathway(source: string, target: string, kind: PathwayKind = 'API_CALL', seed = 1): Pathway {
  return { source, target, kind, features: features(seed) };
}

/** Ids that would break string-built Cypher or a naive Redis key scheme; they must be stored verbatim and harmlessly. */
export const HOSTILE_IDS: readonly string[] = [
  "x'}) DETACH DELETE n //",
  'y"}) MATCH (m) DETACH DELETE m RETURN 1 //',
  '`) DETACH DELETE n //',
  '$ns',
  '\\u0027; DROP',
  '__proto__',
  'constructor',
  'ünï©ødé-🔥',
  '*',
  'a:b{c}',
];
