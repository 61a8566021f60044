import { DEFAULT_TOPIC_PREFIX } from '@foresight/contracts';
import { InMemoryBroker, InMemoryBus, silentLogger } from '@foresight/messaging';
import { InMemoryGraphStore, InMemoryStateStore } from '@foresight/stores';
import { createPipelineServices, PIPELINE_SERVICES } from './pipeline-services.js';
import type { PipelineGauges, PipelineRuntime, PipelineSetup, SimulationPipeline } from './simulation-pipeline.js';

/** How the embedded pipeline is set up; everything has the embedded default. */
export interface EmbeddedPipelineOptions extends PipelineSetup {
  readonly topicPrefix?: string;
  /** false: no learner runs (the model stays the one scoring starts with, nothing publishes a new one); default true. */
  readonly learning?: boolean;
  /** true: after every drain, records every consumer has committed are dropped (long replays); default false. */
  readonly trimConsumed?: boolean;
}

/** The four services on one in-memory bus and in-memory stores, driven by simulated (event) time. */
export interface EmbeddedPipeline extends SimulationPipeline {
  readonly bus: InMemoryBus;
}

/**
 * Composes the four services (pipeline-services.ts) on one InMemoryBus with an InMemoryGraphStore and an
 * InMemoryStateStore whose clock is the simulated time. Delivery happens only in drain(), so a run is deterministic.
 */
export async function startEmbeddedPipeline(options: EmbeddedPipelineOptions = {}): Promise<EmbeddedPipeline> {
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  let clock = 0;
  const stateStore = new InMemoryStateStore({ clock: () => clock });
  const graphStore = new InMemoryGraphStore();
  await stateStore.init();
  await graphStore.init();
  const broker = new InMemoryBroker();
  const bus = new InMemoryBus({
    broker, topicPrefix: prefix, autoDeliver: false, logger: options.logger ?? silentLogger, now: () => clock,
    idempotency: { store: stateStore.idempotency },
  });
  const drain = async (): Promise<void> => {
    await bus.drain();
    if (options.trimConsumed === true) broker.trimConsumed();
  };
  const gauges: PipelineGauges = { openIncidents: 0, atRiskVms: 0, activeGrants: 0 };
  const byName = createPipelineServices({
    buses: { 'topology-builder': bus, 'propagation-scorer': bus, allocator: bus, learner: bus }, stateStore, graphStore, topicPrefix: prefix, scorerInstance: 'embedded',
  }, options, gauges);
  const services = PIPELINE_SERVICES.filter((name) => options.learning !== false || name !== 'learner').map((name) => byName[name]);
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
        await drain();
      }
    },
    drain,
    async stop() {
      for (const service of [...services].reverse()) await service.stop();
      await bus.close();
      await Promise.allSettled([graphStore.close(), stateStore.close()]);
    },
  };
}

/** The default runtime of a simulation: everything in memory (the InMemoryBus still validates and encodes Avro). */
export function embeddedRuntime(): PipelineRuntime {
  const topicPrefix = DEFAULT_TOPIC_PREFIX;
  return {
    mode: 'embedded',
    description: 'all four services in one process on the embedded bus and stores (in-memory bus with Avro validation, in-memory stores)',
    topicPrefix,
    start: (setup) => startEmbeddedPipeline({ ...setup, topicPrefix }),
  };
}
