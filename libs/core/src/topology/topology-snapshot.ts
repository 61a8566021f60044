import type { PathwayFeatures, PathwayKind } from './pathway.js';
import { PATHWAY_KINDS } from './pathway.js';
import type { Vm } from './vm.js';

/** Index of CO_LOCATED in PATHWAY_KINDS, the kind of every VM↔host-hub edge. */
export const CO_LOCATED_KIND_INDEX = 3;

/** The typed arrays a snapshot is made of (see TopologySnapshot for their meaning). */
export interface SnapshotArrays {
  readonly outOffsets: Int32Array;
  readonly outTargets: Int32Array;
  readonly inOffsets: Int32Array;
  readonly inSources: Int32Array;
  readonly inEdges: Int32Array;
  readonly edgeKind: Uint8Array;
  readonly bandwidthMbps: Float32Array;
  readonly callsPerSec: Float32Array;
  readonly latencyP50Ms: Float32Array;
  readonly latencyP99Ms: Float32Array;
  readonly errorRate: Float32Array;
  readonly lastSeenAt: Float64Array;
  /** Per VM: the node index of its host hub. */
  readonly hubOfVm: Int32Array;
}

/** Everything a snapshot holds besides its typed arrays. */
export interface SnapshotParts {
  readonly version: number;
  readonly vms: readonly Vm[];
  readonly hostIds: readonly string[];
  readonly pathwayCount: number;
  readonly arrays: SnapshotArrays;
}

/**
 * An immutable, compact view of the topology in CSR form, the only thing scorers read.
 *
 * Node index space: VMs occupy [0, vmCount); one hub node per host occupies [vmCount, vmCount + hostCount).
 * Edges are the observed pathways plus, for every host with at least two VMs, one VM→hub and one hub→VM
 * CO_LOCATED edge per VM: co-location contention is O(n) edges instead of O(k²) pairs per host (the
 * transmission weights make the two-hop product equal the pair probability; see transmission-weights.ts).
 * Edge ids are positions in the forward CSR; the reverse CSR lists the in-edges of each node with their ids,
 * so an anomaly type can travel any edge forward (source → target) or in reverse (target → source).
 * Features are stored at float32 precision (lastSeenAt at float64).
 *
 * NOTE: double buffering. A snapshot is never mutated after construction (its typed arrays are exposed for
 * speed and must be treated as read-only). TopologyGraph compiles a new snapshot on change; scorers holding the
 * old one keep scoring against it undisturbed, and per-snapshot caches are keyed by the snapshot object.
 */
export class TopologySnapshot {
  /** Monotonic version of the graph this snapshot was compiled from. */
  readonly version: number;
  readonly vmCount: number;
  readonly hostCount: number;
  /** vmCount + hostCount. */
  readonly nodeCount: number;
  /** CSR edges: observed pathways plus VM↔host-hub edges. */
  readonly edgeCount: number;
  /** Observed pathways (edgeCount minus the derived hub edges). */
  readonly pathwayCount: number;
  /** Forward CSR: out-edges of node u are the ids outOffsets[u] .. outOffsets[u+1]-1; outTargets[e] is the head. */
  readonly outOffsets: Int32Array;
  readonly outTargets: Int32Array;
  /** Reverse CSR: in-edges of node v are at inOffsets[v] .. inOffsets[v+1]-1, tail inSources[i], edge id inEdges[i]. */
  readonly inOffsets: Int32Array;
  readonly inSources: Int32Array;
  readonly inEdges: Int32Array;
  /** Per edge: index into PATHWAY_KINDS. */
  readonly edgeKind: Uint8Array;
  readonly bandwidthMbps: Float32Array;
  readonly callsPerSec: Float32Array;
  readonly latencyP50Ms: Float32Array;
  readonly latencyP99Ms: Float32Array;
  readonly errorRate: Float32Array;
  readonly lastSeenAt: Float64Array;
  /** Per VM: node index of its host hub. */
  readonly hubOfVm: Int32Array;

  private readonly vmRecords: readonly Vm[];
  private readonly vmIdList: readonly string[];
  private readonly hostIdList: readonly string[];
  private readonly indexById: ReadonlyMap<string, number>;
  private readonly hubIndexByHost: ReadonlyMap<string, number>;
  private groupIndex: Map<string, string[]> | undefined;
  private systemIndex: Map<string, string[]> | undefined;
  private hostIndex: Map<string, string[]> | undefined;

  /** Use buildTopologySnapshot or TopologyGraph.compile; this constructor trusts its (already validated) parts. */
  constructor(parts: SnapshotParts) {
    const a = parts.arrays;
    this.version = parts.version;
    this.vmRecords = parts.vms;
    this.vmIdList = parts.vms.map((vm) => vm.id);
    this.hostIdList = parts.hostIds;
    this.vmCount = parts.vms.length;
    this.hostCount = parts.hostIds.length;
    this.nodeCount = this.vmCount + this.hostCount;
    this.edgeCount = a.outTargets.length;
    this.pathwayCount = parts.pathwayCount;
    this.outOffsets = a.outOffsets;
    this.outTargets = a.outTargets;
    this.inOffsets = a.inOffsets;
    this.inSources = a.inSources;
    this.inEdges = a.inEdges;
    this.edgeKind = a.edgeKind;
    this.bandwidthMbps = a.bandwidthMbps;
    this.callsPerSec = a.callsPerSec;
    this.latencyP50Ms = a.latencyP50Ms;
    this.latencyP99Ms = a.latencyP99Ms;
    this.errorRate = a.errorRate;
    this.lastSeenAt = a.lastSeenAt;
    this.hubOfVm = a.hubOfVm;
    const index = new Map<string, number>();
    for (let i = 0; i < this.vmIdList.length; i++) index.set(this.vmIdList[i], i);
    this.indexById = index;
    const hubs = new Map<string, number>();
    for (let h = 0; h < this.hostIdList.length; h++) hubs.set(this.hostIdList[h], this.vmCount + h);
    this.hubIndexByHost = hubs;
  }

  /** Node index of a VM, or -1 when the snapshot does not know it. */
  indexOf(vmId: string): number {
    return this.indexById.get(vmId) ?? -1;
  }

  /** VM id at a VM node index (undefined for host hubs and out-of-range indices). */
  vmIdAt(index: number): string | undefined {
    return index >= 0 && index < this.vmCount ? this.vmIdList[index] : undefined;
  }

  /** True when the node index is a host hub rather than a VM. */
  isHostHub(index: number): boolean {
    return index >= this.vmCount && index < this.nodeCount;
  }

  /** Host id of a hub node index (undefined for VMs). */
  hostIdAt(index: number): string | undefined {
    return this.isHostHub(index) ? this.hostIdList[index - this.vmCount] : undefined;
  }

  /** Node index of a host's hub, or -1. */
  hubIndexOf(hostId: string): number {
    return this.hubIndexByHost.get(hostId) ?? -1;
  }

  hasVm(vmId: string): boolean {
    return this.indexById.has(vmId);
  }

  vm(vmId: string): Vm | undefined {
    const i = this.indexById.get(vmId);
    return i === undefined ? undefined : this.vmRecords[i];
  }

  /** All VM ids, in node-index order. */
  vmIds(): readonly string[] {
    return this.vmIdList;
  }

  /** All host ids, in hub order. */
  hostIds(): readonly string[] {
    return this.hostIdList;
  }

  vmsInGroup(groupId: string): readonly string[] {
    this.groupIndex ??= this.indexBy((vm) => vm.groupId);
    return this.groupIndex.get(groupId) ?? [];
  }

  vmsInSystem(systemId: string): readonly string[] {
    this.systemIndex ??= this.indexBy((vm) => vm.systemId);
    return this.systemIndex.get(systemId) ?? [];
  }

  vmsOnHost(hostId: string): readonly string[] {
    this.hostIndex ??= this.indexBy((vm) => vm.hostId);
    return this.hostIndex.get(hostId) ?? [];
  }

  /** Kind of an edge. */
  kindOf(edge: number): PathwayKind {
    return PATHWAY_KINDS[this.edgeKind[edge]];
  }

  /** Tail (source node) of an edge, by binary search over the forward offsets. */
  edgeSource(edge: number): number {
    let lo = 0;
    let hi = this.nodeCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.outOffsets[mid] <= edge) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The stored features of an edge (float32-rounded; neutral for hub edges). */
  edgeFeatures(edge: number): PathwayFeatures {
    return {
      bandwidthMbps: this.bandwidthMbps[edge],
      callsPerSec: this.callsPerSec[edge],
      latencyP50Ms: this.latencyP50Ms[edge],
      latencyP99Ms: this.latencyP99Ms[edge],
      errorRate: this.errorRate[edge],
      lastSeenAt: this.lastSeenAt[edge],
    };
  }

  /** Bytes held by the snapshot's typed arrays. */
  byteSize(): number {
    let bytes = 0;
    for (const a of [
      this.outOffsets, this.outTargets, this.inOffsets, this.inSources, this.inEdges, this.edgeKind, this.bandwidthMbps,
      this.callsPerSec, this.latencyP50Ms, this.latencyP99Ms, this.errorRate, this.lastSeenAt, this.hubOfVm,
    ]) {
      bytes += a.byteLength;
    }
    return bytes;
  }

  private indexBy(key: (vm: Vm) => string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const vm of this.vmRecords) {
      const k = key(vm);
      const list = out.get(k);
      if (list === undefined) out.set(k, [vm.id]);
      else list.push(vm.id);
    }
    return out;
  }
}
