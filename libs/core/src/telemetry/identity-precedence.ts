import type { EntityIdentity } from './entity-identity.js';

/** Reads one resource (or span) attribute as a string; undefined when absent or empty. */
export type AttributeLookup = (key: string) => string | undefined;

/**
 * Which resource attributes name each entity, first present wins. VM and group are required (a span without them is
 * skipped and counted); host falls back to the VM itself and system to `defaultSystem`.
 */
export interface IdentityPrecedence {
  readonly vm: readonly string[];
  readonly host: readonly string[];
  readonly group: readonly string[];
  readonly system: readonly string[];
  readonly defaultSystem: string;
}

const HOST = ['k8s.node.name', 'host.id'] as const;
const GROUP = ['service.name'] as const;
const SYSTEM = ['service.namespace', 'deployment.environment.name', 'deployment.environment'] as const;

/**
 * The two documented presets: `vms` for VM fleets (a VM is the machine the process runs on) and `pods` for
 * Kubernetes (a pod, or an instance of a service, is the VM; its node is the host).
 */
export const IDENTITY_PRESETS: Readonly<Record<'vms' | 'pods', IdentityPrecedence>> = Object.freeze({
  vms: { vm: ['host.id', 'host.name'], host: HOST, group: GROUP, system: SYSTEM, defaultSystem: 'default' },
  pods: { vm: ['k8s.pod.uid', 'service.instance.id'], host: HOST, group: GROUP, system: SYSTEM, defaultSystem: 'default' },
});

/** Why a resource maps to no entity. */
export type IdentitySkipReason = 'NO_VM_ATTRIBUTE' | 'NO_GROUP_ATTRIBUTE';

/** An identity, or why there is none. */
export type IdentityResult = { readonly identity: EntityIdentity } | { readonly skipped: IdentitySkipReason };

function first(lookup: AttributeLookup, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = lookup(key);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Maps a resource's attributes to Foresight's entities under `precedence`. */
export function resolveIdentity(lookup: AttributeLookup, precedence: IdentityPrecedence): IdentityResult {
  const vmId = first(lookup, precedence.vm);
  if (vmId === undefined) return { skipped: 'NO_VM_ATTRIBUTE' };
  const groupId = first(lookup, precedence.group);
  if (groupId === undefined) return { skipped: 'NO_GROUP_ATTRIBUTE' };
  return {
    identity: {
      vmId, groupId,
      hostId: first(lookup, precedence.host) ?? vmId,
      systemId: first(lookup, precedence.system) ?? precedence.defaultSystem,
      virtual: false,
    },
  };
}

/**
 * The attributes naming the peer a CLIENT or PRODUCER span called, first present wins: the peer becomes a virtual
 * node when no SERVER or CONSUMER span answers (an uninstrumented database, cache or third-party API).
 */
export const DEFAULT_PEER_ATTRIBUTES: readonly string[] = Object.freeze([
  'service.peer.name', 'peer.service', 'db.namespace', 'db.name', 'db.system.name', 'db.system',
]);

/** The peer a span names, if any. */
export function peerOf(lookup: AttributeLookup, keys: readonly string[] = DEFAULT_PEER_ATTRIBUTES): string | undefined {
  return first(lookup, keys);
}

/** The virtual node of an uninstrumented peer, in the caller's system. */
export function virtualPeerIdentity(peer: string, caller: EntityIdentity): EntityIdentity {
  const vmId = `peer:${caller.systemId}:${peer}`;
  return { vmId, hostId: vmId, groupId: peer, systemId: caller.systemId, virtual: true };
}
