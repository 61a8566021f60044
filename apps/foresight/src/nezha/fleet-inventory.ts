import type { HostEvent, InventoryEvent } from '@foresight/contracts';
import type { PodMetricRow } from './pod-metrics.js';
import { serviceOfPod, systemIdOf, vmIdOf } from './pod-names.js';

/**
 * NOTE: the files call CpuUsageRate a percent, but usage ÷ rate × 1000 gives the CPU limits of the Online Boutique
 * manifests (200m for most services, 300m for cartservice and adservice) and × 100 gives a tenth of them: the rate is
 * per mille. Memory usage ÷ rate × 100 gives the manifests' MiB limits (128, 450, …).
 */
export const CPU_RATE_SCALE = 1000;
const MEMORY_RATE_SCALE = 100;

/** What the data does not say, and the import assumes (docs/ingestion-nezha.md). */
export const FLEET_ASSUMPTIONS = Object.freeze({
  /** No pod network limit is recorded; a pod's NIC share. */
  podNetworkMbps: 1000,
  /** Node totals are not recorded (only usage rates): a node holds this many times its pods' limits. */
  nodeHeadroom: 4,
  /** Nothing ranks the services; every pod gets the same criticality. */
  criticality: 0.5,
  /** Two pods are on one node when their node readings agree on at least this share of their common minutes. */
  sameNodeAgreement: 0.5,
});

/** What the import keeps of one pod: its name and the node-reading sample and capacity estimates from its rows. */
export interface PodSummary {
  readonly pod: string;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  /** Node signature by row time (ms). */
  readonly nodeReadings: ReadonlyMap<number, string>;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A pod's capacity (limits) from its rows: the median of usage ÷ rate, for CPU and memory. */
export function summarisePod(pod: string, rows: readonly PodMetricRow[]): PodSummary {
  return {
    pod,
    cpuMillis: median(rows.filter((r) => r.cpuRate > 0).map((r) => (r.cpuMillis / r.cpuRate) * CPU_RATE_SCALE)),
    memoryMiB: median(rows.filter((r) => r.memoryRate > 0).map((r) => (r.memoryMiB / r.memoryRate) * MEMORY_RATE_SCALE)),
    nodeReadings: new Map(rows.map((r) => [r.at, r.nodeSignature])),
  };
}

function sameNode(a: PodSummary, b: PodSummary): boolean {
  let common = 0;
  let agree = 0;
  for (const [at, signature] of a.nodeReadings) {
    const other = b.nodeReadings.get(at);
    if (other === undefined) continue;
    common++;
    if (other === signature) agree++;
  }
  return common > 0 && agree / common >= FLEET_ASSUMPTIONS.sameNodeAgreement;
}

/**
 * Which pods share a node: the data names no node, but every pod row carries its node's CPU, memory and network
 * readings, identical for pods on one node. Groups in order of their first pod's name.
 */
export function inferNodes(pods: readonly PodSummary[]): string[][] {
  const sorted = [...pods].sort((a, b) => a.pod.localeCompare(b.pod));
  const groups: PodSummary[][] = [];
  for (const pod of sorted) {
    const group = groups.find((g) => g.some((member) => sameNode(member, pod)));
    if (group === undefined) groups.push([pod]);
    else group.push(pod);
  }
  return groups.map((g) => g.map((p) => p.pod));
}

/** The topology of one day: a host per inferred node, a VM per pod (its service its group, the day its system). */
export function dayTopology(day: string, pods: readonly PodSummary[], at: number): { hosts: HostEvent[]; inventory: InventoryEvent[] } {
  const byPod = new Map(pods.map((p) => [p.pod, p]));
  const hosts: HostEvent[] = [];
  const inventory: InventoryEvent[] = [];
  inferNodes(pods).forEach((members, n) => {
    const hostId = `node-${n + 1}@${day}`;
    const summaries = members.map((m) => byPod.get(m)).filter((p): p is PodSummary => p !== undefined);
    const sum = (pick: (p: PodSummary) => number): number => summaries.reduce((s, p) => s + pick(p), 0) * FLEET_ASSUMPTIONS.nodeHeadroom;
    hosts.push({
      eventId: `host-${hostId}`, eventTime: at, hostId, removed: false,
      capacity: { cpuMillis: sum((p) => p.cpuMillis), memoryMiB: sum((p) => p.memoryMiB), networkMbps: sum(() => FLEET_ASSUMPTIONS.podNetworkMbps) },
    });
    for (const p of summaries) {
      const capacity = { cpuMillis: p.cpuMillis, memoryMiB: p.memoryMiB, networkMbps: FLEET_ASSUMPTIONS.podNetworkMbps };
      const vmId = vmIdOf(day, p.pod);
      inventory.push({
        eventId: `inv-${vmId}`, eventTime: at, vmId, removed: false, hostId, groupId: serviceOfPod(p.pod), systemId: systemIdOf(day),
        capacity, allocation: capacity, criticality: FLEET_ASSUMPTIONS.criticality, labels: { pod: p.pod, day, source: 'nezha-online-boutique' },
      });
    }
  });
  return { hosts, inventory };
}
