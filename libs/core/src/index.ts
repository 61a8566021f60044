export { ForesightError, isForesightError, type CoreErrorCode } from './errors.js';
export { SeededRandom } from './seeded-random.js';
export {
  RESOURCE_KEYS, ZERO_RESOURCES, addResources, subtractResources, minResources, scaleResources, fitsWithin, isZeroResources, assertResources,
  type Resources, type ResourceKey,
} from './resources.js';
export { assertVm, type Vm } from './topology/vm.js';
export {
  PATHWAY_KINDS, OBSERVED_PATHWAY_KINDS, PATHWAY_KIND_INDEX, NEUTRAL_FEATURES, isPathwayKind, pathwayKey, assertPathwayFeatures, assertPathway,
  type PathwayKind, type Direction, type PathwayFeatures, type Pathway,
} from './topology/pathway.js';
export { WELL_KNOWN_ANOMALY_TYPES, GENERIC_ANOMALY_TYPE, normaliseAnomalyType, type WellKnownAnomalyType } from './model/anomaly-type.js';
export type { CarrierParameters, CarrierTable, AnomalyTypeParameters, BetaPosterior, ModelParameters } from './model/model-parameters.js';
export {
  FEATURE_NAMES, FEATURE_COUNT, MAX_EDGE_PROBABILITY, featureVector, sigmoid, logit, typeParameters, carrierFor, posteriorMean, vulnerabilityOffset,
  carrierLogit, hopProbability,
} from './model/transmission.js';
export { defaultModel } from './model/default-model.js';
export type { AtRiskVm } from './allocation/at-risk-vm.js';
export { leaseIdFor, isLeaseExpired, type Lease } from './allocation/lease.js';
export { vmCap, type ResourcePool, type VmCaps } from './allocation/resource-pool.js';
export { DEFAULT_ALLOCATION_POLICY, DEGRADED_LEASES, type AllocationPolicy, type DegradedLeases } from './allocation/allocation-policy.js';
export type { DegradedVm } from './allocation/degraded-vm.js';
export type {
  AllocationAction, AllocationWhy, DeferralWhy, CapacityLimit, AllocationReason, AllocationDecision, DeferredGrant, AllocationPlan,
} from './allocation/allocation-plan.js';
export type { AllocationRequest } from './allocation/allocation-request.js';
export { urgency, grantBenefit, grantCost, grantPriority } from './allocation/grant-priority.js';
export { grantTarget } from './allocation/grant-sizing.js';
export { planAllocation } from './allocation/plan-allocation.js';
export { releaseIncident } from './allocation/release-incident.js';
export { applyPlan } from './allocation/lease-ledger.js';
export type { AllocationMode } from './allocation/allocation-mode.js';
export { commandIdFor, commandSubject, type CommandCause, type CommandStep } from './allocation/command-id.js';
export { commandsOfPlan, type CommandEvidence, type CommandPhase, type CommandWhy, type LeaseCommand } from './allocation/lease-command.js';
export { actuationOrder } from './allocation/actuation-order.js';
export {
  assessRisk, namedVms, type AssessedRisk, type AssessedVm, type RoundAssessment, type VmPlacementFacts, type VmPlacements,
} from './allocation/round-assessment.js';
export {
  RoundLedger, ledgerViewOfPool, leaseOfLedgerLease, shadowLeasesAfter, type LedgerLease, type LedgerStep, type LedgerView, type PoolSnapshot,
} from './allocation/ledger-view.js';
export { DEFAULT_MAX_GRANTS_PER_MINUTE, admitGrants, grantWindow, type RateAllowance } from './allocation/grant-rate-limit.js';
export {
  allocationRound, type AllocationRoundInput, type AllocationRoundResult, type AllocationRoundSettings, type GrantRefusal, type RefusalWhy, type RoundPass,
} from './allocation/allocation-round.js';
export {
  openIncident, observeAnomalous, observeHealthy, observeRecovered,
  type IncidentState, type ActiveSource, type RetiredSource, type InitialSource,
} from './incident/incident-state.js';
export type { IncidentAssessment, IncidentStatus } from './incident/incident-assessment.js';
export { assess, type AssessmentOptions, type AssessmentResult } from './incident/assess-incident.js';
export { healthyEvidenceFactor, healthyEvidence, MIN_MEAN_DELAY_MS, type HealthyEvidence } from './incident/healthy-evidence.js';
export {
  ORIGIN_SCOPE_LEVELS, DEFAULT_ORIGIN_TOP_K, DEFAULT_MAX_ORIGIN_CANDIDATES, DEFAULT_ORIGIN_FLOOR, DEFAULT_ORIGIN_EPSILON, DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_REPORT_PROBABILITY,
  type OriginScopeLevel, type OriginScope, type AnomalousObservation, type OriginEvidence, type OriginCandidate, type TraceOriginOptions,
} from './incident/origin-evidence.js';
export { traceOrigin } from './incident/trace-origin.js';
export { originSources, type OriginSourceOptions } from './incident/origin-sources.js';
export type { TrackedIncident, TracedScope, AnomalyReport } from './incident/tracked-incident.js';
export { incidentForAnomaly, incidentsWithSource, incidentForScope, sameScope } from './incident/incident-matching.js';
export {
  incidentIdFor, applyComponentAnomaly, applyScopeAnomaly, type OriginOptions, type EvidenceOutcome,
} from './incident/anomaly-evidence.js';
export {
  publishedAtRisk, rescoreIncident, rescoreDue, type RiskVersion, type RescoreOptions, type RescoredIncident, type RescoreReason,
} from './incident/rescore-incident.js';
export { parseModel, modelToJson, serialiseModel, type ModelJson } from './model/model-codec.js';
export { assertIncidentOutcome, type IncidentOutcome, type ExposureOutcome, type MissedAnomaly, type InfectingEdge } from './learning/outcome.js';
export { ExposureIndex, findExposingEdges, infectingEdgeOf, type Exposure, type ExposureTopology } from './learning/exposing-edges.js';
export {
  labelIncident, foldOnsetReport, DEFAULT_PREDICTION_THRESHOLD,
  type LabellingInput, type LabelledIncident, type LabelledIncidentHeader, type IncidentLabelSummary, type ListedPrediction, type ListedEdge, type ObservedOnset,
  type OnsetReport, type PathwayFeaturesLookup,
} from './learning/label-incident.js';
export { resolveLearningOptions, type LearningOptions, type GrantUtilityOptions } from './learning/learning-options.js';
export { learnFromOutcomes } from './learning/learn-from-outcomes.js';
export type { VulnerabilityEvidence } from './learning/vulnerability-learning.js';
export { evaluateModel, scoreHeldOut, averagePrecision, edgeProbability, type ModelMetrics, type ScoredExposure } from './learning/model-evaluation.js';
export { shouldPublish, publicationDecision, type PublicationOptions, type PublicationDecision, type PublicationVerdict, type PublicationContext } from './learning/publication.js';
export { pairedAssessmentScores, type AssessmentRankingOptions } from './learning/assessment-ranking.js';
export { pairedAuprc, pairedBootstrap, type PairedAuprc, type PairedAuprcOptions, type PairedDifference } from './learning/paired-auprc.js';
export {
  DEFAULT_LEARNER_STEP, learnerStepDue, stepCandidate, decidePublication, learnerStep, type LearnerStepSettings, type SteppedCandidate,
} from './learning/learner-step.js';
export {
  createLearnerState, recordOutcome, takeTrainingBatch, isHeldOutIncident, learnerWindow, trimLearnerState, type LearnerState, type LearnerStateOptions, type LearnerStateTrim,
} from './learning/learner-state.js';
export { refitOnWindow, WINDOWED_LEARNING, type WindowRefitOptions } from './learning/window-refit.js';
export { TopologyGraph, type TopologyCounts } from './topology/topology-graph.js';
export { TopologySnapshot, CO_LOCATED_KIND_INDEX, type SnapshotArrays, type SnapshotParts } from './topology/topology-snapshot.js';
export { buildTopologySnapshot, type SnapshotBuildOptions } from './topology/build-topology-snapshot.js';
export {
  decayFactor, observePathway, restoredPathway, featuresAt, type PathwayObservation, type DecayedPathway,
} from './topology/pathway-ageing.js';
export { isMeaningfulChange, type ChangeThresholds } from './topology/meaningful-change.js';
export { transmissionWeights, coLocatedCarrier, type TransmissionWeights } from './propagation/transmission-weights.js';
export { scorePropagation } from './propagation/score-propagation.js';
export {
  DEFAULT_PROBABILITY_FLOOR,
  type EstimatorName, type PropagationSource, type HopContribution, type RiskEntry, type PropagationScore, type ScoringOptions, type ExplainOption,
} from './propagation/propagation-score.js';
export * from './telemetry/index.js';
