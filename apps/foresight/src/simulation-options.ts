import { RuntimeError } from '@foresight/messaging';

/** What `foresight start` simulates: fleet size, simulated duration, seed and incident rate. */
export interface SimulationOptions {
  readonly vms: number;
  /** Simulated time over which incidents start (the run then continues until the last one's horizon has passed). */
  readonly durationMs: number;
  readonly seed: number;
  /** Incidents over the duration (default: one every 90 s). */
  readonly incidents: number;
  /** Simulated time between two rounds of publish → tick → drain. */
  readonly stepMs: number;
  /** One flow window per pathway every this long (the topology builder forgets pathways unseen for 30 min). */
  readonly flowWindowMs: number;
}

const MINUTE = 60_000;

/** Defaults of `npm start`: 2,000 VMs, one simulated hour, seed 1, an incident every 90 s, 5 s steps, flows every 10 min. */
export const DEFAULT_SIMULATION_OPTIONS: SimulationOptions = Object.freeze({
  vms: 2_000,
  durationMs: 60 * MINUTE,
  seed: 1,
  incidents: 40,
  stepMs: 5_000,
  flowWindowMs: 10 * MINUTE,
});

/** Fills defaults (the incident count follows the duration unless given); CONFIG_INVALID naming a bad option. */
export function resolveSimulationOptions(options: Partial<SimulationOptions> = {}): SimulationOptions {
  const durationMs = options.durationMs ?? DEFAULT_SIMULATION_OPTIONS.durationMs;
  const resolved: SimulationOptions = {
    ...DEFAULT_SIMULATION_OPTIONS,
    ...options,
    durationMs,
    incidents: options.incidents ?? Math.max(1, Math.round(durationMs / (90 * 1000))),
  };
  const positive: readonly (keyof SimulationOptions)[] = ['vms', 'durationMs', 'incidents', 'stepMs', 'flowWindowMs'];
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) throw new RuntimeError('CONFIG_INVALID', `${name} must be a positive integer, got ${value}`);
  }
  if (resolved.vms < 20) throw new RuntimeError('CONFIG_INVALID', `vms must be at least 20, got ${resolved.vms}`);
  if (!Number.isInteger(resolved.seed)) throw new RuntimeError('CONFIG_INVALID', `seed must be an integer, got ${resolved.seed}`);
  if (resolved.durationMs < 2 * MINUTE) throw new RuntimeError('CONFIG_INVALID', `duration must be at least 2 minutes, got ${resolved.durationMs} ms`);
  return resolved;
}
