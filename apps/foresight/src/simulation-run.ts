import { DEFAULT_ALLOCATION_POLICY } from '@foresight/core';
import type { Logger } from '@foresight/messaging';
import { embeddedRuntime } from './embedded-pipeline.js';
import { buildFleetScenario, flowWindow, hostsAt, inventoryAt, type FleetScenario } from './fleet-scenario.js';
import { firstAssessments, matchIncidents } from './incident-matching.js';
import { pickShowcase, type IncidentShowcase } from './incident-showcase.js';
import { PipelineRecorder } from './pipeline-recorder.js';
import { judgePolicies, reactiveHolds, type Policy, type PolicyTotals } from './policy-accounting.js';
import { judgePredictions, type PredictionTotals } from './prediction-accounting.js';
import { resolveSimulationOptions, type SimulationOptions } from './simulation-options.js';
import type { PipelineRuntime } from './simulation-pipeline.js';
import { SimulatedActuator } from './simulated-actuator.js';

/** The live state of a run, for the progress bar and the live line. */
export interface SimulationProgress {
  readonly startAt: number;
  readonly now: number;
  readonly endAt: number;
  readonly openIncidents: number;
  readonly atRiskVms: number;
  readonly activeGrants: number;
  /** Degraded VM-minutes of the incidents judged so far (horizon passed): predictive vs the reactive baseline. */
  readonly degradedSoFar: number;
  readonly reactiveSoFar: number;
  readonly judgedIncidents: number;
}

/** What a run measured, ready for the summary table and the HTML report. */
export interface SimulationResult {
  readonly options: SimulationOptions;
  /** Where the services ran: 'embedded' (in memory) or 'stack' (Kafka, Neo4j, Redis), and on what. */
  readonly runtime: { readonly mode: PipelineRuntime['mode']; readonly description: string };
  readonly fleet: { readonly vms: number; readonly hosts: number; readonly pathways: number; readonly systems: number };
  readonly startAt: number;
  readonly endAt: number;
  readonly incidents: number;
  readonly detectedIncidents: number;
  readonly policies: Record<Policy, PolicyTotals>;
  readonly prediction: PredictionTotals;
  readonly messages: { readonly risk: number; readonly allocations: number; readonly outcomes: number; readonly models: number; readonly published: number };
  readonly showcase: IncidentShowcase | undefined;
  /** Wall time of the run (measured by the caller's clock, passed in). */
  readonly wallMs: number;
}

/**
 * Hooks of a run: where the services run (default: embedded), progress (every `progressEveryMs` of simulated time) and
 * the wall clock (only for the reported duration).
 */
export interface SimulationHooks {
  readonly runtime?: PipelineRuntime;
  /** Aborting stops the run at the next step: the services stop and runSimulation rejects with the abort reason. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SimulationProgress) => void;
  readonly progressEveryMs?: number;
  readonly wallClock?: () => number;
  readonly logger?: Logger;
}

const BATCH = 2_000;

/**
 * Runs the whole pipeline on a simulated fleet, faster than real time: inventory and hosts at the start, a flow window
 * per pathway every flowWindowMs, every reported anomaly at its detection time, all published through the pipeline's
 * bus (so Avro validation happens). Between steps the bus is drained and every service ticks at the simulated time; a
 * simulated actuator carries out the allocations. At the end the three policies are judged on the same incidents.
 * The same run works on either runtime: the simulation owns event time, the pipeline only has to catch up.
 */
export async function runSimulation(partial: Partial<SimulationOptions> = {}, hooks: SimulationHooks = {}): Promise<SimulationResult> {
  const wall = hooks.wallClock ?? (() => 0);
  const began = wall();
  const options = resolveSimulationOptions(partial);
  const scenario = buildFleetScenario(options);
  const reactive = reactiveHolds(scenario);
  const actuator = new SimulatedActuator(scenario.world, DEFAULT_ALLOCATION_POLICY.actuationLatencyMs);
  const recorder = new PipelineRecorder();
  const runtime = hooks.runtime ?? embeddedRuntime();
  const pipeline = await runtime.start({
    ...(hooks.logger === undefined ? {} : { logger: hooks.logger }),
    allocator: { budget: scenario.observed.pool.budget },
    extraConsumers: [actuator.consumer(`${runtime.topicPrefix}simulated-actuator`), ...recorder.consumers(`${runtime.topicPrefix}embedded-recorder`)],
  });
  let published = 0;
  let outcomes = 0;
  const publishAll = async <T>(list: readonly T[], send: (batch: readonly T[]) => Promise<void>): Promise<void> => {
    for (let k = 0; k < list.length; k += BATCH) await send(list.slice(k, k + BATCH));
    published += list.length;
  };
  try {
    await publishAll(inventoryAt(scenario.world, scenario.startAt), (b) => pipeline.publish('inventory', b));
    await publishAll(hostsAt(scenario.world, scenario.startAt), (b) => pipeline.publish('hosts', b));
    let nextFlowAt = scenario.startAt;
    let nextAnomaly = 0;
    let nextProgress = scenario.startAt;
    const every = hooks.progressEveryMs ?? 60_000;
    for (let now = scenario.startAt; ; now = Math.min(now + options.stepMs, scenario.endAt)) {
      hooks.signal?.throwIfAborted();
      if (now >= nextFlowAt) {
        await publishAll(flowWindow(scenario.world, options, nextFlowAt), (b) => pipeline.publish('flows', b));
        nextFlowAt += options.flowWindowMs;
      }
      const due = [];
      while (nextAnomaly < scenario.anomalies.length && scenario.anomalies[nextAnomaly].detectedAt <= now) due.push(scenario.anomalies[nextAnomaly++]);
      if (due.length > 0) await publishAll(due, (b) => pipeline.publish('anomalies', b));
      const ready = actuator.takeDue(now);
      if (ready.length > 0) {
        await publishAll(ready, (b) => pipeline.publish('allocation-outcomes', b));
        outcomes += ready.length;
      }
      await pipeline.drain();
      await pipeline.advance(now);
      if (hooks.onProgress !== undefined && (now >= nextProgress || now >= scenario.endAt)) {
        nextProgress = now + every;
        hooks.onProgress(progressAt(scenario, now, pipeline.gauges, actuator, reactive, recorder));
      }
      if (now >= scenario.endAt) break;
    }
  } catch (error) {
    // NOTE: stop the services and close their connections, or a failed stack run would hang on open sockets.
    await pipeline.stop().catch(() => undefined);
    throw error;
  }
  await pipeline.stop();
  actuator.closeAll(scenario.endAt);
  const match = matchIncidents(scenario.incidents, recorder.risks);
  const first = firstAssessments(recorder.risks);
  return {
    options,
    runtime: { mode: runtime.mode, description: runtime.description },
    fleet: {
      vms: scenario.world.vms.length, hosts: scenario.world.hosts.length, pathways: scenario.world.pathways.length,
      systems: new Set(scenario.world.vms.map((vm) => vm.systemId)).size,
    },
    startAt: scenario.startAt,
    endAt: scenario.endAt,
    incidents: scenario.incidents.length,
    detectedIncidents: scenario.incidents.filter((i) => i.anomalyEvents.some((e) => e.state === 'OPEN')).length,
    policies: judgePolicies(scenario, reactive, actuator.holds, match, scenario.endAt),
    prediction: judgePredictions(scenario, first, match, recorder.models),
    messages: { risk: recorder.risks.length, allocations: recorder.allocations.length, outcomes, models: recorder.models.length, published },
    showcase: pickShowcase(scenario.incidents, first, match, actuator.holds, reactive, scenario.endAt),
    wallMs: wall() - began,
  };
}

function progressAt(
  scenario: FleetScenario, now: number, gauges: { readonly openIncidents: number; readonly atRiskVms: number }, actuator: SimulatedActuator,
  reactive: ReturnType<typeof reactiveHolds>, recorder: PipelineRecorder,
): SimulationProgress {
  const match = matchIncidents(scenario.incidents, recorder.risks);
  const judged = judgePolicies(scenario, reactive, actuator.holds, match, now, now);
  return {
    startAt: scenario.startAt, now, endAt: scenario.endAt, openIncidents: gauges.openIncidents, atRiskVms: gauges.atRiskVms, activeGrants: actuator.activeAt(now),
    degradedSoFar: judged.predictive.degradedVmMinutes, reactiveSoFar: judged.reactive.degradedVmMinutes,
    judgedIncidents: judged.none.perIncident.length,
  };
}

