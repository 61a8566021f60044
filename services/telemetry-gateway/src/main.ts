import { pathToFileURL } from 'node:url';
import { KafkaBus, KafkaRawTopics } from '@foresight/messaging';
import {
  addDependencyChecks, createStateGauge, type Env, kafkaConnection, runService, serviceBusOptions, type ServiceDefinition, startTicking,
} from '@foresight/service-kit';
import { readGatewayConfig, type GatewayConfig } from './config.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { startOtlpHttpServer } from './otlp-http-server.js';
import { otlpBatchHandler } from './otlp-topics.js';
import { TelemetryGateway, type GatewayDeadLetter } from './telemetry-gateway.js';

/** The service name: logs, telemetry and the default consumer group (`<topic prefix>telemetry-gateway`). */
export const TELEMETRY_GATEWAY = 'telemetry-gateway';

/** The dead-letter topic of a signal: `<otlp topic>.dlq`, or `<prefix>otlp_<signal>.dlq` when that topic is not consumed. */
export function deadLetterTopicOf(config: Pick<GatewayConfig, 'spansTopic' | 'metricsTopic' | 'topicPrefix'>, signal: 'traces' | 'metrics'): string {
  const topic = signal === 'traces' ? config.spansTopic : config.metricsTopic;
  return `${topic === '' ? `${config.topicPrefix}otlp_${signal === 'traces' ? 'spans' : 'metrics'}` : topic}.dlq`;
}

/**
 * The composition root: a KafkaBus that publishes inventory, hosts and flows, a raw-bytes Kafka client that consumes
 * the Collector's OTLP topics and writes dead letters, the gateway, the OTLP/HTTP receiver and a wall-clock tick that
 * closes windows when no span arrives. `onStopped` is called once the service has stopped.
 */
export function telemetryGatewayService(env?: Env, onStopped: () => void = () => undefined): ServiceDefinition<GatewayConfig> {
  return {
    name: TELEMETRY_GATEWAY,
    version: '0.1.0',
    loadConfig: () => readGatewayConfig(env),
    async start(context) {
      const { config, logger, telemetry } = context;
      const produced = config.gateway.detector === null ? ['inventory', 'hosts', 'flows'] as const : ['inventory', 'hosts', 'flows', 'anomalies'] as const;
      const bus = await context.step('kafka', () => KafkaBus.connect({ ...serviceBusOptions(context), topics: [...produced] }));
      const raw = await context.step('kafka (otlp topics)', () => KafkaRawTopics.connect({
        connection: kafkaConnection(config.kafka, config.registry), logger, createTopics: config.kafkaConsumer.createTopics,
        partitions: config.kafkaConsumer.partitions, sessionTimeoutMs: config.kafkaConsumer.sessionTimeoutMs, heartbeatIntervalMs: config.kafkaConsumer.heartbeatIntervalMs,
      }));
      const meter = telemetry.meter;
      const received = meter.createCounter('foresight.gateway.spans.received', { description: 'Spans decoded from OTLP export requests, by transport.' });
      const skipped = meter.createCounter('foresight.gateway.spans.skipped', { description: 'Spans or calls left out, by reason (NO_VM_ATTRIBUTE, NO_GROUP_ATTRIBUTE, INVALID_SPAN, LATE, EVICTED, UNPAIRED_CALLER…).' });
      const requests = meter.createCounter('foresight.gateway.requests', { description: 'OTLP export requests, by signal, transport and outcome.' });
      const flows = meter.createCounter('foresight.gateway.flows.published', { description: 'Pathway windows published on flows.' });
      const anomalies = meter.createCounter('foresight.gateway.anomalies.published', { description: 'Anomalies the built-in detector published, by level and state.' });
      const metrics: GatewayMetrics = {
        spansReceived: (n, transport) => received.add(n, { transport }),
        spansSkipped: (reason, n) => skipped.add(n, { reason }),
        request: (signal, transport, outcome) => requests.add(1, { signal, transport, outcome }),
        flowsPublished: (n) => flows.add(n),
        anomaliesPublished: (n, level, state) => anomalies.add(n, { level, state }),
      };
      const deadLetter = async (letter: GatewayDeadLetter): Promise<void> => {
        const topic = deadLetterTopicOf(config, letter.signal);
        await raw.deadLetter({
          topic, value: letter.payload, code: letter.code, reason: letter.reason,
          originalTopic: letter.origin.topic ?? `http:/v1/${letter.signal}`,
          ...(letter.origin.partition === undefined ? {} : { partition: letter.origin.partition }),
          ...(letter.origin.offset === undefined ? {} : { offset: letter.origin.offset }),
          ...(letter.origin.key === undefined ? {} : { key: letter.origin.key }),
        });
        telemetry.instruments.recordDeadLetter({ topic, code: letter.code });
        logger.warn({ topic, code: letter.code, reason: letter.reason, transport: letter.origin.transport }, 'OTLP payload dead-lettered');
      };
      const gateway = new TelemetryGateway({ bus, deadLetter, settings: config.gateway, metrics, clock: Date.now });
      createStateGauge(meter, { name: 'foresight.gateway.spans.pending', description: 'Spans waiting for the other side of their call.' }).observe(() => gateway.pendingSpans);
      const ready = (): boolean => bus.health().ready && raw.health().live;
      const topics = [config.spansTopic, config.metricsTopic].filter((t) => t !== '');
      const handler = otlpBatchHandler(gateway, { spansTopic: config.spansTopic, metricsTopic: config.metricsTopic, encoding: config.topicEncoding });
      if (topics.length > 0) await context.step('kafka consumers', () => raw.consume(config.groupId, topics, handler));
      const http = await context.step('otlp/http', () => startOtlpHttpServer({
        acceptTraces: (p, e, o) => gateway.acceptTraces(p, e, o), acceptMetrics: (p, e, o) => gateway.acceptMetrics(p, e, o), ready,
      }, { ...config.http, logger, metrics }));
      logger.info({ port: http.port, host: config.http.host, topics, detector: config.gateway.detector === null ? 'off' : 'on' }, 'OTLP/HTTP receiver listening');
      addDependencyChecks(context, { bus });
      context.addReadinessCheck('otlp topics', () => raw.health().live);
      const ticking = startTicking(gateway, config.tickIntervalMs, logger);
      return {
        async stop() {
          ticking.stop();
          await http.close();
          await raw.close();
          await bus.close();
          onStopped();
        },
      };
    },
  };
}

/** Runs the gateway as a process until SIGTERM/SIGINT; resolves once it has stopped. */
export function runTelemetryGateway(env?: Env): Promise<void> {
  return new Promise((resolve) => runService(telemetryGatewayService(env, resolve)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void runTelemetryGateway();
