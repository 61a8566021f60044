import type { ModelParameters } from '../model/model-parameters.js';
import { carrierFor, typeParameters } from '../model/transmission.js';
import { NEUTRAL_FEATURES, type Direction, type Pathway, type PathwayFeatures, type PathwayKind } from '../topology/pathway.js';
import type { Vm } from '../topology/vm.js';
import type { InfectingEdge } from './outcome.js';

/** The part of a topology exposures are found in: VMs (for co-location) and observed pathways. */
export interface ExposureTopology {
  readonly vms: readonly Pick<Vm, 'id' | 'hostId'>[];
  readonly pathways: readonly Pathway[];
}

/** One edge along which `parentVmId` may transmit to `vmId`. */
export interface Exposure {
  readonly parentVmId: string;
  readonly vmId: string;
  readonly kind: PathwayKind;
  readonly direction: Direction;
  readonly features: PathwayFeatures;
}

/** Per-VM pathway lists and co-located peers of a topology, for attributing infecting edges. */
export class ExposureIndex {
  private readonly out = new Map<string, Pathway[]>();
  private readonly in = new Map<string, Pathway[]>();
  private readonly peers = new Map<string, string[]>();

  constructor(topology: ExposureTopology) {
    // NOTE: lists are appended to in place (a copy per pathway was quadratic in a popular VM's degree).
    for (const p of topology.pathways) {
      appendTo(this.out, p.source, p);
      appendTo(this.in, p.target, p);
    }
    const byHost = new Map<string, string[]>();
    for (const vm of topology.vms) appendTo(byHost, vm.hostId, vm.id);
    for (const vm of topology.vms) this.peers.set(vm.id, (byHost.get(vm.hostId) ?? []).filter((id) => id !== vm.id));
  }

  /** Every edge the model's carriers let `parent` transmit `anomalyType` along (CO_LOCATED as forward, neutral features). */
  exposuresFrom(model: ModelParameters, anomalyType: string, parent: string): Exposure[] {
    const params = typeParameters(model, anomalyType);
    const out: Exposure[] = [];
    for (const p of this.out.get(parent) ?? []) {
      if (carrierFor(params, p.kind, 'forward') !== undefined) out.push({ parentVmId: parent, vmId: p.target, kind: p.kind, direction: 'forward', features: p.features });
    }
    for (const p of this.in.get(parent) ?? []) {
      if (carrierFor(params, p.kind, 'reverse') !== undefined) out.push({ parentVmId: parent, vmId: p.source, kind: p.kind, direction: 'reverse', features: p.features });
    }
    if (carrierFor(params, 'CO_LOCATED', 'forward') !== undefined || carrierFor(params, 'CO_LOCATED', 'reverse') !== undefined) {
      for (const peer of this.peers.get(parent) ?? []) out.push({ parentVmId: parent, vmId: peer, kind: 'CO_LOCATED', direction: 'forward', features: NEUTRAL_FEATURES });
    }
    return out;
  }
}

function appendTo<T>(lists: Map<string, T[]>, key: string, value: T): void {
  const list = lists.get(key);
  if (list === undefined) lists.set(key, [value]);
  else list.push(value);
}

/**
 * Per VM, every edge from a VM affected strictly before it (`onsets`: VM → onset time; a VM not in it stayed healthy),
 * as the model's carriers allow: the exposing edges of joint credit. Parents are visited in `onsets` order.
 */
export function findExposingEdges(
  index: ExposureIndex, model: ModelParameters, anomalyType: string, onsets: ReadonlyMap<string, number>,
): Map<string, Exposure[]> {
  const exposing = new Map<string, Exposure[]>();
  for (const [parent, parentAt] of onsets) {
    for (const x of index.exposuresFrom(model, anomalyType, parent)) {
      const childAt = onsets.get(x.vmId);
      if (childAt !== undefined && childAt <= parentAt) continue;
      const list = exposing.get(x.vmId) ?? [];
      list.push(x);
      exposing.set(x.vmId, list);
    }
  }
  return exposing;
}

/**
 * An exposing edge as the learner records it: infected parent, and the parent's onset after the incident's first
 * onset `t0` (`t0` for a parent without a known onset).
 */
export function infectingEdgeOf(exposure: Pick<Exposure, 'parentVmId' | 'kind' | 'direction' | 'features'>, onsets: ReadonlyMap<string, number>, t0: number): InfectingEdge {
  return {
    kind: exposure.kind, direction: exposure.direction, features: exposure.features, parentAffected: true, parentVmId: exposure.parentVmId,
    parentOnsetDelayMs: Math.max(0, (onsets.get(exposure.parentVmId) ?? t0) - t0),
  };
}
