import type { PathwayFeatures } from '@foresight/core';
import type { VmRisk } from '@foresight/stores';
import { ConsoleError } from './console-error.js';
import { parsePage, type Page } from './console-input.js';
import type { ConsoleStores } from './console-stores.js';
import type { LiveFleet, VmHistory } from './live-fleet.js';
import type { LearnedVulnerability, ModelVulnerability } from './model-vulnerability.js';

/** The deepest pathway the VM view pages to (page × size): the graph store reads at most this many. */
export const MAX_PATHWAY_OFFSET = 10_000;
/** Incidents of a VM's history counted (the newest). */
const MAX_HISTORY = 500;
/** Live incidents listed as threatening the VM. */
const MAX_THREATS = 50;

/** One pathway as seen from the VM. */
export interface PathwayRow extends PathwayFeatures {
  readonly direction: 'out' | 'in';
  readonly otherVmId: string;
  readonly kind: string;
}

/** The VM view. */
export interface VmView {
  readonly vmId: string;
  readonly vm: { readonly hostId: string; readonly groupId: string; readonly systemId: string; readonly criticality: number } | null;
  readonly pathways: Page<PathwayRow>;
  /** What threatens it now (the hot scores), highest probability first. */
  readonly risk: VmRisk;
  /** Its remembered risk and grant history (since the console started). */
  readonly history: VmHistory;
  /** Past incidents: how many affected it, how many started at it (graph history), and its learned vulnerability. */
  readonly vulnerability: { readonly incidents: number; readonly affected: number; readonly asSource: number; readonly exposed: number; readonly learned: LearnedVulnerability | null } | null;
}

/** GET /api/vms/<id>?page&size: the VM, one page of its pathways, its risk now, its history, its vulnerability. */
export async function vmView(fleet: LiveFleet, stores: ConsoleStores, model: ModelVulnerability, vmId: string, query: URLSearchParams): Promise<VmView> {
  const page = parsePage(query, 50);
  if (page.page * page.size > MAX_PATHWAY_OFFSET) throw new ConsoleError('INVALID_INPUT', `page × size must be at most ${MAX_PATHWAY_OFFSET} for pathways`);
  const [neighbourhood, risk, history, learned] = await Promise.all([
    stores.graph.vmNeighbourhood(vmId, page.page * page.size),
    stores.risk.vmRisk(vmId),
    stores.graph.incidentHistory(vmId),
    model.of(vmId),
  ]);
  const remembered = fleet.vmHistory(vmId);
  if (neighbourhood.vm === undefined && risk === undefined && remembered === undefined && history.length === 0) {
    throw new ConsoleError('NOT_FOUND', `VM ${vmId} is not in the inventory and nothing is known of it`);
  }
  const recent = history.slice(-MAX_HISTORY);
  const affected = recent.filter((i) => i.affectedVmIds.includes(vmId) && !i.sourceVmIds.includes(vmId)).length;
  const asSource = recent.filter((i) => i.sourceVmIds.includes(vmId)).length;
  const v = neighbourhood.vm;
  return {
    vmId,
    vm: v === undefined ? null : { hostId: v.hostId, groupId: v.groupId, systemId: v.systemId, criticality: v.criticality },
    pathways: {
      items: neighbourhood.pathways.slice((page.page - 1) * page.size).map((p) => ({
        direction: p.source === vmId ? 'out' : 'in', otherVmId: p.source === vmId ? p.target : p.source, kind: p.kind, ...p.features,
      })),
      page: page.page, size: page.size, total: neighbourhood.total,
    },
    risk: risk === undefined ? { vmId, maxProbability: 0, incidents: [] } : { ...risk, incidents: risk.incidents.slice(0, MAX_THREATS) },
    history: remembered ?? { points: [], commands: [] },
    vulnerability: { incidents: recent.length, affected, asSource, exposed: recent.length - asSource, learned: learned ?? null },
  };
}
