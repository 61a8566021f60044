import type { FlowEvent } from '@foresight/contracts';
import { readFaults, readPodSeries, readSpans, traceFiles, nezhaDays } from './dataset-files.js';
import { FAULT_ANOMALY_TYPES, faultAnomalies, faultAnomalyId } from './fault-anomalies.js';
import type { NezhaFault } from './fault-list.js';
import { dayTopology, summarisePod } from './fleet-inventory.js';
import { serviceOfPod, vmIdOf } from './pod-names.js';
import { reachAnomalies } from './reach-anomalies.js';
import { countFalseFlags, type FalseFlagCount } from './reach-false-flags.js';
import { REACH_RULE, reachedPods, type ReachedPod } from './reach-labels.js';
import { inEventTimeOrder, type ImportLine } from './replay-order.js';
import { holdThroughGaps, pathwayFlow, SpanPathways } from './span-pathways.js';

/** How pathways are kept alive through missing trace minutes (span-pathways.ts holdThroughGaps). */
export const FLOW_HOLD = Object.freeze({
  /** A copy of a pathway's last window after this long without one (the topology builder forgets a pathway after 30 min). */
  everyMs: 10 * 60_000,
  /** Held until this long after the day's last injection (past the replay's 31-minute tail). */
  afterLastFaultMs: 31 * 60_000,
});

/** What the reach rule found for one fault: the labels (`--labels`). */
export interface FaultLabel {
  readonly faultId: string;
  readonly anomalyId: string;
  readonly day: string;
  readonly pod: string;
  readonly vmId: string;
  readonly type: string;
  readonly anomalyType: string;
  readonly injectedAt: number;
  /** The services (one pod each) the rule says the fault reached, and their pods' VM ids. */
  readonly reached: readonly string[];
  readonly reachedVms: readonly string[];
  readonly evidence: readonly { readonly pod: string; readonly signal: string; readonly at: number; readonly value: number; readonly threshold: number }[];
}

/** One day of the import, for the command's summary. */
export interface ImportedDay {
  readonly day: string;
  readonly pods: number;
  readonly hosts: number;
  readonly faults: number;
  readonly traceFiles: number;
  readonly flows: number;
  readonly heldFlows: number;
  /** The reach rule on fault-free minutes of construct_data. */
  readonly falseFlags: FalseFlagCount;
}

/** The import: replay lines in event-time order, the fault labels and what each day held. */
export interface NezhaImport {
  readonly lines: readonly ImportLine[];
  readonly labels: readonly FaultLabel[];
  readonly days: readonly ImportedDay[];
  /** The other pods of each fault's day, by fault id: the candidates a prediction is scored on. */
  readonly candidates: ReadonlyMap<string, readonly string[]>;
}

/** Options of importNezha. */
export interface NezhaImportOptions {
  /** Add the anomalies monitoring would report on the pods a fault reached (the learner's outcomes). Default false. */
  readonly withReached?: boolean;
}

function labelOf(fault: NezhaFault, reached: readonly ReachedPod[]): FaultLabel {
  return {
    faultId: fault.faultId, anomalyId: `${faultAnomalyId(fault)}-open`, day: fault.day, pod: fault.pod, vmId: vmIdOf(fault.day, fault.pod),
    type: fault.type, anomalyType: FAULT_ANOMALY_TYPES[fault.type], injectedAt: fault.injectedAt,
    reached: reached.map((r) => serviceOfPod(r.pod)), reachedVms: reached.map((r) => vmIdOf(fault.day, r.pod)),
    evidence: reached.flatMap((r) => r.flags.map((f) => ({ pod: r.pod, ...f }))),
  };
}

async function dayFlows(dir: string, day: string): Promise<{ flows: FlowEvent[]; files: number }> {
  const pathways = new SpanPathways();
  const flows: FlowEvent[] = [];
  const files = await traceFiles(dir, day);
  for (const file of files) for (const w of pathways.addFile(await readSpans(file))) flows.push(pathwayFlow(w, (pod) => vmIdOf(day, pod)));
  return { flows, files: files.length };
}

/** Imports a Nezha Online Boutique data set (folder with rca_data and construct_data) as replay input. */
export async function importNezha(dir: string, options: NezhaImportOptions = {}): Promise<NezhaImport> {
  const lines: ImportLine[] = [];
  const labels: FaultLabel[] = [];
  const days: ImportedDay[] = [];
  const candidates = new Map<string, string[]>();
  for (const day of await nezhaDays(dir)) {
    const faults = await readFaults(dir, day);
    const series = await readPodSeries(dir, 'rca_data', day);
    const injections = faults.map((f) => f.injectedAt);
    const { flows, files } = await dayFlows(dir, day);
    const lastFault = Math.max(...injections);
    const held = holdThroughGaps(flows, FLOW_HOLD.everyMs, lastFault + FLOW_HOLD.afterLastFaultMs);
    const start = Math.min(...series.map((s) => s.rows[0]?.at ?? Number.POSITIVE_INFINITY), ...flows.map((f) => f.windowStart));
    const { hosts, inventory } = dayTopology(day, series.map((s) => summarisePod(s.pod, s.rows)), start);
    lines.push(...hosts.map((message) => ({ topic: 'hosts' as const, message })), ...inventory.map((message) => ({ topic: 'inventory' as const, message })));
    lines.push(...[...flows, ...held].map((message) => ({ topic: 'flows' as const, message })));
    for (const fault of faults) {
      const reached = reachedPods(series, fault.pod, fault.injectedAt, injections, REACH_RULE);
      labels.push(labelOf(fault, reached));
      candidates.set(fault.faultId, series.filter((s) => s.pod !== fault.pod).map((s) => vmIdOf(day, s.pod)));
      lines.push(...faultAnomalies(fault).map((message) => ({ topic: 'anomalies' as const, message })));
      if (options.withReached === true) lines.push(...reachAnomalies(fault, reached).map((message) => ({ topic: 'anomalies' as const, message })));
    }
    const falseFlags = countFalseFlags(await readPodSeries(dir, 'construct_data', day), injections, REACH_RULE);
    days.push({ day, pods: series.length, hosts: hosts.length, faults: faults.length, traceFiles: files, flows: flows.length, heldFlows: held.length, falseFlags });
  }
  return { lines: inEventTimeOrder(lines), labels, days, candidates };
}
