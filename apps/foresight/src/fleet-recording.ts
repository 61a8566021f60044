import { buildFleetScenario, flowWindow, hostsAt, inventoryAt } from './fleet-scenario.js';
import { resolveSimulationOptions, type SimulationOptions } from './simulation-options.js';

/**
 * A simulated fleet as a replay recording, one NDJSON line at a time: inventory and hosts at the start, a flow window
 * per pathway every flowWindowMs, every reported anomaly at its detection time (what `foresight start` publishes,
 * without the actuator's outcomes). Lines are produced lazily, so a large recording is never held in memory.
 */
export function* fleetRecording(partial: Partial<SimulationOptions> = {}): Generator<string> {
  const options = resolveSimulationOptions(partial);
  const scenario = buildFleetScenario(options);
  const line = (topic: string, message: unknown): string => JSON.stringify({ topic, message });
  for (const e of hostsAt(scenario.world, scenario.startAt)) yield line('hosts', e);
  for (const e of inventoryAt(scenario.world, scenario.startAt)) yield line('inventory', e);
  let next = 0;
  for (let windowEnd = scenario.startAt; windowEnd <= scenario.endAt; windowEnd += options.flowWindowMs) {
    while (next < scenario.anomalies.length && scenario.anomalies[next].detectedAt < windowEnd) yield line('anomalies', scenario.anomalies[next++]);
    for (const e of flowWindow(scenario.world, options, windowEnd)) yield line('flows', e);
  }
  while (next < scenario.anomalies.length) yield line('anomalies', scenario.anomalies[next++]);
}
