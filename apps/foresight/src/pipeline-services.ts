import { createAllocator, DEFAULT_ALLOCATOR_SETTINGS } from '@foresight/allocator';
import { createLearner, type LearnerSettings } from '@foresight/learner';
import { silentLogger, type AnyConsumerDeclaration, type MessageBus } from '@foresight/messaging';
import { createPropagationScorer } from '@foresight/propagation-scorer';
import type { GraphStore, StateStore } from '@foresight/stores';
import { createTopologyBuilder } from '@foresight/topology-builder';
import type { PipelineGauges, PipelineSetup } from './simulation-pipeline.js';

/** The four services, in tick order. */
export const PIPELINE_SERVICES = ['topology-builder', 'propagation-scorer', 'allocator', 'learner'] as const;
/** One of PIPELINE_SERVICES. */
export type PipelineServiceName = (typeof PIPELINE_SERVICES)[number];

/** What every service looks like to the pipeline (docs/services.md). */
export interface PipelineService {
  readonly consumers: readonly AnyConsumerDeclaration[];
  start(): Promise<void>;
  tick(now: number): Promise<void>;
  stop(): Promise<void>;
}

/** The adapters the services are built on: one bus per service (or the same one for all) and the two stores. */
export interface PipelineAdapters {
  readonly buses: Readonly<Record<PipelineServiceName, MessageBus>>;
  readonly stateStore: StateStore;
  readonly graphStore: GraphStore;
  readonly topicPrefix: string;
  /** Names the scorer's own consumer group: `<prefix>propagation-scorer.<instance>`. */
  readonly scorerInstance: string;
}

/** Learner defaults of a simulation: a training step per 5 new incidents, so an hour shows learning. */
const SIMULATION_LEARNER: Partial<LearnerSettings> = { minIncidentsPerStep: 5 };

/**
 * Creates topology-builder, propagation-scorer, allocator and learner with the consumer groups the real services use
 * (`<prefix><service>`), their gauges wired to `gauges`. Not started: start() each, then start their consumers.
 */
export function createPipelineServices(adapters: PipelineAdapters, setup: PipelineSetup, gauges: PipelineGauges): Record<PipelineServiceName, PipelineService> {
  const { buses, stateStore, graphStore, topicPrefix } = adapters;
  const log = { logger: setup.logger ?? silentLogger };
  const group = (service: PipelineServiceName): string => `${topicPrefix}${service}`;
  return {
    'topology-builder': createTopologyBuilder({
      bus: buses['topology-builder'], graphStore, ...log, groupId: group('topology-builder'), options: setup.topology ?? {},
      metrics: { flushed: (summary) => setup.observer?.topologyFlushed?.(summary) },
    }),
    'propagation-scorer': createPropagationScorer({
      bus: buses['propagation-scorer'], stateStore, graphStore, ...log, groupId: group('propagation-scorer'),
      instanceGroupId: `${group('propagation-scorer')}.${adapters.scorerInstance}`,
      metrics: {
        incidents: (open, atRisk) => {
          gauges.openIncidents = open;
          gauges.atRiskVms = atRisk;
        },
        anomalyIgnored: (reason) => setup.observer?.anomalyIgnored?.(reason),
        published: () => undefined,
      },
    }),
    allocator: createAllocator({
      bus: buses.allocator, stateStore, ...log, groupId: group('allocator'), settings: { ...DEFAULT_ALLOCATOR_SETTINGS, ...setup.allocator },
      metrics: {
        commandPublished: () => undefined,
        grantRefused: () => undefined,
        ledgerObserved: (active) => {
          gauges.activeGrants = active;
        },
      },
    }),
    learner: createLearner({ bus: buses.learner, stateStore, graphStore, ...log, groupId: group('learner'), settings: { ...SIMULATION_LEARNER, ...setup.learner } }),
  };
}
