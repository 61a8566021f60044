import { randomUUID } from 'node:crypto';
import type { AllocationCommand, AnomalyEvent, IncidentEvaluation, ModelVersion, RiskAssessment, TopicMessages, TopicName } from '@foresight/contracts';
import type { Pathway, Vm } from '@foresight/core';
import { InMemoryBroker, InMemoryBus, consumerOf, silentLogger } from '@foresight/messaging';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { createLearner, type Learner } from '../src/learner.js';
import type { LearnerMetrics } from '../src/learner-metrics.js';
import type { LearnerSettings } from '../src/learner-settings.js';

export const MINUTE = 60_000;
export const HORIZON = 30 * MINUTE;

/** One learner instance on a bus, with what it published. */
export interface LearnerWorld {
  readonly bus: InMemoryBus;
  readonly store: InMemoryStateStore;
  readonly graph: InMemoryGraphStore;
  readonly learner: Learner;
  readonly evaluations: IncidentEvaluation[];
  readonly models: ModelVersion[];
  send<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][]): Promise<void>;
  tick(now: number): Promise<void>;
  close(): Promise<void>;
}

/** Shared between restarts: the same store, graph and broker. */
export interface LearnerBackends {
  readonly store: InMemoryStateStore;
  readonly graph: InMemoryGraphStore;
  readonly broker: InMemoryBroker;
  readonly prefix: string;
}

export function backends(): LearnerBackends {
  return { store: new InMemoryStateStore(), graph: new InMemoryGraphStore(), broker: new InMemoryBroker(), prefix: `t${randomUUID().slice(0, 8)}.` };
}

export async function learnerWorld(settings: Partial<LearnerSettings> = {}, b: LearnerBackends = backends(), metrics?: LearnerMetrics): Promise<LearnerWorld> {
  const bus = new InMemoryBus({ topicPrefix: b.prefix, groupId: 'learner', broker: b.broker });
  const learner = createLearner({ bus, stateStore: b.store, graphStore: b.graph, logger: silentLogger, settings, ...(metrics === undefined ? {} : { metrics }) });
  const evaluations: IncidentEvaluation[] = [];
  const models: ModelVersion[] = [];
  await learner.start();
  await bus.startConsumers([
    ...learner.consumers,
    consumerOf({ topic: 'evaluations', groupId: `probe-${randomUUID()}`, handle: (e) => { evaluations.push(e); return Promise.resolve(); } }),
    consumerOf({ topic: 'model', groupId: `probe-${randomUUID()}`, handle: (m) => { models.push(m); return Promise.resolve(); } }),
  ]);
  return {
    bus, store: b.store, graph: b.graph, learner, evaluations, models,
    async send(topic, messages) {
      await bus.publish(topic, messages);
      await bus.drain();
    },
    async tick(now) {
      await learner.tick(now);
      await bus.drain();
    },
    async close() {
      await learner.stop();
      await bus.close();
    },
  };
}

const FEATURES = { bandwidthMbps: 20, callsPerSec: 50, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.01, lastSeenAt: 0 };

function vmOf(id: string): Vm {
  const r = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };
  return { id, hostId: `host-${id}`, groupId: 'g', systemId: 'sys', capacity: r, allocation: r, criticality: 0.5 };
}

/** An incident's VMs: a source and children it calls (API_CALL), stored in the graph. */
export async function starTopology(graph: InMemoryGraphStore, incidentId: string, children: number): Promise<{ source: string; children: string[] }> {
  const source = `${incidentId}-src`;
  const kids = Array.from({ length: children }, (_, k) => `${incidentId}-c${k}`);
  await graph.upsertHosts([source, ...kids].map((id) => ({ hostId: `host-${id}`, capacity: { cpuMillis: 8000, memoryMiB: 8192, networkMbps: 1000 } })));
  await graph.upsertVms([source, ...kids].map(vmOf));
  const pathways: Pathway[] = kids.map((target) => ({ source, target, kind: 'API_CALL', features: FEATURES }));
  await graph.upsertPathways(pathways);
  return { source, children: kids };
}

/** A risk assessment: `source` began at `onsetAt`; each child listed with its probability (one hop from the source). */
export function assessment(
  incidentId: string, source: string, onsetAt: number, children: readonly (readonly [string, number])[], options: { version?: number; generatedAt?: number; status?: 'OPEN' | 'CLOSED' } = {},
): RiskAssessment {
  const version = options.version ?? 1;
  const generatedAt = options.generatedAt ?? onsetAt + 5_000;
  return {
    eventId: `risk-${incidentId}-${version}`, eventTime: generatedAt, incidentId, version, status: options.status ?? 'OPEN', systemId: 'sys',
    anomalyType: 'mystery', severity: 1, estimator: 'most-probable-path', sources: [{ vmId: source, onsetAt }], modelVersion: 1, generatedAt,
    atRisk: children.map(([vmId, probability]) => ({
      vmId, hostId: `host-${vmId}`, probability, etaMs: 60_000, path: [source, vmId],
      contributions: [{ from: source, to: vmId, kind: 'API_CALL', direction: 'forward', probability, delayMs: 60_000 }],
    })),
  };
}

export function anomaly(vmId: string, at: number, state: 'OPEN' | 'RESOLVED' = 'OPEN'): AnomalyEvent {
  return {
    eventId: `anomaly-${vmId}-${at}-${state}`, eventTime: at, systemId: 'sys', level: 'COMPONENT', subjectId: vmId, anomalyType: 'mystery', severity: 1,
    state, detectedAt: at, attributes: {},
  };
}

export function grant(incidentId: string, vmId: string, at: number): AllocationCommand {
  const commandId = `${incidentId}/${vmId}/1/GRANT`;
  return {
    eventId: commandId, eventTime: at, commandId, incidentId, vmId, hostId: `host-${vmId}`, action: 'GRANT',
    resources: { cpuMillis: 500, memoryMiB: 512, networkMbps: 50 }, leaseExpiresAt: at + 10 * MINUTE, mode: 'ENFORCE',
    reason: { probability: 0.9, etaMs: 60_000, path: [], why: 'at_risk' }, hostSequence: 1, ledgerEpoch: 'e1',
  };
}
