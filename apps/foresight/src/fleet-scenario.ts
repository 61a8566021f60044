import type { AnomalyEvent, FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';
import { observeTopology, type ObservedTopology } from '@foresight/evaluation';
import {
  flowEvents, generateIncidents, generateTopology, hostEvents, inventoryEvents, trueParameters, type Incident, type TrueParameters, type World,
} from '@foresight/sim';
import type { SimulationOptions } from './simulation-options.js';

/** The simulated world of one run: the fleet, its hidden truth, the incidents and the times that frame them. */
export interface FleetScenario {
  readonly world: World;
  readonly truth: TrueParameters;
  readonly incidents: readonly Incident[];
  /** What telemetry shows at the start (the baselines plan on it, as the evaluation does). */
  readonly observed: ObservedTopology;
  /** Simulated start: inventory, hosts and the first flow window are published then. */
  readonly startAt: number;
  /** When the simulation stops: every incident's horizon has passed, plus a short tail for releases. */
  readonly endAt: number;
  /** Every reported anomaly (OPEN and RESOLVED), in publication order (detectedAt). */
  readonly anomalies: readonly AnomalyEvent[];
}

const MINUTE = 60_000;
/** Incidents start after a short warm-up so the topology is known before the first one. */
const WARM_UP_MS = 2 * MINUTE;
const TAIL_MS = 5 * MINUTE;
const DEFAULT_ORIGIN = 1_700_000_000_000 + 86_400_000;

/** Builds the world, the truth and `incidents` incidents spread evenly over the duration (they may overlap). */
export function buildFleetScenario(options: SimulationOptions): FleetScenario {
  const world = generateTopology({ vms: options.vms, seed: options.seed });
  const truth = trueParameters(world.vms, options.seed);
  const startAt = DEFAULT_ORIGIN - WARM_UP_MS;
  const spacingMs = Math.max(1, Math.floor((options.durationMs - WARM_UP_MS) / options.incidents));
  const incidents = generateIncidents(world, truth, { count: options.incidents, seed: options.seed, startAt: DEFAULT_ORIGIN, spacingMs });
  const observed = observeTopology(inventoryAt(world, startAt), hostsAt(world, startAt), flowWindow(world, options, startAt));
  const lastHorizon = incidents.reduce((m, i) => Math.max(m, i.horizonEnd), startAt + options.durationMs);
  const anomalies = incidents.flatMap((i) => i.anomalyEvents).sort((a, b) => a.detectedAt - b.detectedAt || (a.eventId < b.eventId ? -1 : 1));
  return { world, truth, incidents, observed, startAt, endAt: lastHorizon + TAIL_MS, anomalies };
}

/** The inventory as published at `at`. */
export function inventoryAt(world: World, at: number): InventoryEvent[] {
  return inventoryEvents(world, at).map((e) => ({ ...e, eventId: `inv-${at}-${e.vmId}` }));
}

/** The hosts as published at `at`. */
export function hostsAt(world: World, at: number): HostEvent[] {
  return hostEvents(world, at).map((e) => ({ ...e, eventId: `host-${at}-${e.hostId}` }));
}

/**
 * One noisy flow window per observed pathway, ending at `windowEnd`. The same seed every window keeps the same
 * pathways unobserved (and the same noise), so the topology is steady; event ids are unique per window.
 */
export function flowWindow(world: World, options: SimulationOptions, windowEnd: number): FlowEvent[] {
  return flowEvents(world, { seed: options.seed, until: windowEnd, windows: 1, windowMs: options.flowWindowMs })
    .map((e) => ({ ...e, eventId: `${e.eventId}-${windowEnd}` }));
}
