import { ForesightError } from '../errors.js';
import { assertPathway, PATHWAY_KIND_INDEX, PATHWAY_KINDS, type Pathway } from './pathway.js';
import { CO_LOCATED_KIND_INDEX, TopologySnapshot } from './topology-snapshot.js';
import { assertVm, type Vm } from './vm.js';

/** Options of buildTopologySnapshot. */
export interface SnapshotBuildOptions {
  /** Version stamped on the snapshot (default 0). */
  readonly version?: number;
}

/**
 * Builds an immutable snapshot straight from arrays of VMs and pathways (the fast path: counting sorts over typed
 * arrays, O(V + E)). Validates every VM and pathway; throws INVALID_ARGUMENT on duplicate VM ids or duplicate
 * (source, target, kind) pathways and UNKNOWN_VM when a pathway names a VM not in `vms`.
 */
export function buildTopologySnapshot(vms: readonly Vm[], pathways: readonly Pathway[], options: SnapshotBuildOptions = {}): TopologySnapshot {
  const vmCount = vms.length;
  const indexById = new Map<string, number>();
  const hubByHost = new Map<string, number>();
  const hostIds: string[] = [];
  const hubOfVm = new Int32Array(vmCount);
  for (let i = 0; i < vmCount; i++) {
    const vm = vms[i];
    assertVm(vm);
    if (indexById.has(vm.id)) throw new ForesightError('INVALID_ARGUMENT', `duplicate vm id ${vm.id}`);
    indexById.set(vm.id, i);
    let hub = hubByHost.get(vm.hostId);
    if (hub === undefined) {
      hub = hostIds.length;
      hubByHost.set(vm.hostId, hub);
      hostIds.push(vm.hostId);
    }
    hubOfVm[i] = vmCount + hub;
  }
  const hostCount = hostIds.length;
  const nodeCount = vmCount + hostCount;

  // Hub edges only for hosts with at least two VMs: a lone VM has nobody to contend with.
  const hostSize = new Int32Array(hostCount);
  for (let i = 0; i < vmCount; i++) hostSize[hubOfVm[i] - vmCount]++;
  let hubEdgeCount = 0;
  for (let i = 0; i < vmCount; i++) if (hostSize[hubOfVm[i] - vmCount] >= 2) hubEdgeCount += 2;

  const pathwayCount = pathways.length;
  const edgeCount = pathwayCount + hubEdgeCount;
  // Edges in input order first, then permuted into CSR order by a counting sort on the source.
  const src = new Int32Array(edgeCount);
  const dst = new Int32Array(edgeCount);
  for (let p = 0; p < pathwayCount; p++) {
    const pathway = pathways[p];
    assertPathway(pathway);
    const s = indexById.get(pathway.source);
    const t = indexById.get(pathway.target);
    if (s === undefined || t === undefined) {
      throw new ForesightError('UNKNOWN_VM', `pathway ${pathway.source} -> ${pathway.target}: unknown vm ${s === undefined ? pathway.source : pathway.target}`);
    }
    src[p] = s;
    dst[p] = t;
  }
  let h = pathwayCount;
  for (let i = 0; i < vmCount; i++) {
    const hub = hubOfVm[i];
    if (hostSize[hub - vmCount] < 2) continue;
    src[h] = i;
    dst[h] = hub;
    h++;
    src[h] = hub;
    dst[h] = i;
    h++;
  }

  const outOffsets = new Int32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) outOffsets[src[e] + 1]++;
  for (let u = 0; u < nodeCount; u++) outOffsets[u + 1] += outOffsets[u];
  const cursor = outOffsets.slice(0, nodeCount);
  const outTargets = new Int32Array(edgeCount);
  const edgeKind = new Uint8Array(edgeCount);
  const bandwidthMbps = new Float32Array(edgeCount);
  const callsPerSec = new Float32Array(edgeCount);
  const latencyP50Ms = new Float32Array(edgeCount);
  const latencyP99Ms = new Float32Array(edgeCount);
  const errorRate = new Float32Array(edgeCount);
  const lastSeenAt = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const at = cursor[src[e]]++;
    outTargets[at] = dst[e]!;
    if (e >= pathwayCount) {
      edgeKind[at] = CO_LOCATED_KIND_INDEX;
      continue; // hub edges carry neutral (zero) features
    }
    const pathway = pathways[e];
    const f = pathway.features;
    edgeKind[at] = PATHWAY_KIND_INDEX[pathway.kind];
    bandwidthMbps[at] = f.bandwidthMbps;
    callsPerSec[at] = f.callsPerSec;
    latencyP50Ms[at] = f.latencyP50Ms;
    latencyP99Ms[at] = f.latencyP99Ms;
    errorRate[at] = f.errorRate;
    lastSeenAt[at] = f.lastSeenAt;
  }

  assertNoDuplicatePathways(vms, nodeCount, vmCount, outOffsets, outTargets, edgeKind);

  const inOffsets = new Int32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) inOffsets[outTargets[e] + 1]++;
  for (let v = 0; v < nodeCount; v++) inOffsets[v + 1] += inOffsets[v];
  const inCursor = inOffsets.slice(0, nodeCount);
  const inSources = new Int32Array(edgeCount);
  const inEdges = new Int32Array(edgeCount);
  for (let u = 0; u < nodeCount; u++) {
    for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) {
      const at = inCursor[outTargets[e]]++;
      inSources[at] = u;
      inEdges[at] = e;
    }
  }

  return new TopologySnapshot({
    version: options.version ?? 0,
    vms: vms.slice(),
    hostIds,
    pathwayCount,
    arrays: {
      outOffsets, outTargets, inOffsets, inSources, inEdges, edgeKind,
      bandwidthMbps, callsPerSec, latencyP50Ms, latencyP99Ms, errorRate, lastSeenAt, hubOfVm,
    },
  });
}

/** One pathway per (source, target, kind): a per-(target, kind) stamp of the last source seen finds repeats in O(E). */
function assertNoDuplicatePathways(
  vms: readonly Vm[], nodeCount: number, vmCount: number, outOffsets: Int32Array, outTargets: Int32Array, edgeKind: Uint8Array,
): void {
  const stamp = new Int32Array(nodeCount * 4);
  for (let u = 0; u < vmCount; u++) {
    for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) {
      const slot = outTargets[e] * 4 + edgeKind[e];
      if (stamp[slot] === u + 1) {
        const target = outTargets[e];
        throw new ForesightError('INVALID_ARGUMENT', `duplicate pathway ${vms[u].id} -> ${vms[target].id} (${PATHWAY_KINDS[edgeKind[e]]})`);
      }
      stamp[slot] = u + 1;
    }
  }
}
