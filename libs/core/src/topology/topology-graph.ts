// NOTE: graphology ships CommonJS (`module.exports = Graph`) typed as an ES module. Under NodeNext the default
// import is the class with the variants as static members, so the constructor is reached as Graph.MultiDirectedGraph.
import Graph from 'graphology';
import type { MultiDirectedGraph } from 'graphology';
import { ForesightError } from '../errors.js';
import { buildTopologySnapshot } from './build-topology-snapshot.js';
import { assertPathway, pathwayKey, type Pathway, type PathwayKind } from './pathway.js';
import type { TopologySnapshot } from './topology-snapshot.js';
import { assertVm, type Vm } from './vm.js';

/** Sizes of a topology: VMs, observed pathways and distinct hosts. */
export interface TopologyCounts {
  readonly vms: number;
  readonly pathways: number;
  readonly hosts: number;
}

/**
 * The mutable topology: VMs and observed pathways (one per (source, target, kind), keyed by pathwayKey).
 * CO_LOCATED pathways are never stored: they are derived from shared hostIds when a snapshot is compiled.
 * Scorers never read the graph; they read immutable snapshots from compile() (double buffering).
 */
export class TopologyGraph {
  private readonly graph: MultiDirectedGraph<Vm, Pathway> = new Graph.MultiDirectedGraph<Vm, Pathway>({ allowSelfLoops: false });
  private readonly vmsByHost = new Map<string, Set<string>>();
  private currentVersion = 0;
  private compiled: TopologySnapshot | undefined;

  /** Monotonically increasing; bumped by every mutation that changes the topology. */
  get version(): number {
    return this.currentVersion;
  }

  /** Inserts or replaces a VM (validated with assertVm); its pathways are kept. */
  upsertVm(vm: Vm): void {
    assertVm(vm);
    const previous = this.graph.hasNode(vm.id) ? this.graph.getNodeAttributes(vm.id) : undefined;
    if (previous !== undefined) {
      this.graph.replaceNodeAttributes(vm.id, vm);
      if (previous.hostId !== vm.hostId) this.leaveHost(previous);
    } else {
      this.graph.addNode(vm.id, vm);
    }
    let peers = this.vmsByHost.get(vm.hostId);
    if (peers === undefined) this.vmsByHost.set(vm.hostId, (peers = new Set()));
    peers.add(vm.id);
    this.bump();
  }

  /** Removes a VM and every pathway touching it; false when it was not there. */
  removeVm(id: string): boolean {
    if (!this.graph.hasNode(id)) return false;
    this.leaveHost(this.graph.getNodeAttributes(id));
    this.graph.dropNode(id);
    this.bump();
    return true;
  }

  /** Inserts or replaces an observed pathway (validated; both VMs must exist, else UNKNOWN_VM). */
  upsertPathway(pathway: Pathway): void {
    assertPathway(pathway);
    for (const id of [pathway.source, pathway.target]) {
      if (!this.graph.hasNode(id)) throw new ForesightError('UNKNOWN_VM', `pathway ${pathway.source} -> ${pathway.target}: unknown vm ${id}`);
    }
    const key = pathwayKey(pathway.source, pathway.target, pathway.kind);
    if (this.graph.hasEdge(key)) this.graph.replaceEdgeAttributes(key, pathway);
    else this.graph.addDirectedEdgeWithKey(key, pathway.source, pathway.target, pathway);
    this.bump();
  }

  /** Removes one pathway; false when it was not there. */
  removePathway(source: string, target: string, kind: PathwayKind): boolean {
    const key = pathwayKey(source, target, kind);
    if (!this.graph.hasEdge(key)) return false;
    this.graph.dropEdge(key);
    this.bump();
    return true;
  }

  hasVm(id: string): boolean {
    return this.graph.hasNode(id);
  }

  vm(id: string): Vm | undefined {
    return this.graph.hasNode(id) ? this.graph.getNodeAttributes(id) : undefined;
  }

  /** The observed pathway (source, target, kind), if any. */
  pathway(source: string, target: string, kind: PathwayKind): Pathway | undefined {
    const key = pathwayKey(source, target, kind);
    return this.graph.hasEdge(key) ? this.graph.getEdgeAttributes(key) : undefined;
  }

  /** VM ids sharing a host with `id` (the derived CO_LOCATED peers), excluding `id` itself. */
  coLocatedPeers(id: string): readonly string[] {
    const vm = this.vm(id);
    if (vm === undefined) return [];
    return [...(this.vmsByHost.get(vm.hostId) ?? [])].filter((peer) => peer !== id);
  }

  counts(): TopologyCounts {
    return { vms: this.graph.order, pathways: this.graph.size, hosts: this.vmsByHost.size };
  }

  /**
   * An immutable snapshot of the current topology. Cheap when nothing changed since the last compile (the same
   * snapshot is returned); otherwise O(V + E). Snapshots already handed out are never touched.
   */
  compile(): TopologySnapshot {
    if (this.compiled !== undefined && this.compiled.version === this.currentVersion) return this.compiled;
    const vms: Vm[] = [];
    this.graph.forEachNode((_id, vm) => {
      vms.push(vm);
    });
    const pathways: Pathway[] = [];
    this.graph.forEachEdge((_key, pathway) => {
      pathways.push(pathway);
    });
    this.compiled = buildTopologySnapshot(vms, pathways, { version: this.currentVersion });
    return this.compiled;
  }

  private leaveHost(vm: Vm): void {
    const peers = this.vmsByHost.get(vm.hostId);
    if (peers === undefined) return;
    peers.delete(vm.id);
    if (peers.size === 0) this.vmsByHost.delete(vm.hostId);
  }

  private bump(): void {
    this.currentVersion++;
  }
}
