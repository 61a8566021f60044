export { averagePrecision, brierScore, bootstrapInterval, weightedRatio, weightedMedian, PooledRanking, type Scored, type IncidentScores, type Interval } from './metrics.js';
export { UndirectedGraph, CooccurrenceHistory, type ScoreMap } from './baselines.js';
export { observeTopology, type ObservedTopology } from './observed-topology.js';
export { judgePrediction, type Prediction, type EstimatorIncident, type JudgingContext } from './incident-scoring.js';
export { labelSimulatedIncident, simulatedLabellingInput, observedOnsets, incidentSystem, type SimulatedLabelling } from './incident-labelling.js';
export { ExposureIndex } from '@foresight/core';
export {
  POLICY_NAMES, simulateNoAction, simulateOracle, simulateAllocator, allocatorHolds, judgeHolds, type PolicyName, type PolicyOutcome, type ClosedLoopOptions, type ClosedLoopRound, type Hold,
} from './closed-loop.js';
export { trueModel } from './true-model.js';
export {
  runEvaluation, ESTIMATOR_NAMES, ABLATION_NAMES,
  type EvaluationOptions, type EvaluationRun, type IncidentRecord, type EstimatorKey, type AblationName,
} from './runner.js';
export { summarise, type EvaluationResult, type EstimatorSummary, type PolicySummary, type GroupSummary, type OriginSummary } from './summary.js';
export { formatReport, resultJson, checkTargets, type TargetCheck } from './report.js';
export { simulatePerfectPrediction } from './perfect-prediction.js';
export {
  evaluateWorld, summariseWorld, summariseWorlds, parseWorldList, namesSplit, worldsJson, formatWorlds, describeWorldFamilies, WORLD_LIST_HELP,
  type WorldResult, type WorldsResult, type WorldRunOptions,
} from './world-comparison.js';
