import neo4j, { type Driver, type ManagedTransaction, type Session } from 'neo4j-driver';
import type { Pathway, PathwayFeatures, PathwayKind, Resources, Vm } from '@foresight/core';
import { StoreError } from '../store-error.js';
import { assertPositiveInteger, assertStoreId } from '../store-input.js';
import {
  COUNT_VM_PATHWAYS, DROP_NAMESPACE, INCIDENT_HISTORY, KIND_OF_REL_TYPE, LOAD_HOSTS, LOAD_PATHWAYS, LOAD_VM, LOAD_VM_PATHWAYS, LOAD_VMS, RECORD_INCIDENT, REMOVE_PATHWAYS, REMOVE_VMS,
  SCHEMA_STATEMENTS, UPSERT_HOSTS, UPSERT_PATHWAYS, UPSERT_VMS,
  VULNERABILITY_COUNTS,
} from './graph-cypher.js';
import {
  assertHostRecord, assertNeighbourhoodLimit, assertPathwayInput, assertPathwayRef, assertVmInput, canonicalIncident, compareIds, compareIncidents, comparePathways,
} from './graph-records.js';
import type { GraphStore, HostRecord, IncidentRecord, PathwayRef, StoredTopology, VmNeighbourhood, VulnerabilityCount } from './graph-store.js';
import { isSchemaAlreadyCreated, toStoreError } from './neo4j-errors.js';

/** Connection and layout settings of the Neo4j graph store. */
export interface Neo4jGraphStoreConfig {
  /** bolt://, neo4j://, or their +s / +ssc variants (then leave `encrypted` and `trust` unset). */
  readonly uri: string;
  /** Basic auth when both are set; no auth otherwise (the local stack). */
  readonly user?: string;
  readonly password?: string;
  /** Database name; the server default when omitted. */
  readonly database?: string;
  /** TLS on a plain bolt:// or neo4j:// URI. */
  readonly encrypted?: boolean;
  /** Which certificates TLS trusts: the system CAs or only `trustedCertificates` (PEM file paths). */
  readonly trust?: 'SYSTEM_CA' | 'CUSTOM_CA';
  readonly trustedCertificates?: readonly string[];
  /** Every node carries `ns = namespace` and is unique on (ns, id): one database, isolated tenants/tests. Default "default". */
  readonly namespace?: string;
  /** Rows per UNWIND batch, one transaction each (default 1000). */
  readonly batchSize?: number;
  readonly connectionTimeoutMs?: number;
  /** How long the driver retries a transaction on transient errors (default 30 s). */
  readonly maxTransactionRetryTimeMs?: number;
}

const RESOURCE_PROPS = (prefix: string, r: Resources): Record<string, number> => ({
  [`${prefix}CpuMillis`]: r.cpuMillis, [`${prefix}MemoryMiB`]: r.memoryMiB, [`${prefix}NetworkMbps`]: r.networkMbps,
});

/** The GraphStore on Neo4j 5: batched UNWIND … MERGE writes in managed (retried) transactions, parameterised Cypher only. */
export class Neo4jGraphStore implements GraphStore {
  private readonly driver: Driver;
  private readonly ns: string;
  private readonly batchSize: number;
  private readonly database: string | undefined;

  constructor(config: Neo4jGraphStoreConfig) {
    this.ns = config.namespace ?? 'default';
    assertStoreId(this.ns, 'namespace');
    this.batchSize = config.batchSize ?? 1000;
    assertPositiveInteger(this.batchSize, 'batchSize');
    this.database = config.database;
    // No token at all when user/password are absent: the driver then sends scheme "none" (auth disabled on the server).
    const auth = config.user !== undefined && config.password !== undefined ? neo4j.auth.basic(config.user, config.password) : undefined;
    this.driver = neo4j.driver(config.uri, auth, {
      disableLosslessIntegers: true,
      ...(config.encrypted === undefined ? {} : { encrypted: config.encrypted }),
      ...(config.trust === undefined ? {} : { trust: config.trust === 'SYSTEM_CA' ? 'TRUST_SYSTEM_CA_SIGNED_CERTIFICATES' : 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES' }),
      ...(config.trustedCertificates === undefined ? {} : { trustedCertificates: [...config.trustedCertificates] }),
      ...(config.connectionTimeoutMs === undefined ? {} : { connectionTimeout: config.connectionTimeoutMs }),
      ...(config.maxTransactionRetryTimeMs === undefined ? {} : { maxTransactionRetryTime: config.maxTransactionRetryTimeMs }),
    });
  }

  async init(): Promise<void> {
    await this.guard('init', async () => {
      await this.driver.verifyConnectivity(this.database === undefined ? {} : { database: this.database });
      // Schema statements cannot share a transaction with each other's effects reliably: one each.
      for (const statement of SCHEMA_STATEMENTS) {
        try {
          await this.write((tx) => tx.run(statement));
        } catch (error) {
          // Another process created the same index or constraint at the same moment: what this statement wanted exists.
          if (!isSchemaAlreadyCreated(error)) throw error;
        }
      }
    });
  }

  async upsertVms(vms: readonly Vm[]): Promise<void> {
    for (const vm of vms) assertVmInput(vm);
    // NOTE: one row per VM, the last of the call winning (as in memory): with two rows of one VM in a statement, the
    // planner reads the old placement relationships for both before writing either, and the first row's RUNS_ON
    // survived next to the second's (found by the twin property test: a VM on two hosts at once).
    const last = new Map(vms.map((vm) => [vm.id, vm]));
    const rows = [...last.values()].map((vm) => ({
      id: vm.id, hostId: vm.hostId, groupId: vm.groupId, systemId: vm.systemId,
      props: {
        hostId: vm.hostId, groupId: vm.groupId, systemId: vm.systemId, criticality: vm.criticality,
        ...RESOURCE_PROPS('capacity', vm.capacity), ...RESOURCE_PROPS('allocation', vm.allocation),
      },
    }));
    await this.guard('upsertVms', () => this.writeBatches(UPSERT_VMS, rows));
  }

  async removeVms(vmIds: readonly string[]): Promise<void> {
    for (const id of vmIds) assertStoreId(id, 'vmId');
    await this.guard('removeVms', async () => {
      for (const batch of chunks([...vmIds], this.batchSize)) await this.write((tx) => tx.run(REMOVE_VMS, { ns: this.ns, ids: batch }));
    });
  }

  async upsertHosts(hosts: readonly HostRecord[]): Promise<void> {
    for (const host of hosts) assertHostRecord(host);
    const rows = hosts.map((h) => ({ id: h.hostId, capacity: RESOURCE_PROPS('capacity', h.capacity) }));
    await this.guard('upsertHosts', () => this.writeBatches(UPSERT_HOSTS, rows));
  }

  async upsertPathways(pathways: readonly Pathway[]): Promise<void> {
    for (const p of pathways) assertPathwayInput(p);
    await this.guard('upsertPathways', async () => {
      for (const [kind, group] of groupByKind(pathways)) {
        const rows = group.map((p) => ({ source: p.source, target: p.target, features: { ...p.features } }));
        await this.writeBatches(UPSERT_PATHWAYS[kind], rows);
      }
    });
  }

  async removePathways(refs: readonly PathwayRef[]): Promise<void> {
    for (const ref of refs) assertPathwayRef(ref);
    await this.guard('removePathways', async () => {
      for (const [kind, group] of groupByKind(refs)) {
        await this.writeBatches(REMOVE_PATHWAYS[kind], group.map((r) => ({ source: r.source, target: r.target })));
      }
    });
  }

  async loadTopology(): Promise<StoredTopology> {
    return this.guard('loadTopology', () => this.read(async (tx) => {
      const params = { ns: this.ns };
      const vmRows = (await tx.run(LOAD_VMS, params)).records.map((r) => r.get('vm') as Record<string, unknown>);
      const hostRows = (await tx.run(LOAD_HOSTS, params)).records.map((r) => r.get('props') as Record<string, unknown>);
      const pathwayRows = (await tx.run(LOAD_PATHWAYS, params)).records;
      const vms: Vm[] = vmRows.map((p) => ({
        id: str(p['id']), hostId: str(p['hostId']), groupId: str(p['groupId']), systemId: str(p['systemId']),
        capacity: resourcesOf(p, 'capacity'), allocation: resourcesOf(p, 'allocation'), criticality: num(p['criticality']),
      }));
      const hosts: HostRecord[] = hostRows.map((p) => ({ hostId: str(p['id']), capacity: resourcesOf(p, 'capacity') }));
      const pathways: Pathway[] = pathwayRows.map((r) => {
        const p = r.get(0) as unknown[];
        const kind = KIND_OF_REL_TYPE.get(str(p[2]));
        if (kind === undefined) throw new StoreError('STORE_FAILURE', `unexpected relationship type ${String(p[2])}`);
        return {
          source: str(p[0]), target: str(p[1]), kind,
          features: { bandwidthMbps: num(p[3]), callsPerSec: num(p[4]), latencyP50Ms: num(p[5]), latencyP99Ms: num(p[6]), errorRate: num(p[7]), lastSeenAt: num(p[8]) },
        };
      });
      return {
        vms: vms.sort((a, b) => compareIds(a.id, b.id)),
        hosts: hosts.sort((a, b) => compareIds(a.hostId, b.hostId)),
        pathways: pathways.sort(comparePathways),
      };
    }));
  }

  async ping(): Promise<void> {
    await this.guard('ping', () => this.read(async (tx) => {
      await tx.run('RETURN 1');
    }));
  }

  async vmNeighbourhood(vmId: string, limit: number): Promise<VmNeighbourhood> {
    assertStoreId(vmId, 'vmId');
    assertNeighbourhoodLimit(limit);
    return this.guard('vmNeighbourhood', () => this.read(async (tx) => {
      const params = { ns: this.ns, vmId };
      const vmRow = (await tx.run(LOAD_VM, params)).records[0]?.get('vm') as Record<string, unknown> | undefined;
      if (vmRow === undefined) return { vm: undefined, pathways: [], total: 0 };
      const total = num((await tx.run(COUNT_VM_PATHWAYS, params)).records[0]?.get('total'));
      const rows = (await tx.run(LOAD_VM_PATHWAYS, { ...params, limit: neo4j.int(limit) })).records;
      const pathways: Pathway[] = rows.map((r) => {
        const kind = KIND_OF_REL_TYPE.get(str(r.get('type')));
        if (kind === undefined) throw new StoreError('STORE_FAILURE', `unexpected relationship type ${String(r.get('type'))}`);
        return { source: str(r.get('source')), target: str(r.get('target')), kind, features: featuresOf(r.get('features') as Record<string, unknown>) };
      });
      const vm: Vm = {
        id: str(vmRow['id']), hostId: str(vmRow['hostId']), groupId: str(vmRow['groupId']), systemId: str(vmRow['systemId']),
        capacity: resourcesOf(vmRow, 'capacity'), allocation: resourcesOf(vmRow, 'allocation'), criticality: num(vmRow['criticality']),
      };
      return { vm, pathways: pathways.sort(comparePathways), total };
    }));
  }

  async recordIncident(incident: IncidentRecord): Promise<void> {
    const c = canonicalIncident(incident);
    const affected = c.affectedVmIds.map((vmId) => ({ vmId, at: c.affectedAt !== undefined && Object.hasOwn(c.affectedAt, vmId) ? c.affectedAt[vmId] : null }));
    const params = {
      ns: this.ns,
      incident: { id: c.incidentId, anomalyType: c.anomalyType, openedAt: c.openedAt, closedAt: c.closedAt ?? null },
      affected,
      sources: c.sourceVmIds,
    };
    await this.guard('recordIncident', () => this.write((tx) => tx.run(RECORD_INCIDENT, params)));
  }

  async incidentHistory(vmId?: string): Promise<readonly IncidentRecord[]> {
    if (vmId !== undefined) assertStoreId(vmId, 'vmId');
    return this.guard('incidentHistory', () => this.read(async (tx) => {
      const result = await tx.run(INCIDENT_HISTORY, { ns: this.ns, vmId: vmId ?? null });
      return result.records.map((r) => {
        const affected = (r.get('affected') as { vmId: string; at: number | null }[]).sort((a, b) => compareIds(a.vmId, b.vmId));
        const timed = affected.flatMap((a) => (a.at === null ? [] : [[a.vmId, a.at] as const]));
        const closedAt = r.get('closedAt') as number | null;
        return {
          incidentId: str(r.get('incidentId')),
          anomalyType: str(r.get('anomalyType')),
          openedAt: num(r.get('openedAt')),
          ...(closedAt === null ? {} : { closedAt }),
          affectedVmIds: affected.map((a) => a.vmId),
          sourceVmIds: (r.get('sources') as string[]).sort(compareIds),
          ...(timed.length === 0 ? {} : { affectedAt: Object.fromEntries(timed) }),
        } satisfies IncidentRecord;
      }).sort(compareIncidents);
    }));
  }

  async vulnerabilityCounts(): Promise<readonly VulnerabilityCount[]> {
    return this.guard('vulnerabilityCounts', () => this.read(async (tx) => {
      const result = await tx.run(VULNERABILITY_COUNTS, { ns: this.ns });
      return result.records
        .map((r) => ({ vmId: str(r.get('vmId')), exposed: num(r.get('exposed')), affected: num(r.get('affected')) }))
        .sort((a, b) => compareIds(a.vmId, b.vmId));
    }));
  }

  /** Deletes every node of this namespace (test teardown); not part of the port. */
  async dropNamespace(): Promise<void> {
    await this.guard('dropNamespace', async () => {
      const session = this.session('WRITE');
      try {
        await session.run(DROP_NAMESPACE, { ns: this.ns });
      } finally {
        await session.close();
      }
    });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private session(mode: 'READ' | 'WRITE'): Session {
    return this.driver.session({
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.database === undefined ? {} : { database: this.database }),
    });
  }

  private async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.session('WRITE');
    try {
      return await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }

  private async read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.session('READ');
    try {
      return await session.executeRead(work);
    } finally {
      await session.close();
    }
  }

  // NOTE: one transaction per batch bounds transaction memory; a call that fails midway leaves earlier batches written
  // (harmless: every write is an idempotent upsert, so the caller retries the whole call).
  private async writeBatches(statement: string, rows: readonly object[]): Promise<void> {
    for (const batch of chunks(rows, this.batchSize)) await this.write((tx) => tx.run(statement, { ns: this.ns, rows: batch }));
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, `neo4j ${operation}`);
    }
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function groupByKind<T extends { kind: PathwayKind }>(items: readonly T[]): Map<Exclude<PathwayKind, 'CO_LOCATED'>, T[]> {
  const groups = new Map<Exclude<PathwayKind, 'CO_LOCATED'>, T[]>();
  for (const item of items) {
    if (item.kind === 'CO_LOCATED') continue; // rejected by validation before we get here
    const group = groups.get(item.kind);
    if (group === undefined) groups.set(item.kind, [item]);
    else group.push(item);
  }
  return groups;
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new StoreError('STORE_FAILURE', `expected a string in the graph, got ${String(value)}`);
  return value;
}

function num(value: unknown): number {
  if (typeof value !== 'number') throw new StoreError('STORE_FAILURE', `expected a number in the graph, got ${String(value)}`);
  return value;
}

function resourcesOf(props: Record<string, unknown>, prefix: string): Resources {
  return { cpuMillis: num(props[`${prefix}CpuMillis`]), memoryMiB: num(props[`${prefix}MemoryMiB`]), networkMbps: num(props[`${prefix}NetworkMbps`]) };
}

function featuresOf(props: Record<string, unknown>): PathwayFeatures {
  return {
    bandwidthMbps: num(props['bandwidthMbps']), callsPerSec: num(props['callsPerSec']), latencyP50Ms: num(props['latencyP50Ms']),
    latencyP99Ms: num(props['latencyP99Ms']), errorRate: num(props['errorRate']), lastSeenAt: num(props['lastSeenAt']),
  };
}
