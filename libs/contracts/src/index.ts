export type {
  TopicMessages, TopicName, InventoryEvent, HostEvent, FlowEvent, FlowKind, AnomalyEvent, AnomalyLevel, AnomalyState, TopologyChangeEvent, VmState,
  PathwayDelta, PathwayDeltaKind, RiskAssessment, RiskSource, AtRiskVm, PathContribution, IncidentStatus, AllocationCommand, AllocationAction,
  AllocationMode, AllocationReason, AllocationOutcome, OutcomeStatus, ModelVersion, IncidentEvaluation, Resources,
} from './generated/contracts.js';
export { topicSchemas, topicNames } from './generated/contracts.js';
export { ContractError, type ContractErrorCode } from './contract-error.js';
export { encodeFrame, decodeFrame } from './wire-format.js';
export { MESSAGE_BOUNDS, assertMessageBounds } from './message-bounds.js';
export { EVENT_TIME_FIELDS, assertEventTimeBounds, eventTimeViolation, type EventTimeBounds } from './event-time-bounds.js';
export { topicCodec, type TopicCodec } from './topic-codec.js';
export { topicProjection } from './topic-projection.js';
export { DEFAULT_TOPIC_PREFIX, topicFor, deadLetterTopicFor } from './topic-names.js';
