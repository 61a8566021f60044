import type { Pathway, Resources, Vm } from '@foresight/core';

/** The service tiers of a system. */
export const TIERS = ['frontend', 'api', 'worker', 'database', 'cache'] as const;
export type Tier = (typeof TIERS)[number];

/** A service: a group of replicas (VMs) of one tier inside one system. Its id is the VMs' groupId. */
export interface SimService {
  readonly id: string;
  readonly systemId: string;
  readonly tier: Tier;
  readonly replicas: readonly string[];
}

/** A physical host VMs are packed onto. */
export interface SimHost {
  readonly id: string;
  readonly capacity: Resources;
}

/**
 * The ground-truth fleet: VMs, hosts, services and every pathway with its TRUE features. Telemetry derived from it
 * is noisy; the hidden cascade model reads the true features.
 */
export interface World {
  readonly vms: readonly Vm[];
  readonly hosts: readonly SimHost[];
  readonly services: readonly SimService[];
  readonly pathways: readonly Pathway[];
  /** Tier of every VM (loaded topologies without tiers use 'api'). */
  readonly tierOf: ReadonlyMap<string, Tier>;
}
