import type { TopicName } from '@foresight/contracts';
import { KafkaBus, KafkaCatchUp, KafkaPrefixAdmin, redactUrl, silentLogger, type KafkaBusOptions, type KafkaConnectionConfig } from '@foresight/messaging';
import { Neo4jGraphStore, RedisStateStore, type Neo4jGraphStoreConfig, type RedisStateStoreConfig } from '@foresight/stores';
import { createPipelineServices, PIPELINE_SERVICES, type PipelineServiceName } from './pipeline-services.js';
import type { PipelineGauges, PipelineRuntime, PipelineSetup, SimulationPipeline } from './simulation-pipeline.js';

/** How a simulation reaches the real stack, and the names its run owns there (unique per run). */
export interface StackConnection {
  /** Brokers and registry; each bus's client id is this one plus `-<service>`. */
  readonly kafka: KafkaConnectionConfig;
  /** Consumer tuning and partitions of the topics the run creates, as the services take them. */
  readonly consumer?: Pick<KafkaBusOptions, 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'maxWaitTimeMs' | 'partitions'>;
  readonly neo4j: Omit<Neo4jGraphStoreConfig, 'namespace'>;
  readonly redis: Omit<RedisStateStoreConfig, 'keyPrefix'>;
  readonly topicPrefix: string;
  readonly neo4jNamespace: string;
  readonly redisKeyPrefix: string;
}

/** The inputs the simulation publishes, prepared (created, schemas registered) at start so a broken registry fails it. */
const SIMULATION_TOPICS: readonly TopicName[] = ['inventory', 'hosts', 'flows', 'anomalies', 'allocation-outcomes'];

/** What each service's KafkaBus gets besides the connection, as its main.ts sets it up. */
const SERVICE_BUS: Readonly<Record<PipelineServiceName, { readonly idempotent: boolean; readonly options?: Partial<KafkaBusOptions> }>> = {
  // NOTE: inventory and flows keep per-VM state: partition p of both must reach the same instance.
  'topology-builder': { idempotent: false, options: { partitionAssignment: 'co-partitioned' } },
  'propagation-scorer': { idempotent: true },
  allocator: { idempotent: true },
  learner: { idempotent: true },
};

/**
 * The four services in this process on the real adapters: a KafkaBus each (as their main.ts builds it), Neo4j and
 * Redis, plus one bus for the simulation's inputs and its actuator and recorder. Event time still comes from the
 * simulation (ticks); drain() waits until every group has committed everything published (KafkaCatchUp).
 */
export async function startStackPipeline(stack: StackConnection, setup: PipelineSetup = {}): Promise<SimulationPipeline> {
  const logger = setup.logger ?? silentLogger;
  const { topicPrefix } = stack;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'closing failed'));
  };
  try {
    const stateStore = new RedisStateStore({ ...stack.redis, keyPrefix: stack.redisKeyPrefix });
    closers.push(() => stateStore.close());
    await stateStore.init();
    const graphStore = new Neo4jGraphStore({ ...stack.neo4j, namespace: stack.neo4jNamespace });
    closers.push(() => graphStore.close());
    await graphStore.init();
    const admin = await KafkaPrefixAdmin.connect(stack.kafka, topicPrefix, logger);
    closers.push(() => admin.close());
    const connect = async (name: string, idempotent: boolean, options: Partial<KafkaBusOptions> = {}): Promise<KafkaBus> => {
      const bus = await KafkaBus.connect({
        connection: { ...stack.kafka, clientId: `${stack.kafka.clientId}-${name}` }, topicPrefix, ...stack.consumer, logger,
        ...(idempotent ? { idempotency: { store: stateStore.idempotency } } : {}), ...options,
      });
      closers.push(() => bus.close());
      return bus;
    };
    const input = await connect('simulation', true, { topics: SIMULATION_TOPICS });
    const buses = {} as Record<PipelineServiceName, KafkaBus>;
    for (const name of PIPELINE_SERVICES) buses[name] = await connect(name, SERVICE_BUS[name].idempotent, SERVICE_BUS[name].options);
    const gauges: PipelineGauges = { openIncidents: 0, atRiskVms: 0, activeGrants: 0 };
    const services = createPipelineServices({ buses, stateStore, graphStore, topicPrefix, scorerInstance: 'stack' }, setup, gauges);
    for (const name of PIPELINE_SERVICES) {
      await services[name].start();
      await buses[name].startConsumers(services[name].consumers);
    }
    await input.startConsumers(setup.extraConsumers ?? []);
    const caughtUp = new KafkaCatchUp([input, ...PIPELINE_SERVICES.map((name) => buses[name])], admin);
    let clock = 0;
    return {
      gauges,
      topicPrefix,
      publish: (topic, messages) => input.publish(topic, messages),
      async advance(now) {
        clock = Math.max(clock, now);
        for (const name of PIPELINE_SERVICES) {
          await services[name].tick(clock);
          await caughtUp.wait();
        }
      },
      drain: () => caughtUp.wait(),
      async stop() {
        for (const name of [...PIPELINE_SERVICES].reverse()) await services[name].stop();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The runtime of `foresight start --stack`: the services on Kafka, the registry, Neo4j and Redis. */
export function stackRuntime(stack: StackConnection): PipelineRuntime {
  const { redis } = stack;
  return {
    mode: 'stack',
    description: `all four services in one process on the real stack: Kafka ${stack.kafka.brokers.join(',')} (topics ${stack.topicPrefix}*), ` +
      `Neo4j ${redactUrl(stack.neo4j.uri)} (namespace ${stack.neo4jNamespace}), Redis ${redis.host ?? '127.0.0.1'}:${redis.port ?? 6379} (keys ${stack.redisKeyPrefix}*)`,
    topicPrefix: stack.topicPrefix,
    start: (setup) => startStackPipeline(stack, setup),
  };
}
