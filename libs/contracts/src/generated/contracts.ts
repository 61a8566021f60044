// GENERATED from schemas/*.avsc by libs/contracts/codegen/generate.mjs. Do not edit: run `npm run contracts:generate`.

/** What an actuator did with a command. Key: vmId. */
export interface AllocationOutcome {
  readonly eventId: string;
  readonly eventTime: number;
  readonly commandId: string;
  readonly vmId: string;
  readonly status: OutcomeStatus;
  readonly appliedAt: null | number;
  readonly detail: string;
}

export type OutcomeStatus = 'APPLIED' | 'DEFERRED' | 'INFEASIBLE' | 'FAILED';
export const outcomeStatusSymbols: readonly OutcomeStatus[] = ['APPLIED', 'DEFERRED', 'INFEASIBLE', 'FAILED'];

/** A command for actuators: grant, adjust or release resources on a VM. Key: hostId (one host's commands share a partition, in the order the allocator carried them out: within a batch every RELEASE and shrinking ADJUST before any GRANT or growing ADJUST; docs/allocation-policy.md, 'Ordering guarantee'). Before hostSequence existed the key was vmId. */
export interface AllocationCommand {
  readonly eventId: string;
  readonly eventTime: number;
  /** Idempotency key. */
  readonly commandId: string;
  readonly incidentId: string;
  readonly vmId: string;
  readonly hostId: string;
  readonly action: AllocationAction;
  readonly resources: Resources;
  readonly leaseExpiresAt: number;
  readonly mode: AllocationMode;
  readonly reason: AllocationReason;
  /** The ledger's number of this command's change on hostId: every change the ledger accepts on a host (a reserve, adjust or release) takes the host's next number (1, 2, ...) atomically with the change, so applying a host's commands in hostSequence order never holds more on the host than the ledger allowed at any point. Numbers restart with a new ledgerEpoch. 0: no ledger change (SHADOW, a RELEASE of a lease the ledger does not know, e.g. ledger_lost), or written before the field existed. A number at or below one already applied is a redelivery or a replay (deduplicate by commandId); a gap may be filled by a later record (two allocator instances published out of order), or never (a change whose command a crash kept from being published). */
  readonly hostSequence: number;
  /** The ledger's epoch: a new one begins when the state store lost the ledger and the allocator rebuilt it (docs/stores.md). Leases granted in an earlier epoch are no longer counted by the ledger: an actuator that sees a new epoch for a host should release what it holds there from earlier epochs before applying the command. Empty: written before the field existed. */
  readonly ledgerEpoch: string;
}

export type AllocationAction = 'GRANT' | 'ADJUST' | 'RELEASE';
export const allocationActionSymbols: readonly AllocationAction[] = ['GRANT', 'ADJUST', 'RELEASE'];

export interface Resources {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly networkMbps: number;
}

export type AllocationMode = 'ENFORCE' | 'SHADOW';
export const allocationModeSymbols: readonly AllocationMode[] = ['ENFORCE', 'SHADOW'];

export interface AllocationReason {
  readonly probability: number;
  readonly etaMs: number;
  readonly path: readonly (string)[];
  /** Why, a stable code (docs/allocation-policy.md, 'For actuators'): GRANT at_risk; ADJUST size_changed, over_vm_cap, still_at_risk, still_degraded (a renewal); RELEASE not_at_risk, below_release_threshold, vm_moved, nothing_to_grant, over_vm_cap, lease_expired, incident_closed, handed_over (the VM turned degraded: the reactive side takes over), not_carried_out (the actuator reported INFEASIBLE or FAILED), ledger_lost (the state store lost the ledger: whatever the pair holds is released; resources are zero). Empty: written before this field existed. */
  readonly why: string;
}

/** An anomaly reported at system, group or component (VM) level, or its resolution. Key: systemId. */
export interface AnomalyEvent {
  readonly eventId: string;
  readonly eventTime: number;
  readonly systemId: string;
  readonly level: AnomalyLevel;
  /** A VM, group or system id, by level. */
  readonly subjectId: string;
  /** Open set; well-known: cpu_saturation, memory_pressure, network_congestion, disk_io, latency, error_rate. */
  readonly anomalyType: string;
  /** 0..1 */
  readonly severity: number;
  readonly state: AnomalyState;
  readonly detectedAt: number;
  readonly attributes: Readonly<Record<string, string>>;
}

export type AnomalyLevel = 'SYSTEM' | 'GROUP' | 'COMPONENT';
export const anomalyLevelSymbols: readonly AnomalyLevel[] = ['SYSTEM', 'GROUP', 'COMPONENT'];

export type AnomalyState = 'OPEN' | 'RESOLVED';
export const anomalyStateSymbols: readonly AnomalyState[] = ['OPEN', 'RESOLVED'];

/** How well one incident was predicted and mitigated. Key: incidentId. */
export interface IncidentEvaluation {
  readonly eventId: string;
  readonly eventTime: number;
  readonly incidentId: string;
  readonly anomalyType: string;
  readonly modelVersion: number;
  readonly predicted: number;
  readonly affected: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly brier: number;
  readonly leadTimesMs: readonly (number)[];
  readonly usefulGrants: number;
  readonly wastedGrants: number;
}

/** One observed window of communication between two VMs. Key: source vmId. */
export interface FlowEvent {
  readonly eventId: string;
  readonly eventTime: number;
  readonly source: string;
  readonly target: string;
  readonly kind: FlowKind;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly bandwidthMbps: number;
  readonly callsPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** 0..1 */
  readonly errorRate: number;
}

export type FlowKind = 'NETWORK' | 'API_CALL' | 'SHARED_STORAGE';
export const flowKindSymbols: readonly FlowKind[] = ['NETWORK', 'API_CALL', 'SHARED_STORAGE'];

/** A host's capacity: the resource pool's supply. Key: hostId. */
export interface HostEvent {
  readonly eventId: string;
  readonly eventTime: number;
  readonly hostId: string;
  readonly removed: boolean;
  readonly capacity: Resources;
}

/** A VM upsert or removal. Key: vmId. */
export interface InventoryEvent {
  readonly eventId: string;
  readonly eventTime: number;
  readonly vmId: string;
  /** True removes the VM; the other fields are then ignored. */
  readonly removed: boolean;
  readonly hostId: string;
  readonly groupId: string;
  readonly systemId: string;
  readonly capacity: Resources;
  readonly allocation: Resources;
  /** 0..1 */
  readonly criticality: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** A versioned set of learned parameters and the metrics that justified it. Key: modelId. */
export interface ModelVersion {
  readonly eventId: string;
  readonly eventTime: number;
  readonly modelId: string;
  readonly version: number;
  readonly parentVersion: null | number;
  /** ModelParameters as JSON, validated by the core's model codec. */
  readonly parametersJson: string;
  readonly metrics: Readonly<Record<string, number>>;
}

/** A versioned risk assessment of one incident. Key: incidentId. */
export interface RiskAssessment {
  readonly eventId: string;
  readonly eventTime: number;
  readonly incidentId: string;
  readonly version: number;
  /** CLOSED: resolved or timed out; its grants are released. */
  readonly status: IncidentStatus;
  readonly systemId: string;
  readonly anomalyType: string;
  readonly severity: number;
  readonly estimator: string;
  readonly sources: readonly (RiskSource)[];
  readonly modelVersion: number;
  readonly generatedAt: number;
  readonly atRisk: readonly (AtRiskVm)[];
}

export type IncidentStatus = 'OPEN' | 'CLOSED';
export const incidentStatusSymbols: readonly IncidentStatus[] = ['OPEN', 'CLOSED'];

export interface RiskSource {
  readonly vmId: string;
  readonly onsetAt: number;
}

export interface AtRiskVm {
  readonly vmId: string;
  readonly hostId: string;
  readonly probability: number;
  /** Expected time to impact from generatedAt (≥ 0). */
  readonly etaMs: number;
  readonly path: readonly (string)[];
  readonly contributions: readonly (PathContribution)[];
}

export interface PathContribution {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly direction: string;
  readonly probability: number;
  readonly delayMs: number;
}

/** The compact node/edge deltas that keep scorers' snapshots current. Key: vmId. */
export interface TopologyChangeEvent {
  readonly eventId: string;
  readonly eventTime: number;
  readonly topologyVersion: number;
  readonly vmId: string;
  /** The VM's new state; null when it was removed or did not change. */
  readonly vm: null | VmState;
  readonly vmRemoved: boolean;
  /** Changed pathways whose source is vmId. */
  readonly pathways: readonly (PathwayDelta)[];
}

export interface VmState {
  readonly hostId: string;
  readonly groupId: string;
  readonly systemId: string;
  readonly capacity: Resources;
  readonly allocation: Resources;
  readonly criticality: number;
}

export interface PathwayDelta {
  readonly target: string;
  readonly kind: PathwayDeltaKind;
  readonly removed: boolean;
  readonly bandwidthMbps: number;
  readonly callsPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly errorRate: number;
  readonly lastSeenAt: number;
}

export type PathwayDeltaKind = 'NETWORK' | 'API_CALL' | 'SHARED_STORAGE';
export const pathwayDeltaKindSymbols: readonly PathwayDeltaKind[] = ['NETWORK', 'API_CALL', 'SHARED_STORAGE'];

/** Every topic: its name (without prefix), the record it carries, the field its key is taken from, and its Avro schema. */
export interface TopicMessages {
  'allocation-outcomes': AllocationOutcome;
  'allocations': AllocationCommand;
  'anomalies': AnomalyEvent;
  'evaluations': IncidentEvaluation;
  'flows': FlowEvent;
  'hosts': HostEvent;
  'inventory': InventoryEvent;
  'model': ModelVersion;
  'risk': RiskAssessment;
  'topology-changes': TopologyChangeEvent;
}

export type TopicName = keyof TopicMessages;

export const topicSchemas = {
  'allocation-outcomes': { key: 'vmId', schema: {"type":"record","name":"AllocationOutcome","namespace":"io.foresight","doc":"What an actuator did with a command. Key: vmId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"commandId","type":"string"},{"name":"vmId","type":"string"},{"name":"status","type":{"type":"enum","name":"OutcomeStatus","symbols":["APPLIED","DEFERRED","INFEASIBLE","FAILED"]}},{"name":"appliedAt","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},{"name":"detail","type":"string","default":""}]} },
  'allocations': { key: 'hostId', schema: {"type":"record","name":"AllocationCommand","namespace":"io.foresight","doc":"A command for actuators: grant, adjust or release resources on a VM. Key: hostId (one host's commands share a partition, in the order the allocator carried them out: within a batch every RELEASE and shrinking ADJUST before any GRANT or growing ADJUST; docs/allocation-policy.md, 'Ordering guarantee'). Before hostSequence existed the key was vmId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"commandId","type":"string","doc":"Idempotency key."},{"name":"incidentId","type":"string"},{"name":"vmId","type":"string"},{"name":"hostId","type":"string"},{"name":"action","type":{"type":"enum","name":"AllocationAction","symbols":["GRANT","ADJUST","RELEASE"]}},{"name":"resources","type":{"type":"record","name":"Resources","fields":[{"name":"cpuMillis","type":"double"},{"name":"memoryMiB","type":"double"},{"name":"networkMbps","type":"double"}]}},{"name":"leaseExpiresAt","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"mode","type":{"type":"enum","name":"AllocationMode","symbols":["ENFORCE","SHADOW"]}},{"name":"reason","type":{"type":"record","name":"AllocationReason","fields":[{"name":"probability","type":"double"},{"name":"etaMs","type":"long"},{"name":"path","type":{"type":"array","items":"string"}},{"name":"why","type":"string","default":"","doc":"Why, a stable code (docs/allocation-policy.md, 'For actuators'): GRANT at_risk; ADJUST size_changed, over_vm_cap, still_at_risk, still_degraded (a renewal); RELEASE not_at_risk, below_release_threshold, vm_moved, nothing_to_grant, over_vm_cap, lease_expired, incident_closed, handed_over (the VM turned degraded: the reactive side takes over), not_carried_out (the actuator reported INFEASIBLE or FAILED), ledger_lost (the state store lost the ledger: whatever the pair holds is released; resources are zero). Empty: written before this field existed."}]}},{"name":"hostSequence","type":"long","default":0,"doc":"The ledger's number of this command's change on hostId: every change the ledger accepts on a host (a reserve, adjust or release) takes the host's next number (1, 2, ...) atomically with the change, so applying a host's commands in hostSequence order never holds more on the host than the ledger allowed at any point. Numbers restart with a new ledgerEpoch. 0: no ledger change (SHADOW, a RELEASE of a lease the ledger does not know, e.g. ledger_lost), or written before the field existed. A number at or below one already applied is a redelivery or a replay (deduplicate by commandId); a gap may be filled by a later record (two allocator instances published out of order), or never (a change whose command a crash kept from being published)."},{"name":"ledgerEpoch","type":"string","default":"","doc":"The ledger's epoch: a new one begins when the state store lost the ledger and the allocator rebuilt it (docs/stores.md). Leases granted in an earlier epoch are no longer counted by the ledger: an actuator that sees a new epoch for a host should release what it holds there from earlier epochs before applying the command. Empty: written before the field existed."}]} },
  'anomalies': { key: 'systemId', schema: {"type":"record","name":"AnomalyEvent","namespace":"io.foresight","doc":"An anomaly reported at system, group or component (VM) level, or its resolution. Key: systemId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"systemId","type":"string"},{"name":"level","type":{"type":"enum","name":"AnomalyLevel","symbols":["SYSTEM","GROUP","COMPONENT"]}},{"name":"subjectId","type":"string","doc":"A VM, group or system id, by level."},{"name":"anomalyType","type":"string","doc":"Open set; well-known: cpu_saturation, memory_pressure, network_congestion, disk_io, latency, error_rate."},{"name":"severity","type":"double","doc":"0..1"},{"name":"state","type":{"type":"enum","name":"AnomalyState","symbols":["OPEN","RESOLVED"]}},{"name":"detectedAt","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"attributes","type":{"type":"map","values":"string"},"default":{}}]} },
  'evaluations': { key: 'incidentId', schema: {"type":"record","name":"IncidentEvaluation","namespace":"io.foresight","doc":"How well one incident was predicted and mitigated. Key: incidentId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"incidentId","type":"string"},{"name":"anomalyType","type":"string"},{"name":"modelVersion","type":"int"},{"name":"predicted","type":"int"},{"name":"affected","type":"int"},{"name":"truePositives","type":"int"},{"name":"precision","type":"double"},{"name":"recall","type":"double"},{"name":"brier","type":"double"},{"name":"leadTimesMs","type":{"type":"array","items":"long"}},{"name":"usefulGrants","type":"int"},{"name":"wastedGrants","type":"int"}]} },
  'flows': { key: 'source', schema: {"type":"record","name":"FlowEvent","namespace":"io.foresight","doc":"One observed window of communication between two VMs. Key: source vmId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"source","type":"string"},{"name":"target","type":"string"},{"name":"kind","type":{"type":"enum","name":"FlowKind","symbols":["NETWORK","API_CALL","SHARED_STORAGE"]}},{"name":"windowStart","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"windowEnd","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"bandwidthMbps","type":"double"},{"name":"callsPerSec","type":"double"},{"name":"latencyP50Ms","type":"double"},{"name":"latencyP99Ms","type":"double"},{"name":"errorRate","type":"double","doc":"0..1"}]} },
  'hosts': { key: 'hostId', schema: {"type":"record","name":"HostEvent","namespace":"io.foresight","doc":"A host's capacity: the resource pool's supply. Key: hostId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"hostId","type":"string"},{"name":"removed","type":"boolean","default":false},{"name":"capacity","type":{"type":"record","name":"Resources","fields":[{"name":"cpuMillis","type":"double"},{"name":"memoryMiB","type":"double"},{"name":"networkMbps","type":"double"}]}}]} },
  'inventory': { key: 'vmId', schema: {"type":"record","name":"InventoryEvent","namespace":"io.foresight","doc":"A VM upsert or removal. Key: vmId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"vmId","type":"string"},{"name":"removed","type":"boolean","default":false,"doc":"True removes the VM; the other fields are then ignored."},{"name":"hostId","type":"string"},{"name":"groupId","type":"string"},{"name":"systemId","type":"string"},{"name":"capacity","type":{"type":"record","name":"Resources","fields":[{"name":"cpuMillis","type":"double"},{"name":"memoryMiB","type":"double"},{"name":"networkMbps","type":"double"}]}},{"name":"allocation","type":"Resources"},{"name":"criticality","type":"double","doc":"0..1"},{"name":"labels","type":{"type":"map","values":"string"},"default":{}}]} },
  'model': { key: 'modelId', schema: {"type":"record","name":"ModelVersion","namespace":"io.foresight","doc":"A versioned set of learned parameters and the metrics that justified it. Key: modelId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"modelId","type":"string"},{"name":"version","type":"int"},{"name":"parentVersion","type":["null","int"],"default":null},{"name":"parametersJson","type":"string","doc":"ModelParameters as JSON, validated by the core's model codec."},{"name":"metrics","type":{"type":"map","values":"double"},"default":{}}]} },
  'risk': { key: 'incidentId', schema: {"type":"record","name":"RiskAssessment","namespace":"io.foresight","doc":"A versioned risk assessment of one incident. Key: incidentId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"incidentId","type":"string"},{"name":"version","type":"int"},{"name":"status","type":{"type":"enum","name":"IncidentStatus","symbols":["OPEN","CLOSED"]},"doc":"CLOSED: resolved or timed out; its grants are released."},{"name":"systemId","type":"string"},{"name":"anomalyType","type":"string"},{"name":"severity","type":"double"},{"name":"estimator","type":"string"},{"name":"sources","type":{"type":"array","items":{"type":"record","name":"RiskSource","fields":[{"name":"vmId","type":"string"},{"name":"onsetAt","type":{"type":"long","logicalType":"timestamp-millis"}}]}}},{"name":"modelVersion","type":"int"},{"name":"generatedAt","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"atRisk","type":{"type":"array","items":{"type":"record","name":"AtRiskVm","fields":[{"name":"vmId","type":"string"},{"name":"hostId","type":"string"},{"name":"probability","type":"double"},{"name":"etaMs","type":"long","doc":"Expected time to impact from generatedAt (≥ 0)."},{"name":"path","type":{"type":"array","items":"string"}},{"name":"contributions","type":{"type":"array","items":{"type":"record","name":"PathContribution","fields":[{"name":"from","type":"string"},{"name":"to","type":"string"},{"name":"kind","type":"string"},{"name":"direction","type":"string"},{"name":"probability","type":"double"},{"name":"delayMs","type":"double"}]}}}]}}}]} },
  'topology-changes': { key: 'vmId', schema: {"type":"record","name":"TopologyChangeEvent","namespace":"io.foresight","doc":"The compact node/edge deltas that keep scorers' snapshots current. Key: vmId.","fields":[{"name":"eventId","type":"string"},{"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"topologyVersion","type":"long"},{"name":"vmId","type":"string"},{"name":"vm","doc":"The VM's new state; null when it was removed or did not change.","type":["null",{"type":"record","name":"VmState","fields":[{"name":"hostId","type":"string"},{"name":"groupId","type":"string"},{"name":"systemId","type":"string"},{"name":"capacity","type":{"type":"record","name":"Resources","fields":[{"name":"cpuMillis","type":"double"},{"name":"memoryMiB","type":"double"},{"name":"networkMbps","type":"double"}]}},{"name":"allocation","type":"Resources"},{"name":"criticality","type":"double"}]}],"default":null},{"name":"vmRemoved","type":"boolean","default":false},{"name":"pathways","doc":"Changed pathways whose source is vmId.","type":{"type":"array","items":{"type":"record","name":"PathwayDelta","fields":[{"name":"target","type":"string"},{"name":"kind","type":{"type":"enum","name":"PathwayDeltaKind","symbols":["NETWORK","API_CALL","SHARED_STORAGE"]}},{"name":"removed","type":"boolean","default":false},{"name":"bandwidthMbps","type":"double"},{"name":"callsPerSec","type":"double"},{"name":"latencyP50Ms","type":"double"},{"name":"latencyP99Ms","type":"double"},{"name":"errorRate","type":"double"},{"name":"lastSeenAt","type":{"type":"long","logicalType":"timestamp-millis"}}]}},"default":[]}]} },
} as const;

export const topicNames: readonly TopicName[] = ['allocation-outcomes', 'allocations', 'anomalies', 'evaluations', 'flows', 'hosts', 'inventory', 'model', 'risk', 'topology-changes'];
