// Scoring benchmark: snapshot build and size, per-type propagation CSRs, whole-graph MPP vs graphology's Dijkstra,
// and pruned incident latency. `npm run bench -- scoring [--json] [--vms N] [--edges M] [--seed S] [--incidents K]`
// The machine may be shared: the load average is printed at start and end; compare numbers from one run only.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { WELL_KNOWN_ANOMALY_TYPES } from '../src/model/anomaly-type.js';
import { defaultModel } from '../src/model/default-model.js';
import { searchMostProbablePaths } from '../src/propagation/most-probable-path.js';
import { propagationCsr, propagationCsrBytes } from '../src/propagation/propagation-csr.js';
import type { ScoringOptions } from '../src/propagation/propagation-score.js';
import { scratchFor } from '../src/propagation/propagation-scratch.js';
import { scorePropagation } from '../src/propagation/score-propagation.js';
import { transmissionWeights } from '../src/propagation/transmission-weights.js';
import { SeededRandom } from '../src/seeded-random.js';
import { buildTopologySnapshot } from '../src/topology/build-topology-snapshot.js';
import { graphologyGraph, graphologySingleSource } from './graphology-baseline.js';
import { generateFleet } from './synthetic-fleet.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number`);
  return value;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const json = process.argv.includes('--json');
const vmCount = flag('vms', 100_000);
const edgeCount = flag('edges', 1_000_000);
const seed = flag('seed', 1);
const incidents = flag('incidents', 1000);
const FULL_RUNS = 7;
const GRAPHOLOGY_RUNS = 3;
// Collect garbage between phases and before each timed whole-graph run (needs --expose-gc; npm run bench passes
// it), so one phase's garbage is not charged to the next. Collections are never inside a timed region.
// NOTE: gc() returns before V8 has finished sweeping (concurrent and lazy sweeping go on after the pause), so a run
// timed right after it shares the machine with the rest of the collection: measured at 100k VMs, a search took
// ~150 ms right after gc() and ~100-115 ms after a 150 ms to 1 s pause (with no collection between runs, caches still
// warm from the previous identical search: ~70-80 ms). Each collection is therefore followed by a pause; the runs stay
// cold-cache runs, like graphology's.
const SETTLE_MS = 150;
const collect = async (): Promise<void> => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
};
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const loadAtStart = load();
log(`load average (1, 5, 15 min) at start: ${loadAtStart}`);

const [fleet, generateMs] = timed(() => generateFleet({ vms: vmCount, edges: edgeCount, seed }));
log(`generated ${fleet.vms.length} VMs, ${fleet.pathways.length} pathways in ${generateMs.toFixed(0)} ms`);

let snapshot = buildTopologySnapshot(fleet.vms, fleet.pathways); // warm-up
const builds: number[] = [];
for (let i = 0; i < 3; i++) {
  const [s, ms] = timed(() => buildTopologySnapshot(fleet.vms, fleet.pathways));
  snapshot = s;
  builds.push(ms);
}
const snapshotBytesPerEdge = snapshot.byteSize() / snapshot.pathwayCount;

// Per type: transmission weights and the propagation CSR (first use), and the CSR's size per carried hop.
const model = defaultModel();
const types = [...WELL_KNOWN_ANOMALY_TYPES, 'generic'];
const weightTimes: number[] = [];
const csrTimes: number[] = [];
const csrRows: [string, string][] = [];
for (const type of types) {
  const [weights, wMs] = timed(() => transmissionWeights(snapshot, model, type));
  const [csr, cMs] = timed(() => propagationCsr(snapshot, weights));
  weightTimes.push(wMs);
  csrTimes.push(cMs);
  const hops = csr.targets.length;
  const bytes = propagationCsrBytes(csr);
  csrRows.push([`  propagation CSR ${type}`, `${hops} carried hops, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${(bytes / Math.max(hops, 1)).toFixed(2)} B per carried hop`]);
}
const weights = transmissionWeights(snapshot, model, 'generic');
const genericCsr = propagationCsr(snapshot, weights);

// Whole-graph MPP (floor 0) for `generic`, which travels every pathway both ways. Default (every VM explained with
// its path and contributions) and explain: 'none' are interleaved so both see the same machine load.
// NOTE: the first three sources and the incidents come from the same stream as in earlier versions of this bench.
const random = new SeededRandom(seed + 1);
const extra = new SeededRandom(seed + 2);
const fullSources = Array.from({ length: FULL_RUNS }, (_, i) => snapshot.vmIdAt((i < 3 ? random : extra).int(snapshot.vmCount))!);
const full = async (vmId: string, options: ScoringOptions): Promise<number> => {
  await collect();
  return timed(() => scorePropagation(snapshot, model, 'generic', [{ vmId, onsetAt: 0 }], { floor: 0, ...options }))[1];
};
// Scoring, then reading every entry's explanation (path and contributions are materialised on first read).
const fullRead = async (vmId: string): Promise<number> => {
  await collect();
  return timed(() => {
    let hops = 0;
    for (const r of scorePropagation(snapshot, model, 'generic', [{ vmId, onsetAt: 0 }], { floor: 0 }).atRisk) hops += r.contributions.length + r.path.length;
    return hops;
  })[1];
};
for (let i = 0; i < 2; i++) {
  await full(fullSources[i], {}); // warm-up
  await full(fullSources[i], { explain: 'none' });
  await fullRead(fullSources[i]);
}
const fullRuns: number[] = [];
const noExplainRuns: number[] = [];
const readAllRuns: number[] = [];
const searchRuns: number[] = [];
let reached = 0;
let meanPathLength = 0;
for (const vmId of fullSources) {
  fullRuns.push(await full(vmId, {}));
  noExplainRuns.push(await full(vmId, { explain: 'none' }));
  readAllRuns.push(await fullRead(vmId));
  await collect();
  const node = snapshot.indexOf(vmId);
  searchRuns.push(timed(() => searchMostProbablePaths(genericCsr, scratchFor(snapshot), [{ node, onsetAt: 0 }], Infinity))[1]);
}
{
  const score = scorePropagation(snapshot, model, 'generic', [{ vmId: fullSources[0], onsetAt: 0 }], { floor: 0 });
  reached = score.atRisk.length;
  meanPathLength = score.atRisk.reduce((sum, r) => sum + r.path.length, 0) / Math.max(reached, 1);
}
log(`whole-graph runs (ms): with paths ${fullRuns.map((x) => x.toFixed(0)).join(', ')}; explain none ${noExplainRuns.map((x) => x.toFixed(0)).join(', ')}; every explanation read ${readAllRuns.map((x) => x.toFixed(0)).join(', ')}; search ${searchRuns.map((x) => x.toFixed(0)).join(', ')}`);
const fullScoringMs = quantile(fullRuns, 0.5);
const fullScoringSearchMs = quantile(noExplainRuns, 0.5);
const fullScoringReadAllMs = quantile(readAllRuns, 0.5);
const searchOnlyMs = quantile(searchRuns, 0.5);

await collect();
// Pruned incidents: a random source VM and a random well-known type, default floor. The metric is the wall time of
// the first timed pass; each incident is then re-run PRUNED_PASSES − 1 times and its best time kept, a load-robust
// view of the same distribution (the OS gives the CPU to other jobs for whole milliseconds at a time).
const PRUNED_PASSES = 5;
type Incident = { readonly vmId: string; readonly type: string };
const draw = (rng: SeededRandom): Incident => {
  const vmId = snapshot.vmIdAt(rng.int(snapshot.vmCount))!;
  return { vmId, type: WELL_KNOWN_ANOMALY_TYPES[rng.int(WELL_KNOWN_ANOMALY_TYPES.length)] };
};
const run = ({ vmId, type }: Incident): [number, number] => {
  const [score, ms] = timed(() => scorePropagation(snapshot, model, type, [{ vmId, onsetAt: 0 }]));
  return [ms, score.touched];
};
for (let i = 0; i < Math.min(100, incidents); i++) run(draw(extra)); // warm-up
const incidentList = Array.from({ length: incidents }, () => draw(random));
await collect();
const prunedMs: number[] = [];
const touched: number[] = [];
for (const i of incidentList) {
  const [ms, t] = run(i);
  prunedMs.push(ms);
  touched.push(t);
}
const prunedBestMs = prunedMs.slice();
for (let pass = 1; pass < PRUNED_PASSES; pass++) {
  incidentList.forEach((i, k) => {
    prunedBestMs[k] = Math.min(prunedBestMs[k], run(i)[0]);
  });
}

await collect();
// graphology: the same traversable edges and weights, from the first sources of the whole-graph runs.
// NOTE: our runs are not repeated here: with graphology's multi-GB graph alive, our run would pay for its major GCs.
const [graph, graphologyBuildMs] = timed(() => graphologyGraph(snapshot, weights));
const graphologyRuns: number[] = [];
for (const vmId of fullSources.slice(0, GRAPHOLOGY_RUNS)) {
  const node = snapshot.indexOf(vmId);
  await collect();
  const [count, ms] = timed(() => graphologySingleSource(graph, node));
  graphologyRuns.push(ms);
  const ours = searchMostProbablePaths(genericCsr, scratchFor(snapshot), [{ node, onsetAt: 0 }], Infinity);
  if (count !== ours) throw new Error(`graphology reached ${count} nodes, we reached ${ours}`);
}
const graphologyDijkstraMs = quantile(graphologyRuns, 0.5);
graph.clear();
const loadAtEnd = load();

const result = {
  vms: snapshot.vmCount,
  edges: snapshot.pathwayCount,
  loadAverage: loadAtStart,
  loadAverageAtEnd: loadAtEnd,
  snapshotBuildMs: round(quantile(builds, 0.5)),
  snapshotBytesPerEdge: round(snapshotBytesPerEdge),
  genericCsrBytesPerHop: round(propagationCsrBytes(genericCsr) / genericCsr.targets.length),
  fullScoringMs: round(fullScoringMs),
  fullScoringSearchMs: round(fullScoringSearchMs),
  fullScoringReadAllMs: round(fullScoringReadAllMs),
  graphologyDijkstraMs: round(graphologyDijkstraMs),
  speedupVsGraphology: round(graphologyDijkstraMs / fullScoringMs),
  speedupSearchVsGraphology: round(graphologyDijkstraMs / fullScoringSearchMs),
  speedupReadAllVsGraphology: round(graphologyDijkstraMs / fullScoringReadAllMs),
  prunedP50Ms: round(quantile(prunedMs, 0.5), 4),
  prunedP99Ms: round(quantile(prunedMs, 0.99), 4),
  prunedBestOf5P99Ms: round(quantile(prunedBestMs, 0.99), 4),
  prunedTouchedP50: quantile(touched, 0.5),
  prunedTouchedP99: quantile(touched, 0.99),
};

const rows: [string, string][] = [
  ['load average (1, 5, 15 min) at start / end', `${loadAtStart} / ${loadAtEnd} (2 cores shared: other jobs inflate wall times)`],
  ['VMs / pathways / CSR edges (incl. hub edges)', `${snapshot.vmCount} / ${snapshot.pathwayCount} / ${snapshot.edgeCount}`],
  ['fleet generation', `${generateMs.toFixed(0)} ms`],
  ['snapshot build from arrays (median of 3)', `${result.snapshotBuildMs} ms`],
  ['snapshot bytes per pathway', `${result.snapshotBytesPerEdge} B (${(snapshot.byteSize() / 2 ** 20).toFixed(1)} MiB)`],
  ['transmission weights / propagation CSR per type (first use, median)', `${quantile(weightTimes, 0.5).toFixed(1)} / ${quantile(csrTimes, 0.5).toFixed(1)} ms`],
  ...csrRows,
  [`full MPP scoring, floor 0, generic, every VM explained (median of ${FULL_RUNS})`, `${result.fullScoringMs} ms (${reached} VMs at risk, mean path ${meanPathLength.toFixed(2)} VMs; paths read on demand)`],
  [`  same, then every path and contribution read (median of ${FULL_RUNS})`, `${result.fullScoringReadAllMs} ms (all ${reached} explanations materialised)`],
  [`  same, explain: 'none' (median of ${FULL_RUNS})`, `${result.fullScoringSearchMs} ms (entries without paths)`],
  ['  of which the search alone (median)', `${searchOnlyMs.toFixed(1)} ms`],
  [`graphology-shortest-path dijkstra.singleSource (median of ${GRAPHOLOGY_RUNS})`, `${result.graphologyDijkstraMs} ms (graph build ${graphologyBuildMs.toFixed(0)} ms)`],
  ['speedup vs graphology, every VM explained (the target)', `${result.speedupVsGraphology}× (graphology returns a path per node)`],
  ['speedup vs graphology, every explanation read', `${result.speedupReadAllVsGraphology}× (paths and per-hop contributions materialised)`],
  ['speedup vs graphology, no paths (not like for like)', `${result.speedupSearchVsGraphology}× (search alone ${(graphologyDijkstraMs / searchOnlyMs).toFixed(0)}×)`],
  [`pruned incidents (${incidents}, floor 0.01) p50 / p99 wall`, `${result.prunedP50Ms} / ${result.prunedP99Ms} ms (max ${quantile(prunedMs, 1).toFixed(2)} ms)`],
  [`  each incident's best of ${PRUNED_PASSES} passes, p50 / p99`, `${quantile(prunedBestMs, 0.5).toFixed(4)} / ${result.prunedBestOf5P99Ms} ms (load-robust; not the target metric)`],
  ['pruned touched VMs p50 / p99', `${result.prunedTouchedP50} / ${result.prunedTouchedP99}`],
];
const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
