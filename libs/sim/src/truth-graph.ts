import { carrierFor, carrierLogit, featureVector, NEUTRAL_FEATURES, sigmoid, type Direction, type PathwayKind } from '@foresight/core';
import type { TrueParameters } from './true-parameters.js';
import type { World } from './world.js';

/** How a transmission travelled: the pathway (index into world.pathways, -1 for co-location) and direction. */
export interface Traversal {
  readonly kind: PathwayKind;
  readonly direction: Direction;
  readonly pathway: number;
}

/**
 * The TRUE transmission graph of one anomaly type, in CSR form over VM indices: every (pathway, direction) the type
 * travels, and every co-located pair, with its true probability and mean delay.
 */
export interface TruthGraph {
  readonly anomalyType: string;
  readonly vmIds: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly probability: Float64Array;
  readonly meanDelayMs: Float64Array;
  readonly traversal: readonly Traversal[];
}

/** Compiles the truth of one type over a world (O(V + E + Σ host²)). */
export function compileTruthGraph(world: World, truth: TrueParameters, anomalyType: string): TruthGraph {
  const params = truth.types[anomalyType];
  if (params === undefined) throw new Error(`no true parameters for anomaly type ${anomalyType}`);
  const vmIds = world.vms.map((vm) => vm.id);
  const indexOf = new Map(vmIds.map((id, i) => [id, i]));
  const offset = (i: number): number => truth.vulnerability.get(vmIds[i]) ?? 0;
  const lists: { to: number; p: number; delay: number; t: Traversal }[][] = vmIds.map(() => []);
  world.pathways.forEach((pw, e) => {
    const s = indexOf.get(pw.source);
    const t = indexOf.get(pw.target);
    if (s === undefined || t === undefined) return;
    const x = featureVector(pw.features);
    const fwd = carrierFor(params, pw.kind, 'forward');
    if (fwd !== undefined) lists[s].push({ to: t, p: sigmoid(carrierLogit(fwd, x) + offset(t)), delay: fwd.delayMs, t: { kind: pw.kind, direction: 'forward', pathway: e } });
    const rev = carrierFor(params, pw.kind, 'reverse');
    if (rev !== undefined) lists[t].push({ to: s, p: sigmoid(carrierLogit(rev, x) + offset(s)), delay: rev.delayMs, t: { kind: pw.kind, direction: 'reverse', pathway: e } });
  });
  const co = carrierFor(params, 'CO_LOCATED', 'forward');
  if (co !== undefined) {
    const base = carrierLogit(co, featureVector(NEUTRAL_FEATURES));
    const byHost = new Map<string, number[]>();
    world.vms.forEach((vm, i) => byHost.set(vm.hostId, [...(byHost.get(vm.hostId) ?? []), i]));
    for (const members of byHost.values()) {
      for (const a of members) for (const b of members) if (a !== b) lists[a].push({ to: b, p: sigmoid(base + offset(b)), delay: co.delayMs, t: { kind: 'CO_LOCATED', direction: 'forward', pathway: -1 } });
    }
  }
  const offsets = new Int32Array(vmIds.length + 1);
  lists.forEach((l, i) => (offsets[i + 1] = offsets[i] + l.length));
  const total = offsets[vmIds.length];
  const targets = new Int32Array(total);
  const probability = new Float64Array(total);
  const meanDelayMs = new Float64Array(total);
  const traversal: Traversal[] = [];
  let k = 0;
  for (const l of lists) {
    for (const item of l) {
      targets[k] = item.to;
      probability[k] = item.p;
      meanDelayMs[k] = item.delay;
      traversal.push(item.t);
      k++;
    }
  }
  return { anomalyType, vmIds, indexOf, offsets, targets, probability, meanDelayMs, traversal };
}
