export { TelemetryGateway, flowEvent, type Acceptance, type GatewayDeadLetter, type GatewayDeps, type PayloadOrigin } from './telemetry-gateway.js';
export { DEFAULT_GATEWAY_SETTINGS, type GatewaySettings, type TopicEncoding } from './gateway-settings.js';
export { NO_GATEWAY_METRICS, type GatewayMetrics, type Transport } from './gateway-metrics.js';
export { startOtlpHttpServer, type OtlpHttpOptions, type OtlpHttpServer, type OtlpReceiver } from './otlp-http-server.js';
export { otlpBatchHandler, payloadEncoding, type OtlpTopics, type TopicReceiver } from './otlp-topics.js';
export { readGatewayConfig, type GatewayConfig } from './config.js';
export { TELEMETRY_GATEWAY, deadLetterTopicOf, runTelemetryGateway, telemetryGatewayService } from './main.js';
