import { SeededRandom } from '@foresight/core';
import type { FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';
import type { World } from './world.js';

/** Options of the flow telemetry. */
export interface FlowTelemetryOptions {
  readonly seed: number;
  /** End of the last window (event time). */
  readonly until: number;
  /** Windows per pathway (default 3) of windowMs each (default 60 s). */
  readonly windows?: number;
  readonly windowMs?: number;
  /** Multiplicative log-normal noise on every measured feature (default σ = 0.35). */
  readonly noise?: number;
  /** Chance a pathway is never observed (default 0.03). */
  readonly dropRate?: number;
}

/** One InventoryEvent per VM, as the inventory topic would carry them at `at`. */
export function inventoryEvents(world: World, at: number): InventoryEvent[] {
  return world.vms.map((vm, i) => ({
    eventId: `inv-${i}`, eventTime: at, vmId: vm.id, removed: false, hostId: vm.hostId, groupId: vm.groupId, systemId: vm.systemId,
    capacity: vm.capacity, allocation: vm.allocation, criticality: vm.criticality, labels: { tier: world.tierOf.get(vm.id) ?? 'api' },
  }));
}

/** One HostEvent per host at `at`. */
export function hostEvents(world: World, at: number): HostEvent[] {
  return world.hosts.map((h, i) => ({ eventId: `host-${i}`, eventTime: at, hostId: h.id, removed: false, capacity: h.capacity }));
}

/**
 * Noisy flow windows of every pathway: each window measures every feature × lognormal(0, noise) (error rate clamped
 * to 1); a small share of pathways is never observed. Ordered by window, then pathway.
 */
export function flowEvents(world: World, options: FlowTelemetryOptions): FlowEvent[] {
  const random = new SeededRandom(options.seed ^ 0xf10e);
  const windows = options.windows ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  const sigma = options.noise ?? 0.35;
  const drop = options.dropRate ?? 0.03;
  const observed = world.pathways.map(() => random.next() >= drop);
  const noisy = (v: number): number => v * Math.exp(sigma * random.normal());
  const out: FlowEvent[] = [];
  for (let w = 0; w < windows; w++) {
    const windowEnd = options.until - (windows - 1 - w) * windowMs;
    world.pathways.forEach((p, k) => {
      if (!observed[k]) return;
      const f = p.features;
      const p50 = noisy(f.latencyP50Ms);
      out.push({
        eventId: `flow-${w}-${k}`, eventTime: windowEnd, source: p.source, target: p.target, kind: p.kind as FlowEvent['kind'],
        windowStart: windowEnd - windowMs, windowEnd, bandwidthMbps: noisy(f.bandwidthMbps), callsPerSec: noisy(f.callsPerSec),
        latencyP50Ms: p50, latencyP99Ms: Math.max(p50, noisy(f.latencyP99Ms)), errorRate: Math.min(1, noisy(f.errorRate)),
      });
    });
  }
  return out;
}
