/** How an export request reached the gateway. */
export type Transport = 'kafka' | 'http';

/** What the gateway counts (main wires these to OpenTelemetry instruments shown on /metrics). */
export interface GatewayMetrics {
  spansReceived(count: number, transport: Transport): void;
  /** Spans (or calls) left out, per reason: NO_VM_ATTRIBUTE, NO_GROUP_ATTRIBUTE, INVALID_SPAN, LATE, EVICTED… */
  spansSkipped(reason: string, count: number): void;
  request(signal: 'traces' | 'metrics', transport: Transport, outcome: 'accepted' | 'malformed' | 'throttled' | 'unavailable' | 'too_large' | 'unsupported'): void;
  flowsPublished(count: number): void;
  /** Anomalies the built-in detector published, by level and state. */
  anomaliesPublished?(count: number, level: string, state: string): void;
}

export const NO_GATEWAY_METRICS: GatewayMetrics = Object.freeze({
  spansReceived: () => undefined,
  spansSkipped: () => undefined,
  request: () => undefined,
  flowsPublished: () => undefined,
});
