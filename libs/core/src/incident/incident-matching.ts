import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import type { OriginScope } from './origin-evidence.js';
import type { TrackedIncident } from './tracked-incident.js';

/**
 * The open incident a VM-level anomaly of `anomalyType` joins (its index), or undefined when it opens a new one.
 * It joins the incident where the VM already is a source (active or recovered: a repeat report or a relapse), else
 * the one whose last assessment predicted it at risk with the highest probability (ties: the older incident).
 * NOTE: only incidents of the same (normalised) anomaly type are joined; a different symptom is a separate incident.
 */
export function incidentForAnomaly(incidents: readonly TrackedIncident[], vmId: string, anomalyType: string): number | undefined {
  let best: number | undefined;
  let bestProbability = 0;
  for (let i = 0; i < incidents.length; i++) {
    const { state, predicted } = incidents[i];
    if (state.anomalyType !== anomalyType) continue;
    if (state.sources.has(vmId) || state.retired.has(vmId)) return i;
    const p = predicted.get(vmId) ?? 0;
    if (p > bestProbability || (p > 0 && p === bestProbability && best !== undefined && incidents[i].state.openedAt < incidents[best].state.openedAt)) {
      best = i;
      bestProbability = p;
    }
  }
  return best;
}

/** Indexes of the incidents of `anomalyType` in which the VM is an active source (a recovery retires it there). */
export function incidentsWithSource(incidents: readonly TrackedIncident[], vmId: string, anomalyType: string): number[] {
  const out: number[] = [];
  incidents.forEach((incident, i) => {
    if (incident.state.anomalyType === anomalyType && incident.state.sources.has(vmId)) out.push(i);
  });
  return out;
}

/** Whether a scope names the same report: level and id. */
export function sameScope(a: OriginScope, b: OriginScope): boolean {
  return a.level === b.level && a.id === b.id;
}

/**
 * The open incident of `anomalyType` that already explains a group- or system-level report: one that traced this
 * scope before, or one with an active source inside the scope. Undefined when the origin must be traced.
 */
export function incidentForScope(incidents: readonly TrackedIncident[], scope: OriginScope, anomalyType: string, snapshot: TopologySnapshot): number | undefined {
  const inScope = (vmId: string): boolean => {
    const vm = snapshot.vm(vmId);
    if (vm === undefined) return false;
    return scope.level === 'GROUP' ? vm.groupId === scope.id : scope.level === 'SYSTEM' ? vm.systemId === scope.id : vm.id === scope.id;
  };
  for (let i = 0; i < incidents.length; i++) {
    const { state, scopes } = incidents[i];
    if (state.anomalyType !== anomalyType) continue;
    if (scopes.some((s) => sameScope(s, scope))) return i;
    if ([...state.sources.keys()].some(inScope)) return i;
  }
  return undefined;
}
