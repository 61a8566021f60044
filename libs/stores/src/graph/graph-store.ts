import type { Pathway, PathwayKind, Resources, Vm } from '@foresight/core';

/** A host and the capacity it offers its VMs. */
export interface HostRecord {
  readonly hostId: string;
  readonly capacity: Resources;
}

/** Identifies one pathway: one per (source, target, kind). */
export interface PathwayRef {
  readonly source: string;
  readonly target: string;
  readonly kind: PathwayKind;
}

/** What a scorer loads at start: the inventory, the hosts and the pathways between inventory VMs. */
export interface StoredTopology {
  readonly vms: readonly Vm[];
  readonly hosts: readonly HostRecord[];
  readonly pathways: readonly Pathway[];
}

/** One incident as history keeps it: which VMs it started on and which it reached. */
export interface IncidentRecord {
  readonly incidentId: string;
  readonly anomalyType: string;
  /** Event time (ms since epoch). */
  readonly openedAt: number;
  readonly closedAt?: number;
  /** Every VM the incident affected, sources included. */
  readonly affectedVmIds: readonly string[];
  /** The VMs it originated at (a subset of, or in addition to, affectedVmIds). */
  readonly sourceVmIds: readonly string[];
  /** Optional event time each affected VM was first seen affected, by VM id. */
  readonly affectedAt?: Readonly<Record<string, number>>;
}

/**
 * Historical vulnerability of one VM: over past incidents that did not originate at it, how many exposed it (it
 * was affected, or adjacent to an affected VM by a pathway or a shared host) and how many of those affected it.
 */
export interface VulnerabilityCount {
  readonly vmId: string;
  readonly exposed: number;
  readonly affected: number;
}

/** One VM and some of its pathways: what an operator's view of a VM reads, bounded whatever the fleet's size. */
export interface VmNeighbourhood {
  /** The VM, when it is in the inventory. */
  readonly vm: Vm | undefined;
  /** Its first `limit` pathways (either direction) to inventory VMs, sorted by (source, target, kind). */
  readonly pathways: readonly Pathway[];
  /** How many such pathways it has in all. */
  readonly total: number;
}

/**
 * The topology and incident history, persisted. Writes are idempotent upserts; reads return plain core types.
 * Pathways may name VMs the inventory does not know yet: they are kept and show up in loadTopology once both ends
 * are upserted. Removing a VM removes its pathways and placement but keeps its incident history.
 */
export interface GraphStore {
  /** Creates constraints and indexes; idempotent, call once at start. */
  init(): Promise<void>;
  /** One round trip that reads no data, whatever the graph holds (readiness); STORE_UNAVAILABLE when it cannot. */
  ping(): Promise<void>;
  /** Inserts or replaces VMs (placement, group and system included). */
  upsertVms(vms: readonly Vm[]): Promise<void>;
  /** Removes VMs from the inventory with their pathways; unknown ids are ignored. */
  removeVms(vmIds: readonly string[]): Promise<void>;
  /** Inserts or replaces hosts and their capacity. */
  upsertHosts(hosts: readonly HostRecord[]): Promise<void>;
  /** Inserts or replaces pathways (features included) by (source, target, kind). */
  upsertPathways(pathways: readonly Pathway[]): Promise<void>;
  /** Removes pathways; unknown ones are ignored. */
  removePathways(refs: readonly PathwayRef[]): Promise<void>;
  /** The inventory VMs, all hosts and the pathways whose two ends are inventory VMs, sorted by id / key. */
  loadTopology(): Promise<StoredTopology>;
  /**
   * One inventory VM and at most `limit` (1..10,000) of its pathways to and from inventory VMs, sorted as loadTopology
   * sorts them, with their total: a bounded read (the console's VM view), never the whole graph.
   */
  vmNeighbourhood(vmId: string, limit: number): Promise<VmNeighbourhood>;
  /** Inserts or replaces one incident: the record is the whole current picture (lists are replaced, not merged). */
  recordIncident(incident: IncidentRecord): Promise<void>;
  /** Incidents that affected or originated at `vmId` (all incidents when omitted), by openedAt then id. */
  incidentHistory(vmId?: string): Promise<readonly IncidentRecord[]>;
  /** Per-VM exposure and affected counts over all recorded incidents, by VM id (the source of historical vulnerability). */
  vulnerabilityCounts(): Promise<readonly VulnerabilityCount[]>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
