import { ForesightError } from '../errors.js';
import { normaliseAnomalyType } from '../model/anomaly-type.js';
import type { ModelParameters } from '../model/model-parameters.js';
import type { TopologySnapshot } from '../topology/topology-snapshot.js';
import { simulateCascades } from './monte-carlo.js';
import { searchMostProbablePaths, type SourceNode } from './most-probable-path.js';
import { computeMultipathReach } from './multipath.js';
import { ExplainedRiskEntry } from './explained-risk-entry.js';
import { PathTree } from './path-tree.js';
import { propagationCsr, type PropagationCsr } from './propagation-csr.js';
import {
  DEFAULT_PROBABILITY_FLOOR, type EstimatorName, type ExplainOption, type PropagationScore, type PropagationSource, type RiskEntry, type ScoringOptions,
} from './propagation-score.js';
import { scratchFor, type PropagationScratch } from './propagation-scratch.js';
import { sortByRisk, vmIdOrder } from './risk-order.js';
import { transmissionWeights, type TransmissionWeights } from './transmission-weights.js';

const ESTIMATORS: readonly EstimatorName[] = ['mpp', 'multipath', 'montecarlo'];
const DEFAULT_SAMPLES = 2000;
const MAX_SAMPLES = 10_000_000;
// Slack on the pruning bound so a node sitting exactly on the floor is not lost to rounding; the output filter is exact.
const LIMIT_SLACK = 1e-9;

/**
 * Scores how one anomaly type spreads from known-anomalous sources over a snapshot: for every VM at or above the
 * floor, the probability it becomes anomalous, when (ETA), and the likeliest path with per-hop contributions.
 * Estimators (docs/propagation-model.md): 'mpp' (default) most probable path, 'multipath' noisy-or over the MPP
 * DAG, 'montecarlo' independent-cascade simulation. Unknown anomaly types use the model's `generic` parameters.
 */
export function scorePropagation(
  snapshot: TopologySnapshot, model: ModelParameters, anomalyType: string, sources: readonly PropagationSource[], options: ScoringOptions = {},
): PropagationScore {
  const estimator = options.estimator ?? 'mpp';
  if (!ESTIMATORS.includes(estimator)) throw new ForesightError('INVALID_ARGUMENT', `unknown estimator ${String(estimator)}`);
  const floor = options.floor ?? DEFAULT_PROBABILITY_FLOOR;
  if (typeof floor !== 'number' || !(floor >= 0 && floor < 1)) throw new ForesightError('INVALID_ARGUMENT', `floor must be in [0, 1), got ${String(floor)}`);
  const explained = explainedCount(options.explain);
  const sourceNodes = resolveSources(snapshot, sources);
  const weights = transmissionWeights(snapshot, model, anomalyType);
  const scratch = scratchFor(snapshot);
  applyFactors(snapshot, scratch, options.nodeFactors);
  try {
    const limit = estimator === 'montecarlo' || floor === 0 ? Infinity : -Math.log(floor) + LIMIT_SLACK;
    const csr = propagationCsr(snapshot, weights);
    searchMostProbablePaths(csr, scratch, sourceNodes, limit);
    const atRisk = estimator === 'mpp' ? mppEntries(snapshot, csr, scratch, floor, explained)
      : estimator === 'multipath' ? multipathEntries(snapshot, weights, csr, scratch, floor, explained)
        : monteCarloEntries(snapshot, weights, csr, scratch, sourceNodes, floor, explained, options);
    let touched = 0;
    if (estimator === 'montecarlo') touched = atRisk.touched;
    else for (let k = 0; k < scratch.settledCount; k++) if (scratch.order[k] < snapshot.vmCount) touched++;
    return {
      anomalyType: normaliseAnomalyType(anomalyType),
      resolvedType: weights.resolvedType,
      estimator,
      sources: sources.slice(),
      atRisk: atRisk.entries,
      touched,
    };
  } finally {
    scratch.clearFactors();
  }
}

function explainedCount(explain: ExplainOption | undefined): number {
  if (explain === undefined || explain === 'all') return Infinity;
  if (explain === 'none') return 0;
  if (typeof explain !== 'number' || !Number.isInteger(explain) || explain < 0) {
    throw new ForesightError('INVALID_ARGUMENT', `explain must be 'all', 'none' or a non-negative integer, got ${String(explain)}`);
  }
  return explain;
}

interface Entries {
  readonly entries: RiskEntry[];
  readonly touched: number;
}

function resolveSources(snapshot: TopologySnapshot, sources: readonly PropagationSource[]): SourceNode[] {
  if (sources.length === 0) throw new ForesightError('EMPTY_SOURCES', 'scoring needs at least one source VM');
  return sources.map((source) => {
    const node = snapshot.indexOf(source.vmId);
    if (node === -1) throw new ForesightError('UNKNOWN_VM', `source vm ${source.vmId} is not in snapshot v${snapshot.version}`);
    if (typeof source.onsetAt !== 'number' || !Number.isFinite(source.onsetAt)) {
      throw new ForesightError('INVALID_ARGUMENT', `source ${source.vmId}: onsetAt must be a finite event time, got ${String(source.onsetAt)}`);
    }
    return { node, onsetAt: source.onsetAt };
  });
}

// NOTE: evidence about VMs the snapshot does not know is ignored (the VM may have been removed since).
function applyFactors(snapshot: TopologySnapshot, scratch: PropagationScratch, factors: ReadonlyMap<string, number> | undefined): void {
  if (factors === undefined) return;
  for (const [vmId, factor] of factors) {
    if (typeof factor !== 'number' || !(factor >= 0 && factor <= 1)) {
      scratch.clearFactors();
      throw new ForesightError('INVALID_ARGUMENT', `nodeFactors ${vmId}: factor must be in [0, 1], got ${String(factor)}`);
    }
    const node = snapshot.indexOf(vmId);
    if (node !== -1 && factor < 1) scratch.setFactor(node, factor);
  }
}

const UNEXPLAINED: readonly never[] = Object.freeze([]);

/**
 * Builds the entries of the first `count` risk nodes (already ordered); the first `explained` get explanations, read
 * lazily from the captured most-probable-path tree (ancestors settle first, so it keeps the ranks up to the deepest).
 */
function entries(snapshot: TopologySnapshot, csr: PropagationCsr, scratch: PropagationScratch, count: number, explained: number): RiskEntry[] {
  const { riskNodes, riskRank, riskProbability, riskEta } = scratch;
  const ids = snapshot.vmIds();
  const out = new Array<RiskEntry>(count);
  const withPaths = Math.min(count, explained);
  if (withPaths > 0) {
    let deepest = 0;
    for (let i = 0; i < withPaths; i++) deepest = Math.max(deepest, riskRank[i]);
    const tree = new PathTree(snapshot, csr, scratch, deepest + 1);
    for (let i = 0; i < withPaths; i++) out[i] = new ExplainedRiskEntry(ids[riskNodes[i]], riskProbability[i], riskEta[i], tree, riskRank[i]);
  }
  for (let i = withPaths; i < count; i++) {
    const v = riskNodes[i];
    out[i] = { vmId: ids[v], probability: riskProbability[i], etaAt: riskEta[i], path: UNEXPLAINED, contributions: UNEXPLAINED };
  }
  return out;
}

function mppEntries(snapshot: TopologySnapshot, csr: PropagationCsr, scratch: PropagationScratch, floor: number, explained: number): Entries {
  // Everything is read per settle rank, in order: no random access into the node-indexed buffers.
  const { order, settledParent, settledCost, settledEta, riskNodes, riskRank, riskProbability, riskEta } = scratch;
  const { vmCount } = snapshot;
  let count = 0;
  for (let k = 0; k < scratch.settledCount; k++) {
    const probability = Math.exp(-settledCost[k]);
    if (probability < floor || probability === 0) break; // settle order is by cost: every later node is below too
    const v = order[k];
    if (v >= vmCount || settledParent[k] === -1) continue;
    riskNodes[count] = v;
    riskRank[count] = k;
    riskProbability[count++] = probability;
  }
  // Settle order is already by probability (desc); only runs of equal probability need ordering by vmId.
  sortByRisk(riskNodes, riskProbability, riskRank, count, vmIdOrder(snapshot));
  for (let i = 0; i < count; i++) riskEta[i] = settledEta[riskRank[i]];
  return { entries: entries(snapshot, csr, scratch, count, explained), touched: 0 };
}

function multipathEntries(
  snapshot: TopologySnapshot, weights: TransmissionWeights, csr: PropagationCsr, scratch: PropagationScratch, floor: number, explained: number,
): Entries {
  computeMultipathReach(snapshot, weights, scratch);
  const { order, reach, settledParent, settledEta, riskNodes, riskRank, riskProbability } = scratch;
  let count = 0;
  for (let k = 0; k < scratch.settledCount; k++) {
    const v = order[k];
    if (v >= snapshot.vmCount || settledParent[k] === -1) continue;
    const probability = reach[v];
    if (probability < floor || probability === 0) continue;
    riskNodes[count] = v;
    riskRank[count] = k;
    riskProbability[count++] = probability;
  }
  sortByRisk(riskNodes, riskProbability, riskRank, count, vmIdOrder(snapshot));
  for (let i = 0; i < count; i++) scratch.riskEta[i] = settledEta[riskRank[i]];
  return { entries: entries(snapshot, csr, scratch, count, explained), touched: 0 };
}

function monteCarloEntries(
  snapshot: TopologySnapshot, weights: TransmissionWeights, csr: PropagationCsr, scratch: PropagationScratch, sources: readonly SourceNode[],
  floor: number, explained: number, options: ScoringOptions,
): Entries {
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(samples) || samples < 1 || samples > MAX_SAMPLES) {
    throw new ForesightError('INVALID_ARGUMENT', `samples must be an integer in [1, ${MAX_SAMPLES}], got ${String(samples)}`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new ForesightError('INVALID_ARGUMENT', `seed must be an integer, got ${String(seed)}`);
  const tally = simulateCascades(snapshot, weights, scratch.factorCost, sources, samples, seed);
  const { riskNodes, riskRank, riskProbability, rank } = scratch;
  let count = 0;
  for (const v of tally.reached) {
    if (scratch.parentNode[v] === -1 && scratch.dist[v] === 0) continue; // a source
    const probability = tally.hits[v] / samples;
    if (probability < floor) continue;
    riskNodes[count] = v;
    riskRank[count] = rank[v];
    riskProbability[count++] = probability;
  }
  sortByRisk(riskNodes, riskProbability, riskRank, count, vmIdOrder(snapshot));
  for (let i = 0; i < count; i++) scratch.riskEta[i] = tally.arrivalSum[riskNodes[i]] / tally.hits[riskNodes[i]];
  return { entries: entries(snapshot, csr, scratch, count, explained), touched: tally.reached.length };
}
