import type { FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';
import { CallPathways, type CallPathwayOutput, type EntityIdentity, type PathwayWindow } from '@foresight/core';
import type { MessageBus } from '@foresight/messaging';
import {
  decodeMetricsRequest, decodeTraceRequest, OtlpError, spansOf, type ExportMetricsServiceRequest, type ExportTraceServiceRequest, type OtlpEncoding,
} from '@foresight/otlp';
import { NO_GATEWAY_METRICS, type GatewayMetrics, type Transport } from './gateway-metrics.js';
import type { GatewaySettings } from './gateway-settings.js';

/** Where a payload came from: the transport, and for Kafka its topic and position (for the dead letter). */
export interface PayloadOrigin {
  readonly transport: Transport;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly key?: string;
}

/** A refused payload on its way to a dead-letter topic. */
export interface GatewayDeadLetter {
  readonly signal: 'traces' | 'metrics';
  readonly payload: Buffer;
  readonly code: string;
  readonly reason: string;
  readonly origin: PayloadOrigin;
}

/** What became of one export request. */
export type Acceptance =
  | { readonly outcome: 'accepted'; readonly items: number; readonly rejected: number; readonly message: string }
  | { readonly outcome: 'malformed'; readonly message: string };

/** The gateway's ports: the bus it publishes Foresight's topics on, and where refused payloads go. */
export interface GatewayDeps {
  readonly bus: Pick<MessageBus, 'publish'>;
  readonly deadLetter: (letter: GatewayDeadLetter) => Promise<void>;
  readonly settings: GatewaySettings;
  readonly metrics?: GatewayMetrics;
  /** The receiver's clock, bounding producers' skew (spans ending further ahead are refused); none in replays. */
  readonly clock?: () => number;
}

function reasonsText(skipped: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(skipped).map(([reason, n]) => `${n} ${reason}`).join(', ');
}

/**
 * The telemetry gateway: OTLP export requests in (from Kafka or OTLP/HTTP), Foresight's inventory, hosts and flows
 * out. Decoding, identity and pairing are @foresight/otlp's and the core's; this class moves their results to the
 * bus, counts what was skipped and dead-letters what cannot be decoded.
 */
export class TelemetryGateway {
  private readonly pathways: CallPathways;
  private readonly metrics: GatewayMetrics;
  private readonly hosts = new Set<string>();

  constructor(private readonly deps: GatewayDeps) {
    this.pathways = new CallPathways(deps.settings.pathways);
    this.metrics = deps.metrics ?? NO_GATEWAY_METRICS;
  }

  /** Spans waiting for their partner (a gauge). */
  get pendingSpans(): number {
    return this.pathways.pendingSpans;
  }

  /** Decodes an ExportTraceServiceRequest, pairs its spans and publishes what closed; a malformed one is dead-lettered. */
  async acceptTraces(payload: Buffer, encoding: OtlpEncoding, origin: PayloadOrigin): Promise<Acceptance> {
    let request: ExportTraceServiceRequest;
    try {
      request = decodeTraceRequest(payload, encoding);
    } catch (error) {
      return this.refuse('traces', payload, error, origin);
    }
    const { spans, skipped, rejected } = spansOf(request, { precedence: this.deps.settings.identity, peerAttributes: this.deps.settings.peerAttributes });
    this.metrics.spansReceived(spans.length + Object.values(skipped).reduce((a, b) => a + (b ?? 0), 0), origin.transport);
    for (const [reason, n] of Object.entries(skipped)) this.metrics.spansSkipped(reason, n ?? 0);
    this.pathways.addSpans(spans, this.deps.clock?.());
    await this.publish(this.pathways.advance());
    const refused = Object.values(skipped).reduce((a, b) => a + (b ?? 0), 0);
    this.metrics.request('traces', origin.transport, 'accepted');
    return {
      outcome: 'accepted', items: spans.length, rejected: Math.max(rejected, refused),
      message: refused === 0 ? '' : `spans not mapped to an entity or invalid: ${reasonsText(skipped)}`,
    };
  }

  /**
   * Decodes an ExportMetricsServiceRequest and counts its data points. Capacity, utilisation and network pathways
   * from metrics are not mapped yet (docs/ingestion.md); a malformed request is dead-lettered.
   */
  async acceptMetrics(payload: Buffer, encoding: OtlpEncoding, origin: PayloadOrigin): Promise<Acceptance> {
    let request: ExportMetricsServiceRequest;
    try {
      request = decodeMetricsRequest(payload, encoding);
    } catch (error) {
      return this.refuse('metrics', payload, error, origin);
    }
    let points = 0;
    for (const rm of request.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          points += (m.gauge?.dataPoints?.length ?? 0) + (m.sum?.dataPoints?.length ?? 0) + (m.histogram?.dataPoints?.length ?? 0)
            + (m.exponentialHistogram?.dataPoints?.length ?? 0) + (m.summary?.dataPoints?.length ?? 0);
        }
      }
    }
    this.metrics.request('metrics', origin.transport, 'accepted');
    return { outcome: 'accepted', items: points, rejected: 0, message: '' };
  }

  /** Moves event time with the receiver's clock (less the pairing wait: exports arrive late) and publishes what closed. */
  async tick(now: number): Promise<void> {
    await this.publish(this.pathways.advance(now - this.deps.settings.pathways.pairingWaitMs));
  }

  /** Closes every open window and publishes it (the end of a replay). */
  async flush(): Promise<void> {
    await this.publish(this.pathways.flush());
  }

  private async refuse(signal: 'traces' | 'metrics', payload: Buffer, error: unknown, origin: PayloadOrigin): Promise<Acceptance> {
    if (!(error instanceof OtlpError)) throw error;
    await this.deps.deadLetter({ signal, payload, code: error.code, reason: error.message, origin });
    this.metrics.request(signal, origin.transport, 'malformed');
    return { outcome: 'malformed', message: error.message };
  }

  private async publish(output: CallPathwayOutput): Promise<void> {
    for (const [reason, n] of Object.entries(output.skipped)) this.metrics.spansSkipped(reason, n ?? 0);
    if (output.entities.length === 0 && output.windows.length === 0) return;
    const eventTime = Math.max(0, Math.floor(this.pathways.watermark));
    const newHosts = output.entities.filter((e) => !this.hosts.has(e.hostId));
    if (newHosts.length > 0) {
      const hosts = [...new Map(newHosts.map((e) => [e.hostId, this.hostEvent(e.hostId, eventTime)])).values()];
      await this.deps.bus.publish('hosts', hosts);
      for (const h of hosts) this.hosts.add(h.hostId);
    }
    if (output.entities.length > 0) await this.deps.bus.publish('inventory', output.entities.map((e) => this.inventoryEvent(e, eventTime)));
    if (output.windows.length > 0) {
      await this.deps.bus.publish('flows', output.windows.map(flowEvent));
      this.metrics.flowsPublished(output.windows.length);
    }
  }

  private hostEvent(hostId: string, eventTime: number): HostEvent {
    return { eventId: `otel-host:${hostId}`, eventTime, hostId, removed: false, capacity: this.deps.settings.hostCapacity };
  }

  private inventoryEvent(e: EntityIdentity, eventTime: number): InventoryEvent {
    const capacity = this.deps.settings.vmCapacity;
    return {
      eventId: `otel-vm:${e.vmId}:${e.hostId}:${e.groupId}:${e.systemId}`, eventTime, vmId: e.vmId, removed: false,
      hostId: e.hostId, groupId: e.groupId, systemId: e.systemId, capacity, allocation: capacity,
      criticality: this.deps.settings.criticality, labels: { source: 'opentelemetry', ...(e.virtual ? { virtual: 'true' } : {}) },
    };
  }
}

/** A closed pathway window as an API_CALL flow (spans carry no bytes: bandwidth 0, not measured). */
export function flowEvent(w: PathwayWindow): FlowEvent {
  return {
    eventId: `otel-flow:${w.source.vmId}->${w.target.vmId}@${w.windowEnd}`, eventTime: w.windowEnd,
    source: w.source.vmId, target: w.target.vmId, kind: 'API_CALL', windowStart: w.windowStart, windowEnd: w.windowEnd,
    bandwidthMbps: 0, callsPerSec: w.callsPerSec, latencyP50Ms: w.latencyP50Ms, latencyP99Ms: w.latencyP99Ms, errorRate: w.errorRate,
  };
}
