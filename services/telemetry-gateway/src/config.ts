import { DEFAULT_TOPIC_PREFIX } from '@foresight/contracts';
import { DEFAULT_DETECTOR_SETTINGS as DD, IDENTITY_PRESETS, type Resources } from '@foresight/core';
import {
  duration, type Env, float, int, kafkaConsumerSettings, type KafkaConsumerSettings, kafkaSettings, type KafkaSettings, list, oneOf, port, readConfig,
  registrySettings, type RegistrySettings, type ServiceConfig, serviceSettings, type ServiceSettings, text, tickIntervalSetting, topicPrefixSetting,
} from '@foresight/service-kit';
import { DEFAULT_GATEWAY_SETTINGS as D, type GatewaySettings, type TopicEncoding } from './gateway-settings.js';

/** Everything the telemetry gateway process is configured with. */
export interface GatewayConfig extends ServiceConfig {
  readonly service: ServiceSettings;
  readonly kafka: KafkaSettings;
  readonly kafkaConsumer: KafkaConsumerSettings;
  readonly registry: RegistrySettings;
  /** Prefix of Foresight's own topics it publishes (inventory, hosts, flows). */
  readonly topicPrefix: string;
  /** The Collector's topics, full names ('' consumes none). */
  readonly spansTopic: string;
  readonly metricsTopic: string;
  readonly topicEncoding: TopicEncoding;
  /** The consumer group of the OTLP topics. */
  readonly groupId: string;
  readonly http: { readonly host: string; readonly port: number; readonly maxBodyBytes: number; readonly maxInFlight: number; readonly retryAfterMs: number };
  readonly tickIntervalMs: number;
  readonly gateway: GatewaySettings;
}

const ATTRIBUTE = /^[A-Za-z0-9_.\-/]+$/;
const NUMBER = /^\d+(\.\d+)?$/;

function resources(values: readonly string[]): Resources {
  const [cpuMillis, memoryMiB, networkMbps] = values.map(Number);
  return { cpuMillis, memoryMiB, networkMbps };
}

function capacity(name: string, fallback: Resources) {
  return list(name, {
    default: [String(fallback.cpuMillis), String(fallback.memoryMiB), String(fallback.networkMbps)],
    itemPattern: NUMBER, itemName: 'a number (cpuMillis,memoryMiB,networkMbps)',
  });
}

/** Reads the gateway's configuration (the only reader of process.env); ConfigError names every bad variable. */
export function readGatewayConfig(env: Env = process.env): GatewayConfig {
  const c = readConfig(env, {
    service: serviceSettings(),
    kafka: kafkaSettings({ clientId: 'telemetry-gateway' }),
    kafkaConsumer: kafkaConsumerSettings(),
    registry: registrySettings(),
    topicPrefix: topicPrefixSetting(DEFAULT_TOPIC_PREFIX),
    tickIntervalMs: tickIntervalSetting(),
    spansTopic: text('FORESIGHT_GATEWAY_SPANS_TOPIC', { default: 'otlp_spans', pattern: /^[A-Za-z0-9._-]*$/, description: 'a Kafka topic name or empty' }),
    metricsTopic: text('FORESIGHT_GATEWAY_METRICS_TOPIC', { default: 'otlp_metrics', pattern: /^[A-Za-z0-9._-]*$/, description: 'a Kafka topic name or empty' }),
    topicEncoding: oneOf('FORESIGHT_GATEWAY_ENCODING', ['auto', 'otlp_proto', 'otlp_json'], { default: 'auto' }),
    groupId: text('FORESIGHT_GATEWAY_GROUP', { optional: true, pattern: /^[A-Za-z0-9._-]+$/, description: 'a consumer group name' }),
    httpHost: text('FORESIGHT_GATEWAY_HTTP_HOST', { default: '127.0.0.1' }),
    httpPort: port('FORESIGHT_GATEWAY_HTTP_PORT', { default: 4319 }),
    maxBodyBytes: int('FORESIGHT_GATEWAY_MAX_BODY_BYTES', { default: 8 * 1024 * 1024, min: 1024, max: 256 * 1024 * 1024 }),
    maxInFlight: int('FORESIGHT_GATEWAY_MAX_IN_FLIGHT', { default: 16, min: 1, max: 10_000 }),
    retryAfterMs: duration('FORESIGHT_GATEWAY_RETRY_AFTER', { default: 1_000, min: 1 }),
    identity: oneOf('FORESIGHT_GATEWAY_IDENTITY', ['vms', 'pods'], { default: 'vms' }),
    vmAttributes: list('FORESIGHT_GATEWAY_VM_ATTRIBUTES', { optional: true, itemPattern: ATTRIBUTE, itemName: 'an attribute name' }),
    hostAttributes: list('FORESIGHT_GATEWAY_HOST_ATTRIBUTES', { optional: true, itemPattern: ATTRIBUTE, itemName: 'an attribute name' }),
    groupAttributes: list('FORESIGHT_GATEWAY_GROUP_ATTRIBUTES', { optional: true, itemPattern: ATTRIBUTE, itemName: 'an attribute name' }),
    systemAttributes: list('FORESIGHT_GATEWAY_SYSTEM_ATTRIBUTES', { optional: true, itemPattern: ATTRIBUTE, itemName: 'an attribute name' }),
    defaultSystem: text('FORESIGHT_GATEWAY_DEFAULT_SYSTEM', { default: 'default' }),
    peerAttributes: list('FORESIGHT_GATEWAY_PEER_ATTRIBUTES', { default: D.peerAttributes, itemPattern: ATTRIBUTE, itemName: 'an attribute name' }),
    windowMs: duration('FORESIGHT_GATEWAY_WINDOW', { default: D.pathways.windowMs, min: 1_000 }),
    pairingWaitMs: duration('FORESIGHT_GATEWAY_PAIRING_WAIT', { default: D.pathways.pairingWaitMs, min: 0 }),
    maxClockSkewMs: duration('FORESIGHT_GATEWAY_MAX_CLOCK_SKEW', { default: D.pathways.maxFutureSkewMs, min: 0 }),
    maxPendingSpans: int('FORESIGHT_GATEWAY_MAX_PENDING_SPANS', { default: D.pathways.maxPendingSpans, min: 1, max: 100_000_000 }),
    maxOpenPathways: int('FORESIGHT_GATEWAY_MAX_OPEN_PATHWAYS', { default: D.pathways.maxOpenPathways, min: 1, max: 10_000_000 }),
    latencySamples: int('FORESIGHT_GATEWAY_LATENCY_SAMPLES', { default: D.pathways.latencySamples, min: 2, max: 1_000_000 }),
    maxVms: int('FORESIGHT_GATEWAY_MAX_VMS', { default: D.pathways.maxVms, min: 1, max: 10_000_000 }),
    vmCapacity: capacity('FORESIGHT_GATEWAY_VM_CAPACITY', D.vmCapacity),
    hostCapacity: capacity('FORESIGHT_GATEWAY_HOST_CAPACITY', D.hostCapacity),
    criticality: float('FORESIGHT_GATEWAY_CRITICALITY', { default: D.criticality, min: 0, max: 1 }),
    detector: oneOf('FORESIGHT_GATEWAY_DETECTOR', ['on', 'off'], { default: 'on' }),
    detectorWarmUp: int('FORESIGHT_GATEWAY_DETECTOR_WARMUP', { default: DD.warmUp, min: 3, max: 10_000 }),
    detectorBaseline: int('FORESIGHT_GATEWAY_DETECTOR_BASELINE', { default: DD.baselineSize, min: 3, max: 10_000 }),
    detectorK: float('FORESIGHT_GATEWAY_DETECTOR_K', { default: DD.k, min: 0.5, max: 100 }),
    detectorOpenAfter: int('FORESIGHT_GATEWAY_DETECTOR_OPEN_AFTER', { default: DD.openAfter, min: 1, max: 1_000 }),
    detectorResolveAfter: int('FORESIGHT_GATEWAY_DETECTOR_RESOLVE_AFTER', { default: DD.resolveAfter, min: 1, max: 1_000 }),
    detectorMinCalls: int('FORESIGHT_GATEWAY_DETECTOR_MIN_CALLS', { default: DD.minCalls, min: 1, max: 1_000_000 }),
  });
  const preset = IDENTITY_PRESETS[c.identity];
  return {
    service: c.service, kafka: c.kafka, kafkaConsumer: c.kafkaConsumer, registry: c.registry, topicPrefix: c.topicPrefix,
    tickIntervalMs: c.tickIntervalMs, spansTopic: c.spansTopic, metricsTopic: c.metricsTopic, topicEncoding: c.topicEncoding,
    groupId: c.groupId ?? `${c.topicPrefix}telemetry-gateway`,
    http: { host: c.httpHost, port: c.httpPort, maxBodyBytes: c.maxBodyBytes, maxInFlight: c.maxInFlight, retryAfterMs: c.retryAfterMs },
    gateway: {
      pathways: {
        windowMs: c.windowMs, pairingWaitMs: c.pairingWaitMs, maxFutureSkewMs: c.maxClockSkewMs, maxPendingSpans: c.maxPendingSpans,
        maxOpenPathways: c.maxOpenPathways, latencySamples: c.latencySamples, maxVms: c.maxVms,
      },
      identity: {
        vm: c.vmAttributes ?? preset.vm, host: c.hostAttributes ?? preset.host, group: c.groupAttributes ?? preset.group,
        system: c.systemAttributes ?? preset.system, defaultSystem: c.defaultSystem,
      },
      peerAttributes: c.peerAttributes,
      vmCapacity: resources(c.vmCapacity),
      hostCapacity: resources(c.hostCapacity),
      criticality: c.criticality,
      detector: c.detector === 'off' ? null : {
        ...DD, warmUp: c.detectorWarmUp, baselineSize: Math.max(c.detectorBaseline, c.detectorWarmUp), k: c.detectorK,
        openAfter: c.detectorOpenAfter, resolveAfter: c.detectorResolveAfter, minCalls: c.detectorMinCalls, maxSeries: c.maxOpenPathways * 2 + c.maxVms * 3,
      },
    },
  };
}
