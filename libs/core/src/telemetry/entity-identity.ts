/** The Foresight entities a resource maps to: a VM (a pod is a VM), its host, its group (service) and its system. */
export interface EntityIdentity {
  readonly vmId: string;
  readonly hostId: string;
  readonly groupId: string;
  readonly systemId: string;
  /** True for a peer that is not instrumented, known only from its callers' spans (service.peer.name, db.*). */
  readonly virtual: boolean;
}

/** One string identifying an identity's fields, to notice a VM whose host, group or system changed. */
export function identityKey(identity: EntityIdentity): string {
  return `${identity.vmId}\u0000${identity.hostId}\u0000${identity.groupId}\u0000${identity.systemId}\u0000${String(identity.virtual)}`;
}
