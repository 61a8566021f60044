import { DEFAULT_TOPIC_PREFIX, type TopicMessages, type TopicName } from '@foresight/contracts';
import { createAllocator, DEFAULT_ALLOCATOR_SETTINGS, type AllocatorSettings } from '@foresight/allocator';
import { createLearner, type LearnerSettings } from '@foresight/learner';
import { InMemoryBroker, InMemoryBus, silentLogger, type AnyConsumerDeclaration, type Logger } from '@foresight/messaging';
import { createPropagationScorer } from '@foresight/propagation-scorer';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { createTopologyBuilder } from '@foresight/topology-builder';

/** What the pipeline reports while it runs (the live line). */
export interface PipelineGauges {
  openIncidents: number;
  atRiskVms: number;
  activeGrants: number;
}

/** How the embedded pipeline is set up; everything has the embedded default. */
export interface EmbeddedPipelineOptions {
  readonly topicPrefix?: string;
  readonly logger?: Logger;
  readonly allocator?: Partial<AllocatorSettings>;
  readonly learner?: Partial<LearnerSettings>;
  /** Extra consumers on the same bus (a simulated actuator, a recorder), each with its own group. */
  readonly extraConsumers?: readonly AnyConsumerDeclaration[];
}

/** The four services on one in-memory bus and in-memory stores, driven by simulated (event) time. */
export interface EmbeddedPipeline {
  readonly bus: InMemoryBus;
  readonly gauges: Readonly<PipelineGauges>;
  readonly topicPrefix: string;
  /** Validated, Avro-encoded and appended like on Kafka; delivered by the next drain. */
  publish<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][]): Promise<void>;
  /** Sets the simulated clock (TTL of claims and idempotency keys), ticks every service at `now` and drains. */
  advance(now: number): Promise<void>;
  /** Delivers everything deliverable; resolves when the bus is idle. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Learner defaults of the embedded mode: a training step per 5 new incidents, so an hour shows learning. */
const EMBEDDED_LEARNER: Partial<LearnerSettings> = { minIncidentsPerStep: 5 };

/**
 * Composes createTopologyBuilder, createPropagationScorer, createAllocator and createLearner on one InMemoryBus (the
 * same topic prefix and consumer groups as the real services: `<prefix><service>`) with an InMemoryGraphStore and an
 * InMemoryStateStore whose clock is the simulated time. Delivery happens only in drain(), so a run is deterministic.
 */
export async function startEmbeddedPipeline(options: EmbeddedPipelineOptions = {}): Promise<EmbeddedPipeline> {
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const logger = options.logger ?? silentLogger;
  let clock = 0;
  const stateStore = new InMemoryStateStore({ clock: () => clock });
  const graphStore = new InMemoryGraphStore();
  await stateStore.init();
  await graphStore.init();
  const bus = new InMemoryBus({
    broker: new InMemoryBroker(), topicPrefix: prefix, autoDeliver: false, logger, now: () => clock, idempotency: { store: stateStore.idempotency },
  });
  const gauges: PipelineGauges = { openIncidents: 0, atRiskVms: 0, activeGrants: 0 };
  const group = (service: string): string => `${prefix}${service}`;
  const builder = createTopologyBuilder({ bus, graphStore, logger, groupId: group('topology-builder') });
  const scorer = createPropagationScorer({
    bus, stateStore, graphStore, logger, groupId: group('propagation-scorer'), instanceGroupId: `${group('propagation-scorer')}.embedded`,
    metrics: {
      incidents: (open, atRisk) => {
        gauges.openIncidents = open;
        gauges.atRiskVms = atRisk;
      },
      anomalyIgnored: () => undefined,
      published: () => undefined,
    },
  });
  const allocator = createAllocator({
    bus, stateStore, logger, groupId: group('allocator'), settings: { ...DEFAULT_ALLOCATOR_SETTINGS, ...options.allocator },
    metrics: {
      commandPublished: () => undefined,
      grantRefused: () => undefined,
      ledgerObserved: (active) => {
        gauges.activeGrants = active;
      },
    },
  });
  const learner = createLearner({ bus, stateStore, graphStore, logger, groupId: group('learner'), settings: { ...EMBEDDED_LEARNER, ...options.learner } });
  const services = [builder, scorer, allocator, learner];
  for (const service of services) await service.start();
  await bus.startConsumers([...services.flatMap((s) => s.consumers), ...(options.extraConsumers ?? [])]);
  return {
    bus,
    gauges,
    topicPrefix: prefix,
    publish: (topic, messages) => bus.publish(topic, messages),
    async advance(now) {
      clock = Math.max(clock, now);
      for (const service of services) {
        await service.tick(clock);
        await bus.drain();
      }
    },
    drain: () => bus.drain(),
    async stop() {
      for (const service of [...services].reverse()) await service.stop();
      await bus.close();
      await Promise.allSettled([graphStore.close(), stateStore.close()]);
    },
  };
}
