import {
  createLearnerState, DEFAULT_ALLOCATION_POLICY, DEFAULT_LEARNER_STEP, defaultModel, ExposureIndex, ForesightError, learnerStep, learnerStepDue, recordOutcome,
  traceOrigin, GENERIC_ANOMALY_TYPE, scorePropagation, type EstimatorName, type IncidentOutcome, type LearnerState, type LearnerStepSettings,
  type ModelParameters, type PublicationVerdict, type TopologySnapshot,
} from '@foresight/core';
import type { AllocationPolicy } from '@foresight/core';
import {
  compileTruthGraph, flowEvents, generateIncidents, generateTopology, hostEvents, infectionProbabilities, inventoryEvents, scaledDetection, trueParameters,
  type Incident, type TruthGraph, type World, type WorldFamily,
} from '@foresight/sim';
import { CooccurrenceHistory, UndirectedGraph, type ScoreMap } from './baselines.js';
import { simulateAllocator, simulateNoAction, simulateOracle, type PolicyName, type PolicyOutcome } from './closed-loop.js';
import { simulatePerfectPrediction } from './perfect-prediction.js';
import { judgePrediction, type EstimatorIncident, type JudgingContext, type Prediction } from './incident-scoring.js';
import { observeTopology } from './observed-topology.js';
import { labelSimulatedIncident, type SimulatedLabelling } from './incident-labelling.js';
import { trueModel } from './true-model.js';

/** Knobs of an evaluation run; every default is the `foresight eval` default. */
export interface EvaluationOptions {
  readonly incidents?: number;
  readonly seed?: number;
  readonly vms?: number;
  /** Bootstrap replicates of the 95% intervals (default 200). */
  readonly bootstrap?: number;
  /** Cascades of core's Monte Carlo estimator (default 1000) and of the oracle (default 2000). */
  readonly monteCarloSamples?: number;
  readonly oracleSamples?: number;
  /**
   * Run the ablation streams (default true; 'learning-off': only the frozen default model beside the learning stream,
   * for the world families) and the closed loop (default true).
   */
  readonly ablations?: boolean | 'learning-off';
  readonly closedLoop?: boolean;
  /** Estimator of the predictive policy and of the ablations (default multipath). */
  readonly policyEstimator?: EstimatorName;
  /** Scoring floor of Foresight's estimators (default 0.001). */
  readonly floor?: number;
  /**
   * Utility of a useful grant against a wasted one (cost 1), from which learning tunes the grant threshold (default 3:
   * optimum 0.25 for calibrated probabilities; higher trades waste for protection).
   */
  readonly usefulGrantBenefit?: number;
  /** A world to use instead of a generated one (e.g. a loaded topology). */
  readonly world?: World;
  /**
   * A world family's world (libs/sim worldFamily): its fleet, truth and flow monitoring replace the generated ones and
   * `world`; `reach` and `detectionDelayScale` do not apply.
   */
  readonly family?: WorldFamily;
  /**
   * Sensitivity knobs of the hidden truth (docs/evaluation.md, "How the results depend on the world"): log-odds added
   * to every true carrier's intercept (default 0; > 0 widens cascades), and a factor on both detection-delay terms
   * (default 1; < 1 is faster monitoring).
   */
  readonly reach?: number;
  readonly detectionDelayScale?: number;
  /** What the predictive policy does with a lease whose VM turns anomalous: core policy.degradedLeases (default keep). */
  readonly degradedLeases?: AllocationPolicy['degradedLeases'];
  /** The learner step's settings (default: the learner service's, core DEFAULT_LEARNER_STEP); for experiments. */
  readonly learnerStep?: LearnerStepSettings;
}

export const ESTIMATOR_NAMES = ['mpp', 'multipath', 'montecarlo', 'ppr', 'bfs1', 'bfs2', 'cooccurrence', 'oracle', 'multipath-true', 'montecarlo-true'] as const;
export type EstimatorKey = (typeof ESTIMATOR_NAMES)[number];
export const ABLATION_NAMES = ['full', 'no-vulnerability', 'no-type-conditioning', 'uniform-edge-weights', 'learning-off'] as const;
export type AblationName = (typeof ABLATION_NAMES)[number];

/** Everything measured on one incident. */
export interface IncidentRecord {
  readonly index: number;
  readonly anomalyType: string;
  readonly affected: number;
  /** False when monitoring reported nothing: no method could act (closed loop still counted). */
  readonly detected: boolean;
  readonly estimators: Partial<Record<EstimatorKey, EstimatorIncident>>;
  readonly ablations: Partial<Record<AblationName, EstimatorIncident>>;
  readonly origin?: { readonly top1: boolean; readonly top3: boolean; readonly earliestReported: boolean; readonly failed: boolean };
  readonly policies?: Record<PolicyName, PolicyOutcome>;
}

/** The raw result of a run, before summarising. */
export interface EvaluationRun {
  readonly options: Required<Omit<EvaluationOptions, 'world' | 'family' | 'learnerStep'>>;
  readonly fleet: { readonly vms: number; readonly hosts: number; readonly pathways: number; readonly observedPathways: number };
  readonly records: readonly IncidentRecord[];
  readonly finalModel: ModelParameters;
  /** The last model of every learning stream (ablations included). */
  readonly finalModels: Partial<Record<AblationName, ModelParameters>>;
  /** The learning stream's training steps by the publication gate's verdict (PUBLISHED or why not). */
  readonly learnerVerdicts: Partial<Record<PublicationVerdict, number>>;
  readonly defaultModel: ModelParameters;
}

/** Operating threshold of the scores that are not a model's probability (PPR, co-occurrence, oracle). */
const BASELINE_THRESHOLD = 0.3;
const TRACE_WINDOW_MS = 2 * 60_000;

interface Stream {
  readonly name: AblationName;
  model: ModelParameters;
  readonly learn: boolean;
  readonly snapshot: TopologySnapshot;
  readonly uniform: boolean;
  readonly typeOf: (type: string) => string;
  /** The stream's starting model: the anchor of its windowed refits. */
  readonly prior: ModelParameters;
  /** The deployed learner's state: training buffer, refit window, held-out ring. */
  learner: LearnerState;
  lastAttemptRecorded: number;
  /** Training steps by the gate's verdict. */
  readonly verdicts: Map<PublicationVerdict, number>;
}

/**
 * The deployed learner, step for step: the judged incident is recorded in the learner's state (one in five held out
 * for the publication gate), and once enough new incidents arrived core's learnerStep runs exactly as the learner
 * service runs it (the new incidents once, the carriers refitted on the window toward the starting model, then the
 * publication gate); the stream's model changes only when the gate publishes.
 */
function learnStep(stream: Stream, outcome: IncidentOutcome, at: number, settings: LearnerStepSettings): void {
  stream.learner = recordOutcome(stream.learner, outcome, settings.state);
  if (!learnerStepDue(stream.learner, stream.lastAttemptRecorded, settings)) return;
  // The gate re-ranks held-out first assessments on the topology the stream scores on, as the learner service does on
  // the graph it loads.
  const step = learnerStep(stream.model, stream.learner, stream.prior, at, settings, { snapshot: stream.snapshot, baseline: stream.prior });
  stream.model = step.model;
  stream.learner = step.state;
  stream.lastAttemptRecorded = stream.learner.recorded;
  stream.verdicts.set(step.decision.verdict, (stream.verdicts.get(step.decision.verdict) ?? 0) + 1);
}

function resolve(options: EvaluationOptions): Required<Omit<EvaluationOptions, 'world' | 'family' | 'learnerStep'>> {
  return {
    incidents: options.incidents ?? 500, seed: options.seed ?? 1, vms: options.vms ?? 1000, bootstrap: options.bootstrap ?? 200,
    monteCarloSamples: options.monteCarloSamples ?? 1000, oracleSamples: options.oracleSamples ?? 2000, ablations: options.ablations ?? true,
    closedLoop: options.closedLoop ?? true, policyEstimator: options.policyEstimator ?? 'multipath', floor: options.floor ?? 0.001,
    usefulGrantBenefit: options.usefulGrantBenefit ?? 3, reach: options.reach ?? 0, detectionDelayScale: options.detectionDelayScale ?? 1,
    degradedLeases: options.degradedLeases ?? DEFAULT_ALLOCATION_POLICY.degradedLeases,
  };
}

function fromScore(atRisk: readonly { vmId: string; probability: number; etaAt: number }[]): Prediction {
  return { probability: new Map(atRisk.map((r) => [r.vmId, r.probability])), etaAt: new Map(atRisk.map((r) => [r.vmId, r.etaAt])) };
}

function plain(scores: ScoreMap): Prediction {
  return { probability: scores };
}

/**
 * Runs the prequential evaluation: for each incident in order, every estimator predicts from the VMs detected at the
 * first detection, the closed-loop policies act, origin tracing ranks candidates, and only then does each learning
 * stream learn from the incident's observed outcome (learnFromOutcomes on one incident).
 * `onProgress` (optional) is told after each incident.
 */
export function runEvaluation(options: EvaluationOptions = {}, onProgress?: (done: number, total: number) => void): EvaluationRun {
  const o = resolve(options);
  const world = options.family?.world ?? options.world ?? generateTopology({ vms: o.vms, seed: o.seed });
  const truth = options.family?.truth ?? trueParameters(world.vms, o.seed, { reach: o.reach, detection: scaledDetection(o.detectionDelayScale) });
  const incidents = generateIncidents(world, truth, { count: o.incidents, seed: o.seed });
  const telemetryAt = (incidents[0]?.onsetAt ?? 1_700_000_000_000) - 3_600_000;
  const flows = flowEvents(world, { ...options.family?.telemetry, seed: o.seed, until: telemetryAt });
  const observed = observeTopology(inventoryEvents(world, telemetryAt), hostEvents(world, telemetryAt), flows);
  const exposureIndex = new ExposureIndex(observed);
  const graph = new UndirectedGraph(observed.neighbours);
  const history = new CooccurrenceHistory(observed.vmById);
  const truthGraphs = new Map<string, TruthGraph>();
  const truthGraph = (type: string): TruthGraph => {
    let g = truthGraphs.get(type);
    if (g === undefined) truthGraphs.set(type, (g = compileTruthGraph(world, truth, type)));
    return g;
  };
  const base = defaultModel();
  const truthAsModel = trueModel(truth);
  const identity = (t: string): string => t;
  const stream = (name: AblationName, model: ModelParameters, rest: Partial<Pick<Stream, 'learn' | 'snapshot' | 'uniform' | 'typeOf'>> = {}): Stream => ({
    name, model, prior: model, learner: createLearnerState(), lastAttemptRecorded: 0, verdicts: new Map(), learn: rest.learn ?? true, snapshot: rest.snapshot ?? observed.snapshot, uniform: rest.uniform ?? false, typeOf: rest.typeOf ?? identity,
  });
  const streams: Stream[] = [stream('full', base)];
  if (o.ablations === 'learning-off') streams.push(stream('learning-off', base, { learn: false }));
  else if (o.ablations) {
    streams.push(
      stream('no-vulnerability', { ...base, vulnerabilityWeight: 0 }),
      stream('no-type-conditioning', base, { typeOf: () => GENERIC_ANOMALY_TYPE }),
      stream('uniform-edge-weights', base, { snapshot: observed.uniformSnapshot, uniform: true }),
      stream('learning-off', base, { learn: false }),
    );
  }
  const policy: AllocationPolicy = { ...DEFAULT_ALLOCATION_POLICY, degradedLeases: o.degradedLeases };
  const stepBase = options.learnerStep ?? DEFAULT_LEARNER_STEP;
  const learnerSettings: LearnerStepSettings = { ...stepBase, publication: { ...stepBase.publication, usefulGrantBenefit: o.usefulGrantBenefit } };
  const vmIds = observed.vms.map((vm) => vm.id);
  const records: IncidentRecord[] = [];

  for (const incident of incidents) {
    const record = evaluateIncident(incident);
    records.push(record);
    onProgress?.(records.length, incidents.length);
  }
  return {
    options: o,
    fleet: { vms: world.vms.length, hosts: world.hosts.length, pathways: world.pathways.length, observedPathways: observed.pathways.length },
    records, finalModel: streams[0].model, finalModels: Object.fromEntries(streams.map((s) => [s.name, s.model])), defaultModel: base,
    learnerVerdicts: Object.fromEntries(streams[0].verdicts),
  };

  function evaluateIncident(incident: Incident): IncidentRecord {
    const opens = incident.anomalyEvents.filter((e) => e.state === 'OPEN');
    const main = streams[0];
    const policies = o.closedLoop ? closedLoop(incident, main.model, opens.length > 0) : undefined;
    if (opens.length === 0) {
      return { index: incident.index, anomalyType: incident.anomalyType, affected: incident.affected.length, detected: false, estimators: {}, ablations: {}, ...(policies ? { policies } : {}) };
    }
    const predictedAt = opens[0].detectedAt;
    const sourceList: { vmId: string; onsetAt: number }[] = [];
    for (const e of opens) if (e.detectedAt <= predictedAt && !sourceList.some((s) => s.vmId === e.subjectId)) sourceList.push({ vmId: e.subjectId, onsetAt: e.eventTime });
    const sources = new Set(sourceList.map((s) => s.vmId));
    const ctx: JudgingContext = {
      vmIds, sources, predictedAt, actuationLatencyMs: policy.actuationLatencyMs,
      onsetOf: new Map(incident.affected.filter((a) => a.onsetAt <= incident.horizonEnd).map((a) => [a.vmId, a.onsetAt])),
    };
    const type = incident.anomalyType;
    const estimators: Partial<Record<EstimatorKey, EstimatorIncident>> = {};
    const ablations: Partial<Record<AblationName, EstimatorIncident>> = {};
    const listed = new Map<AblationName, SimulatedLabelling['listed']>();
    for (const stream of streams) {
      const t = stream.typeOf(type);
      const threshold = stream.model.grantThreshold;
      const score = (estimator: EstimatorName): Prediction => {
        const atRisk = scorePropagation(stream.snapshot, stream.model, t, sourceList, { estimator, floor: o.floor, samples: o.monteCarloSamples, seed: incident.index + 1 }).atRisk;
        if (estimator === o.policyEstimator) listed.set(stream.name, atRisk);
        return fromScore(atRisk);
      };
      if (stream.name === 'full') {
        for (const estimator of ['mpp', 'multipath', 'montecarlo'] as const) {
          estimators[estimator] = judgePrediction(score(estimator), threshold, ctx);
        }
        ablations.full = estimators[o.policyEstimator];
      } else {
        ablations[stream.name] = judgePrediction(score(o.policyEstimator), threshold, ctx);
      }
    }
    const sourceIds = sourceList.map((s) => s.vmId);
    estimators.ppr = judgePrediction(plain(graph.personalizedPageRank(sourceIds)), BASELINE_THRESHOLD, ctx);
    estimators.bfs1 = judgePrediction(plain(graph.bfs(sourceIds, 1)), 1, ctx);
    estimators.bfs2 = judgePrediction(plain(graph.bfs(sourceIds, 2)), 0.5, ctx);
    estimators.cooccurrence = judgePrediction(plain(history.score(sourceIds)), BASELINE_THRESHOLD, ctx);
    const tg = truthGraph(type);
    const trueAffected = new Map(incident.affected.map((a) => [a.vmId, a.onsetAt]));
    const seeds = sourceList.filter((s) => trueAffected.has(s.vmId)).map((s) => ({ node: tg.indexOf.get(s.vmId)!, onsetAt: trueAffected.get(s.vmId)! }));
    const oracle = seeds.length === 0 ? { probability: new Map<string, number>(), meanOnsetAt: new Map<string, number>() }
      : infectionProbabilities(tg, seeds, incident.horizonEnd, o.oracleSamples, o.seed * 7919 + incident.index);
    estimators.oracle = judgePrediction({ probability: oracle.probability, etaAt: oracle.meanOnsetAt }, BASELINE_THRESHOLD, ctx);
    for (const estimator of ['multipath', 'montecarlo'] as const) {
      const score = scorePropagation(observed.snapshot, truthAsModel, type, sourceList, { estimator, floor: o.floor, samples: o.monteCarloSamples, seed: incident.index + 1 });
      estimators[`${estimator}-true`] = judgePrediction(fromScore(score.atRisk), BASELINE_THRESHOLD, ctx);
    }

    const origin = traceOriginOf(incident, opens, predictedAt, main.model);

    // Learn only after everything has predicted (prequential).
    const laterDetected = opens.filter((e) => e.eventTime <= incident.horizonEnd).map((e) => e.subjectId);
    history.record(sourceIds, laterDetected);
    for (const stream of streams) {
      if (!stream.learn) continue;
      const t = stream.typeOf(type);
      // Labelled by the learner service's rule (core labelIncident) from what it would have been told: the first
      // assessment, the anomaly reports, Foresight's grants (the closed loop's, for the main stream).
      const grants = stream.name === 'full' ? policies?.predictive.foresightGrantAt : undefined;
      const degradedMinutes = stream.name === 'full' ? policies?.predictive.degradedMinutesByVm : undefined;
      const { outcome } = labelSimulatedIncident({
        incident, anomalyType: t, model: stream.model, sources: sourceList, assessedAt: predictedAt, listed: listed.get(stream.name) ?? [],
        features: observed.features, exposures: exposureIndex, neutralFeatures: stream.uniform, ...(grants === undefined ? {} : { grantAppliedAt: grants }),
        ...(degradedMinutes === undefined ? {} : { degradedMinutes }),
      });
      learnStep(stream, outcome, incident.horizonEnd, learnerSettings);
    }
    return { index: incident.index, anomalyType: type, affected: incident.affected.length, detected: true, estimators, ablations, origin, ...(policies ? { policies } : {}) };
  }

  function traceOriginOf(incident: Incident, opens: Incident['anomalyEvents'], predictedAt: number, model: ModelParameters): IncidentRecord['origin'] {
    const seen = opens.filter((e) => e.detectedAt <= predictedAt + TRACE_WINDOW_MS);
    const anomalous = seen.map((e) => ({ vmId: e.subjectId, at: e.eventTime }));
    const earliest = [...anomalous].sort((a, b) => a.at - b.at)[0]?.vmId;
    try {
      const ranked = traceOrigin(observed.snapshot, model, incident.anomalyType, {
        scope: { level: 'SYSTEM', id: seen[0].systemId }, anomalous, reportedAt: predictedAt,
      }, { topK: 3 });
      return { top1: ranked[0]?.vmId === incident.originVmId, top3: ranked.some((c) => c.vmId === incident.originVmId), earliestReported: earliest === incident.originVmId, failed: false };
    } catch (error) {
      // Evidence the tracer refuses (no candidate in scope, a VM it does not know) counts as a miss, and is counted;
      // anything else (bad parameters, a bug) stops the run.
      if (!(error instanceof ForesightError && (error.code === 'EMPTY_SOURCES' || error.code === 'UNKNOWN_VM'))) throw error;
      return { top1: false, top3: false, earliestReported: earliest === incident.originVmId, failed: true };
    }
  }

  function closedLoop(incident: Incident, model: ModelParameters, detected: boolean): Record<PolicyName, PolicyOutcome> {
    const none = simulateNoAction(incident, truth, observed);
    const oracle = simulateOracle(incident, truth, observed);
    if (!detected) return { none, reactive: none, predictive: none, 'perfect-prediction': none, oracle };
    const loop = { policy, estimator: o.policyEstimator };
    return {
      none,
      reactive: simulateAllocator('reactive', incident, truth, observed, model, loop),
      predictive: simulateAllocator('predictive', incident, truth, observed, model, loop),
      'perfect-prediction': simulatePerfectPrediction(incident, truth, observed, policy.actuationLatencyMs),
      oracle,
    };
  }
}
