import type { TopicMessages, TopicName } from '../src/index.js';

const t0 = 1_767_225_600_000;
const resources = { cpuMillis: 2000, memoryMiB: 4096, networkMbps: 1000 };

/** One valid message per topic. */
export const sampleMessages: { readonly [N in TopicName]: TopicMessages[N] } = {
  inventory: {
    eventId: 'e-1', eventTime: t0, vmId: 'vm-1', removed: false, hostId: 'h-1', groupId: 'g-api', systemId: 'shop',
    capacity: resources, allocation: { cpuMillis: 500, memoryMiB: 1024, networkMbps: 100 }, criticality: 0.8, labels: { tier: 'api' },
  },
  hosts: { eventId: 'e-2', eventTime: t0, hostId: 'h-1', removed: false, capacity: { cpuMillis: 32000, memoryMiB: 131072, networkMbps: 10000 } },
  flows: {
    eventId: 'e-3', eventTime: t0, source: 'vm-1', target: 'vm-2', kind: 'API_CALL', windowStart: t0 - 60_000, windowEnd: t0,
    bandwidthMbps: 12.5, callsPerSec: 340, latencyP50Ms: 4, latencyP99Ms: 38, errorRate: 0.002,
  },
  anomalies: {
    eventId: 'e-4', eventTime: t0, systemId: 'shop', level: 'COMPONENT', subjectId: 'vm-2', anomalyType: 'latency', severity: 0.7,
    state: 'OPEN', detectedAt: t0, attributes: {},
  },
  'topology-changes': {
    eventId: 'e-5', eventTime: t0, topologyVersion: 42, vmId: 'vm-1',
    vm: { hostId: 'h-1', groupId: 'g-api', systemId: 'shop', capacity: resources, allocation: resources, criticality: 0.8 }, vmRemoved: false,
    pathways: [{ target: 'vm-2', kind: 'API_CALL', removed: false, bandwidthMbps: 12.5, callsPerSec: 340, latencyP50Ms: 4, latencyP99Ms: 38, errorRate: 0.002, lastSeenAt: t0 }],
  },
  risk: {
    eventId: 'e-6', eventTime: t0, incidentId: 'inc-1', version: 2, status: 'OPEN', systemId: 'shop', anomalyType: 'latency', severity: 0.7,
    estimator: 'mpp', sources: [{ vmId: 'vm-2', onsetAt: t0 }], modelVersion: 1, generatedAt: t0,
    atRisk: [{
      vmId: 'vm-1', hostId: 'h-1', probability: 0.42, etaMs: 30_000, path: ['vm-2', 'vm-1'],
      contributions: [{ from: 'vm-2', to: 'vm-1', kind: 'API_CALL', direction: 'reverse', probability: 0.42, delayMs: 30_000 }],
    }],
  },
  allocations: {
    eventId: 'e-7', eventTime: t0, commandId: 'inc-1/vm-1/1', incidentId: 'inc-1', vmId: 'vm-1', hostId: 'h-1', action: 'GRANT',
    resources: { cpuMillis: 500, memoryMiB: 256, networkMbps: 50 }, leaseExpiresAt: t0 + 600_000, mode: 'ENFORCE',
    reason: { probability: 0.42, etaMs: 30_000, path: ['vm-2', 'vm-1'], why: 'at_risk' }, hostSequence: 7, ledgerEpoch: 'epoch-1',
  },
  'allocation-outcomes': { eventId: 'e-8', eventTime: t0, commandId: 'inc-1/vm-1/1', vmId: 'vm-1', status: 'APPLIED', appliedAt: t0 + 500, detail: '' },
  model: { eventId: 'e-9', eventTime: t0, modelId: 'foresight', version: 2, parentVersion: 1, parametersJson: '{}', metrics: { brier: 0.12 } },
  evaluations: {
    eventId: 'e-10', eventTime: t0, incidentId: 'inc-1', anomalyType: 'latency', modelVersion: 1, predicted: 4, affected: 3, truePositives: 2,
    precision: 0.5, recall: 0.667, brier: 0.18, leadTimesMs: [25_000, 40_000], usefulGrants: 2, wastedGrants: 1,
  },
};

/** The sample host event with its own eventId and key (hostId): the workhorse of the bus contract tests. */
export function hostEvent(eventId: string, hostId = 'h-1'): TopicMessages['hosts'] {
  return { ...sampleMessages.hosts, eventId, hostId };
}
