// Scoring benchmark: snapshot build, whole-graph MPP vs graphology's Dijkstra, and pruned incident latency.
// `npm run bench -- scoring [--json] [--vms N] [--edges M] [--seed S] [--incidents K]`
import { performance } from 'node:perf_hooks';
import Graph from 'graphology';
import { dijkstra } from 'graphology-shortest-path';
import { WELL_KNOWN_ANOMALY_TYPES } from '../src/model/anomaly-type.js';
import { defaultModel } from '../src/model/default-model.js';
import { searchMostProbablePaths } from '../src/propagation/most-probable-path.js';
import { scratchFor } from '../src/propagation/propagation-scratch.js';
import { scorePropagation } from '../src/propagation/score-propagation.js';
import { transmissionWeights } from '../src/propagation/transmission-weights.js';
import { SeededRandom } from '../src/seeded-random.js';
import { buildTopologySnapshot } from '../src/topology/build-topology-snapshot.js';
import { generateFleet } from './synthetic-fleet.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number`);
  return value;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

const json = process.argv.includes('--json');
const vmCount = flag('vms', 100_000);
const edgeCount = flag('edges', 1_000_000);
const seed = flag('seed', 1);
const incidents = flag('incidents', 1000);
// Collect garbage between phases when run with --expose-gc (npm run bench does), so one phase's garbage is not
// charged to the next.
const collect = (): void => {
  (globalThis as { gc?: () => void }).gc?.();
};
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const [fleet, generateMs] = timed(() => generateFleet({ vms: vmCount, edges: edgeCount, seed }));
log(`generated ${fleet.vms.length} VMs, ${fleet.pathways.length} pathways in ${generateMs.toFixed(0)} ms`);

const builds: number[] = [];
let snapshot = buildTopologySnapshot(fleet.vms, fleet.pathways);
for (let i = 0; i < 3; i++) {
  const [s, ms] = timed(() => buildTopologySnapshot(fleet.vms, fleet.pathways));
  snapshot = s;
  builds.push(ms);
}
const snapshotBuildMs = quantile(builds, 0.5);
const snapshotBytesPerEdge = snapshot.byteSize() / snapshot.pathwayCount;

const model = defaultModel();
const weightTimes: number[] = [];
for (const type of [...WELL_KNOWN_ANOMALY_TYPES, 'generic']) weightTimes.push(timed(() => transmissionWeights(snapshot, model, type))[1]);

collect();
// Whole-graph MPP (floor 0) for the `generic` type, which travels every pathway both ways.
const random = new SeededRandom(seed + 1);
const fullSources = Array.from({ length: 3 }, () => snapshot.vmIdAt(random.int(snapshot.vmCount))!);
const fullRuns: number[] = [];
const searchRuns: number[] = [];
let reached = 0;
const weights = transmissionWeights(snapshot, model, 'generic');
scorePropagation(snapshot, model, 'generic', [{ vmId: fullSources[0], onsetAt: 0 }], { floor: 0 }); // warm-up
for (let round = 0; round < 2; round++) {
  for (const vmId of fullSources) {
    const [score, ms] = timed(() => scorePropagation(snapshot, model, 'generic', [{ vmId, onsetAt: 0 }], { floor: 0 }));
    fullRuns.push(ms);
    reached = score.atRisk.length;
    const scratch = scratchFor(snapshot);
    searchRuns.push(timed(() => searchMostProbablePaths(snapshot, weights, scratch, [{ node: snapshot.indexOf(vmId), onsetAt: 0 }], Infinity))[1]);
  }
}
const fullScoringMs = quantile(fullRuns, 0.5);
const fullSearchMs = quantile(searchRuns, 0.5);

collect();
// Pruned incidents: a random source VM and a random well-known type, default floor.
const prunedMs: number[] = [];
const touched: number[] = [];
for (let i = 0; i < incidents; i++) {
  const vmId = snapshot.vmIdAt(random.int(snapshot.vmCount))!;
  const type = WELL_KNOWN_ANOMALY_TYPES[random.int(WELL_KNOWN_ANOMALY_TYPES.length)];
  const [score, ms] = timed(() => scorePropagation(snapshot, model, type, [{ vmId, onsetAt: 0 }]));
  prunedMs.push(ms);
  touched.push(score.touched);
}

collect();
// graphology: the same traversable edges (each finite forward / reverse cost becomes a directed edge) and weights.
const [graph, graphologyBuildMs] = timed(() => {
  const g = new Graph.MultiDirectedGraph<Record<string, never>, { w: number }>();
  for (let v = 0; v < snapshot.nodeCount; v++) g.addNode(String(v));
  for (let u = 0; u < snapshot.nodeCount; u++) {
    for (let e = snapshot.outOffsets[u]; e < snapshot.outOffsets[u + 1]; e++) {
      const v = snapshot.outTargets[e];
      if (weights.forwardCost[e] < Infinity) g.addDirectedEdge(String(u), String(v), { w: weights.forwardCost[e] });
      if (weights.reverseCost[e] < Infinity) g.addDirectedEdge(String(v), String(u), { w: weights.reverseCost[e] });
    }
  }
  return g;
});
const graphologyRuns: number[] = [];
for (const vmId of fullSources) {
  const [paths, ms] = timed(() => dijkstra.singleSource(graph, String(snapshot.indexOf(vmId)), 'w'));
  graphologyRuns.push(ms);
  const ours = searchMostProbablePaths(snapshot, weights, scratchFor(snapshot), [{ node: snapshot.indexOf(vmId), onsetAt: 0 }], Infinity);
  if (Object.keys(paths).length !== ours) throw new Error(`graphology reached ${Object.keys(paths).length} nodes, we reached ${ours}`);
}
const graphologyDijkstraMs = quantile(graphologyRuns, 0.5);
graph.clear();

const result = {
  vms: snapshot.vmCount,
  edges: snapshot.pathwayCount,
  snapshotBuildMs: round(snapshotBuildMs),
  snapshotBytesPerEdge: round(snapshotBytesPerEdge),
  fullScoringMs: round(fullScoringMs),
  graphologyDijkstraMs: round(graphologyDijkstraMs),
  speedupVsGraphology: round(graphologyDijkstraMs / fullScoringMs),
  prunedP50Ms: round(quantile(prunedMs, 0.5), 4),
  prunedP99Ms: round(quantile(prunedMs, 0.99), 4),
  prunedTouchedP50: quantile(touched, 0.5),
};

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const rows: [string, string][] = [
  ['VMs / pathways / CSR edges (incl. hub edges)', `${snapshot.vmCount} / ${snapshot.pathwayCount} / ${snapshot.edgeCount}`],
  ['fleet generation', `${generateMs.toFixed(0)} ms`],
  ['snapshot build from arrays (median of 3)', `${result.snapshotBuildMs} ms`],
  ['snapshot bytes per pathway', `${result.snapshotBytesPerEdge} B (${(snapshot.byteSize() / 2 ** 20).toFixed(1)} MiB)`],
  ['transmission weights per type (first use, median)', `${quantile(weightTimes, 0.5).toFixed(1)} ms`],
  ['full MPP scoring, floor 0, generic (median)', `${result.fullScoringMs} ms (${reached} VMs at risk, with paths)`],
  ['  of which the search alone (median)', `${fullSearchMs.toFixed(1)} ms`],
  ['graphology-shortest-path dijkstra.singleSource (median)', `${result.graphologyDijkstraMs} ms (graph build ${graphologyBuildMs.toFixed(0)} ms)`],
  ['speedup vs graphology', `${result.speedupVsGraphology}× (search alone ${(graphologyDijkstraMs / fullSearchMs).toFixed(0)}×)`],
  [`pruned incidents (${incidents}, floor 0.01) p50 / p99`, `${result.prunedP50Ms} / ${result.prunedP99Ms} ms (max ${quantile(prunedMs, 1).toFixed(2)} ms)`],
  ['pruned touched VMs p50 / p99', `${result.prunedTouchedP50} / ${quantile(touched, 0.99)}`],
];
const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
