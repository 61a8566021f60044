import type { EntityIdentity } from './entity-identity.js';
import { virtualPeerIdentity } from './identity-precedence.js';
import type { PathwayWindow } from './call-pathways.js';
import type { ServiceGraphWindow } from './service-graph-pathways.js';

/** The known VMs a service name stands for: the VM of that id, else the (instrumented) VMs of that group; none when unknown. */
export type ServiceLookup = (name: string) => readonly EntityIdentity[];

/** Why a servicegraph window became no pathway. */
export type ServiceGraphEndSkipReason = 'SG_UNKNOWN_SERVICES';

/**
 * A servicegraph window (services) as VM-to-VM pathway windows, by the same identity rules as spans: a name that is a
 * known VM is that VM, a known group is its VMs; a name known as neither is a virtual node in the other end's system
 * (as span pairing makes one of an uninstrumented peer); a window whose two ends are both unknown gives nothing. The
 * connector counts per service, not per instance: when an end stands for several VMs, the calls are shared evenly
 * among the VM pairs (error rate and latency are the service's for each).
 */
export function serviceGraphPathways(window: ServiceGraphWindow, lookup: ServiceLookup): PathwayWindow[] | ServiceGraphEndSkipReason {
  const clients = [...lookup(window.client)];
  const servers = [...lookup(window.server)];
  if (clients.length === 0 && servers.length === 0) return 'SG_UNKNOWN_SERVICES';
  if (clients.length === 0) clients.push(virtualPeerIdentity(window.client, servers[0]));
  if (servers.length === 0) servers.push(virtualPeerIdentity(window.server, clients[0]));
  const pairs: [EntityIdentity, EntityIdentity][] = [];
  for (const source of clients) for (const target of servers) if (source.vmId !== target.vmId) pairs.push([source, target]);
  return pairs.map(([source, target]) => ({
    source, target, windowStart: window.windowStart, windowEnd: window.windowEnd,
    calls: window.calls / pairs.length, callsPerSec: window.callsPerSec / pairs.length,
    latencyP50Ms: window.latencyP50Ms, latencyP99Ms: window.latencyP99Ms, errorRate: window.errorRate,
  }));
}
