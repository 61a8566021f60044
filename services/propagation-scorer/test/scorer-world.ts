import { randomUUID } from 'node:crypto';
import type { AnomalyEvent, RiskAssessment, TopicMessages, TopicName } from '@foresight/contracts';
import type { Pathway, Vm } from '@foresight/core';
import { InMemoryBroker, InMemoryBus, consumerOf, silentLogger } from '@foresight/messaging';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { createPropagationScorer, type PropagationScorer, type PropagationScorerOptions } from '../src/index.js';

/** Event time the tests start at. */
export const T0 = 1_700_000_000_000;

const RESOURCES = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };

/** A VM of system `sys`, on its own host unless one is given. */
export function vm(id: string, groupId = 'g-api', hostId = `h-${id}`): Vm {
  return { id, hostId, groupId, systemId: 'sys', capacity: RESOURCES, allocation: RESOURCES, criticality: 0.5 };
}

/** A busy API call caller → callee. */
export function call(source: string, target: string, lastSeenAt = T0): Pathway {
  return {
    source, target, kind: 'API_CALL',
    features: { bandwidthMbps: 10, callsPerSec: 2_000, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.01, lastSeenAt },
  };
}

/**
 * The fleet of these tests: frontend `web` calls `api`, `api` calls `db` and `cache`; `db` calls `disk`
 * (so `disk` is downstream of `db`: latency on `db` must not travel to it). Every VM on its own host.
 */
export async function seededGraphStore(): Promise<InMemoryGraphStore> {
  const store = new InMemoryGraphStore();
  await store.upsertVms([vm('web', 'g-web'), vm('api'), vm('db', 'g-data'), vm('cache', 'g-data'), vm('disk', 'g-storage')]);
  await store.upsertPathways([call('web', 'api'), call('api', 'db'), call('api', 'cache'), call('db', 'disk')]);
  return store;
}

let eventSeq = 0;

/** An anomaly report of `sys`. */
export function anomaly(subjectId: string, at: number, overrides: Partial<AnomalyEvent> = {}): AnomalyEvent {
  return {
    eventId: `anomaly-${eventSeq++}`, eventTime: at, systemId: 'sys', level: 'COMPONENT', subjectId, anomalyType: 'latency',
    severity: 0.8, state: 'OPEN', detectedAt: at, attributes: {}, ...overrides,
  };
}

/** One scorer instance on a shared broker and stores, and a collector of what it publishes. */
export interface ScorerWorld {
  readonly broker: InMemoryBroker;
  readonly prefix: string;
  readonly graphStore: InMemoryGraphStore;
  readonly stateStore: InMemoryStateStore;
  readonly scorer: PropagationScorer;
  readonly scorerBus: InMemoryBus;
  readonly risk: RiskAssessment[];
  publish<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][]): Promise<void>;
  /** Delivers everything until every bus is idle. */
  settle(): Promise<void>;
  /** A new scorer instance on the same broker, group and stores (the old one is closed). */
  restart(): Promise<ScorerWorld>;
  close(): Promise<void>;
}

/** Builds a world; `options` tune the scorer (tests recompile on every score by default). */
export async function scorerWorld(
  options: Partial<PropagationScorerOptions> = {},
  shared?: { broker: InMemoryBroker; prefix: string; graphStore: InMemoryGraphStore; stateStore: InMemoryStateStore; risk: RiskAssessment[]; collector: InMemoryBus; producer: InMemoryBus },
): Promise<ScorerWorld> {
  const broker = shared?.broker ?? new InMemoryBroker();
  const prefix = shared?.prefix ?? `t${randomUUID().slice(0, 8)}.`;
  const graphStore = shared?.graphStore ?? (await seededGraphStore());
  const stateStore = shared?.stateStore ?? new InMemoryStateStore();
  const risk = shared?.risk ?? [];
  const producer = shared?.producer ?? new InMemoryBus({ broker, topicPrefix: prefix });
  let collector = shared?.collector;
  if (collector === undefined) {
    collector = new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'collector' });
    await collector.startConsumers([consumerOf({ topic: 'risk', handle: (m) => Promise.resolve(void risk.push(m)) })]);
  }
  const scorerBus = new InMemoryBus({ broker, topicPrefix: prefix, groupId: `${prefix}propagation-scorer`, retry: { maxAttempts: 1 } });
  const scorer = createPropagationScorer({
    bus: scorerBus, stateStore, graphStore, logger: silentLogger, options: { minRecompileIntervalMs: 0, ...options }, instanceGroupId: `${prefix}propagation-scorer.i1`,
  });
  await scorer.start();
  await scorerBus.startConsumers(scorer.consumers);
  const collectorBus = collector;
  const world: ScorerWorld = {
    broker, prefix, graphStore, stateStore, scorer, scorerBus, risk,
    publish: (topic, messages) => producer.publish(topic, messages),
    async settle() {
      for (let i = 0; i < 5; i++) {
        await scorerBus.drain();
        await collectorBus.drain();
      }
    },
    async restart() {
      await scorer.stop();
      await scorerBus.close();
      return scorerWorld(options, { broker, prefix, graphStore, stateStore, risk, collector: collectorBus, producer });
    },
    async close() {
      await scorer.stop();
      await scorerBus.close();
      await collectorBus.close();
      await producer.close();
    },
  };
  return world;
}

/** The risk messages of one incident, in publication order. */
export function versionsOf(risk: readonly RiskAssessment[], incidentId: string): RiskAssessment[] {
  return risk.filter((r) => r.incidentId === incidentId);
}
