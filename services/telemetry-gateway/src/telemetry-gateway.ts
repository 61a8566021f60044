import type { AnomalyEvent, FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';
import {
  AnomalyDetector, CallPathways, identityKey, latestCapacities, NetworkPathways, serviceGraphPathways, ServiceGraphPathways, type CallPathwayOutput, type DetectedAnomaly, type EntityIdentity,
  type NetworkWindow, type PathwayWindow, type Resources, type UtilisationPoint,
} from '@foresight/core';
import type { MessageBus } from '@foresight/messaging';
import {
  decodeMetricsRequest, decodeTraceRequest, metricsOf, OtlpError, spansOf, type ExportMetricsServiceRequest, type ExportTraceServiceRequest, type OtlpEncoding,
} from '@foresight/otlp';
import { NO_GATEWAY_METRICS, type GatewayMetrics, type Transport } from './gateway-metrics.js';
import type { GatewaySettings } from './gateway-settings.js';
import { serviceGraphPointsOf } from './service-graph-points.js';
import { utilisationOf } from './utilisation-points.js';

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
  private readonly network: NetworkPathways;
  private readonly serviceGraph: ServiceGraphPathways;
  private readonly metrics: GatewayMetrics;
  /** VMs known (from spans or metrics), with their identity and capacity as last published or to publish. */
  private readonly vms = new Map<string, { identity: EntityIdentity; capacity: Resources }>();
  private readonly hosts = new Map<string, Resources>();
  private readonly vmsToPublish = new Set<string>();
  private readonly hostsToPublish = new Set<string>();
  /** The latest metric data point time seen: event time of what metrics alone publish. */
  private metricTimeMs = Number.NEGATIVE_INFINITY;
  /** The built-in detector (null when off) and the utilisation points it has still to judge. */
  private readonly detector: AnomalyDetector | null;
  private utilisation: UtilisationPoint[] = [];

  constructor(private readonly deps: GatewayDeps) {
    this.detector = deps.settings.detector === null ? null : new AnomalyDetector(deps.settings.detector);
    this.pathways = new CallPathways(deps.settings.pathways);
    const p = deps.settings.pathways;
    this.network = new NetworkPathways({ windowMs: p.windowMs, latenessMs: p.pairingWaitMs, maxSeries: p.maxVms, maxOpenPathways: p.maxOpenPathways });
    this.serviceGraph = new ServiceGraphPathways({ windowMs: p.windowMs, latenessMs: p.pairingWaitMs, maxSeries: p.maxVms, maxOpenPathways: p.maxOpenPathways });
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
   * Decodes an ExportMetricsServiceRequest: capacity metrics update the VMs and hosts published (CAPACITY_METRICS),
   * eBPF flow-byte counters between known VMs become NETWORK flows, the servicegraph connector's metrics become
   * API_CALL flows between services' VMs; other metrics are counted only. A malformed request is dead-lettered.
   */
  async acceptMetrics(payload: Buffer, encoding: OtlpEncoding, origin: PayloadOrigin): Promise<Acceptance> {
    let request: ExportMetricsServiceRequest;
    try {
      request = decodeMetricsRequest(payload, encoding);
    } catch (error) {
      return this.refuse('metrics', payload, error, origin);
    }
    const extraction = metricsOf(request, this.deps.settings.identity);
    for (const [reason, n] of Object.entries(extraction.skipped)) this.metrics.spansSkipped(reason, n ?? 0);
    for (const identity of extraction.identities) this.knowVm(identity);
    const now = this.deps.clock?.();
    const limit = now === undefined ? Number.POSITIVE_INFINITY : now + this.deps.settings.pathways.maxFutureSkewMs;
    const inTime = <P extends { readonly timeMs: number }>(points: readonly P[]): P[] => points.filter((p) => p.timeMs <= limit);
    const capacity = inTime(extraction.capacity);
    const flows = inTime(extraction.flows);
    const graph = serviceGraphPointsOf(request);
    if (graph.missingEnds > 0) this.metrics.spansSkipped('NO_SERVICE_GRAPH_ENDS', graph.missingEnds);
    const graphPoints = inTime(graph.points);
    const future = extraction.capacity.length + extraction.flows.length + graph.points.length - capacity.length - flows.length - graphPoints.length;
    if (future > 0) this.metrics.spansSkipped('POINT_IN_FUTURE', future);
    for (const point of [...capacity, ...flows, ...graphPoints]) if (point.timeMs > this.metricTimeMs) this.metricTimeMs = point.timeMs;
    for (const { target, id, capacity: stated } of latestCapacities(capacity).values()) {
      if (target === 'host') {
        const known = this.hosts.get(id) ?? this.deps.settings.hostCapacity;
        const next = { ...known, ...stated };
        if (!sameResources(known, next) || !this.hosts.has(id)) this.hostsToPublish.add(id);
        this.hosts.set(id, next);
        continue;
      }
      const vm = this.vms.get(id);
      if (vm === undefined) continue;
      const next = { ...vm.capacity, ...stated };
      if (!sameResources(vm.capacity, next)) {
        vm.capacity = next;
        this.vmsToPublish.add(id);
      }
    }
    this.network.add(flows);
    this.serviceGraph.add(graphPoints);
    if (this.detector !== null) for (const p of utilisationOf(request, this.deps.settings.identity)) if (p.timeMs <= limit) this.utilisation.push(p);
    await this.publish(this.pathways.advance());
    this.metrics.request('metrics', origin.transport, 'accepted');
    return { outcome: 'accepted', items: extraction.points, rejected: 0, message: '' };
  }

  /** Moves event time with the receiver's clock (less the pairing wait: exports arrive late) and publishes what closed. */
  async tick(now: number): Promise<void> {
    const to = now - this.deps.settings.pathways.pairingWaitMs;
    await this.publish(this.pathways.advance(to), to);
  }

  /** Closes every open window and publishes it (the end of a replay). */
  async flush(): Promise<void> {
    await this.publish(this.pathways.flush(), Number.MAX_SAFE_INTEGER);
  }

  private async refuse(signal: 'traces' | 'metrics', payload: Buffer, error: unknown, origin: PayloadOrigin): Promise<Acceptance> {
    if (!(error instanceof OtlpError)) throw error;
    await this.deps.deadLetter({ signal, payload, code: error.code, reason: error.message, origin });
    this.metrics.request(signal, origin.transport, 'malformed');
    return { outcome: 'malformed', message: error.message };
  }

  /** Remembers a VM (bounded by maxVms: false beyond); a new or changed identity is published. */
  private knowVm(identity: EntityIdentity): boolean {
    const known = this.vms.get(identity.vmId);
    if (known === undefined) {
      if (this.vms.size >= this.deps.settings.pathways.maxVms) {
        this.metrics.spansSkipped('VM_LIMIT', 1);
        return false;
      }
      this.vms.set(identity.vmId, { identity, capacity: this.deps.settings.vmCapacity });
    } else if (identityKey(known.identity) !== identityKey(identity)) known.identity = identity;
    else return true;
    this.vmsToPublish.add(identity.vmId);
    if (!this.hosts.has(identity.hostId)) {
      this.hosts.set(identity.hostId, this.deps.settings.hostCapacity);
      this.hostsToPublish.add(identity.hostId);
    }
    return true;
  }

  private async publish(output: CallPathwayOutput, networkTo?: number): Promise<void> {
    for (const [reason, n] of Object.entries(output.skipped)) this.metrics.spansSkipped(reason, n ?? 0);
    for (const e of output.entities) this.knowVm(e);
    const network = this.network.advance(networkTo);
    for (const [reason, n] of Object.entries(network.skipped)) this.metrics.spansSkipped(reason, n ?? 0);
    const networkFlows: FlowEvent[] = [];
    for (const w of network.windows) {
      if (this.vms.has(w.source) && this.vms.has(w.target)) networkFlows.push(networkFlowEvent(w));
      else this.metrics.spansSkipped('FLOW_UNKNOWN_VM', 1);
    }
    const flows = [...output.windows.map(flowEvent), ...networkFlows, ...this.serviceGraphFlows(networkTo)];
    const anomalies = this.detect(output.windows, network.windows);
    if (this.hostsToPublish.size === 0 && this.vmsToPublish.size === 0 && flows.length === 0 && anomalies.length === 0) return;
    const eventTime = Math.max(0, Math.floor(Math.max(this.pathways.watermark, this.metricTimeMs)));
    if (this.hostsToPublish.size > 0) {
      const ids = [...this.hostsToPublish];
      await this.deps.bus.publish('hosts', ids.map((id) => this.hostEvent(id, eventTime)));
      for (const id of ids) this.hostsToPublish.delete(id);
    }
    if (this.vmsToPublish.size > 0) {
      const ids = [...this.vmsToPublish];
      await this.deps.bus.publish('inventory', ids.flatMap((id) => {
        const vm = this.vms.get(id);
        return vm === undefined ? [] : [this.inventoryEvent(vm.identity, vm.capacity, eventTime)];
      }));
      for (const id of ids) this.vmsToPublish.delete(id);
    }
    if (flows.length > 0) {
      await this.deps.bus.publish('flows', flows);
      this.metrics.flowsPublished(flows.length);
    }
    if (anomalies.length > 0) {
      await this.deps.bus.publish('anomalies', anomalies);
      for (const a of anomalies) this.metrics.anomaliesPublished?.(1, a.level, a.state);
    }
  }

  /**
   * The servicegraph windows closed by `to` as API_CALL flows between VMs: service names resolved against the VMs
   * known (a VM id, else a group's VMs), an unknown end a virtual node (published with the inventory).
   */
  private serviceGraphFlows(to: number | undefined): FlowEvent[] {
    const closed = this.serviceGraph.advance(to);
    for (const [reason, n] of Object.entries(closed.skipped)) this.metrics.spansSkipped(reason, n ?? 0);
    if (closed.windows.length === 0) return [];
    const byGroup = new Map<string, EntityIdentity[]>();
    for (const { identity } of this.vms.values()) {
      if (identity.virtual) continue;
      const list = byGroup.get(identity.groupId);
      if (list === undefined) byGroup.set(identity.groupId, [identity]);
      else list.push(identity);
    }
    const lookup = (name: string): readonly EntityIdentity[] => {
      const vm = this.vms.get(name);
      if (vm !== undefined) return [vm.identity];
      return [...(byGroup.get(name) ?? [])].sort((a, b) => a.vmId.localeCompare(b.vmId));
    };
    const flows: FlowEvent[] = [];
    for (const window of closed.windows) {
      const pathways = serviceGraphPathways(window, lookup);
      if (typeof pathways === 'string') {
        this.metrics.spansSkipped(pathways, 1);
        continue;
      }
      for (const w of pathways) {
        if (!this.knowVm(w.source) || !this.knowVm(w.target)) continue;
        flows.push(serviceGraphFlowEvent(w));
      }
    }
    return flows;
  }

  /**
   * The built-in detector's verdict on closed pathway windows and the utilisation seen since the last call (metric
   * points, and each VM's network windows as a share of its capacity); nothing when it is off.
   */
  private detect(windows: readonly PathwayWindow[], network: readonly NetworkWindow[]): AnomalyEvent[] {
    if (this.detector === null) return [];
    const points = this.utilisation;
    this.utilisation = [];
    const traffic = new Map<string, { at: number; mbps: number }>();
    for (const w of network) {
      for (const id of [w.source, w.target]) {
        const known = traffic.get(`${id}@${w.windowEnd}`) ?? { at: w.windowEnd, mbps: 0 };
        known.mbps += w.bandwidthMbps;
        traffic.set(`${id}@${w.windowEnd}`, known);
      }
    }
    for (const [key, { at, mbps }] of traffic) {
      const vm = this.vms.get(key.slice(0, key.lastIndexOf('@')));
      if (vm !== undefined && vm.capacity.networkMbps > 0) points.push({ identity: vm.identity, signal: 'network_congestion', value: mbps / vm.capacity.networkMbps, timeMs: at });
    }
    const { anomalies, skipped } = this.detector.observe(windows, points);
    for (const [reason, n] of Object.entries(skipped)) this.metrics.spansSkipped(reason, n ?? 0);
    return anomalies.map(anomalyEvent);
  }

  private hostEvent(hostId: string, eventTime: number): HostEvent {
    const capacity = this.hosts.get(hostId) ?? this.deps.settings.hostCapacity;
    return { eventId: `otel-host:${hostId}:${resourcesKey(capacity)}`, eventTime, hostId, removed: false, capacity };
  }

  private inventoryEvent(e: EntityIdentity, capacity: Resources, eventTime: number): InventoryEvent {
    return {
      eventId: `otel-vm:${e.vmId}:${e.hostId}:${e.groupId}:${e.systemId}:${resourcesKey(capacity)}`, eventTime, vmId: e.vmId, removed: false,
      hostId: e.hostId, groupId: e.groupId, systemId: e.systemId, capacity, allocation: capacity,
      criticality: this.deps.settings.criticality, labels: { source: 'opentelemetry', ...(e.virtual ? { virtual: 'true' } : {}) },
    };
  }
}

function sameResources(a: Resources, b: Resources): boolean {
  return a.cpuMillis === b.cpuMillis && a.memoryMiB === b.memoryMiB && a.networkMbps === b.networkMbps;
}

function resourcesKey(r: Resources): string {
  return `${r.cpuMillis}/${r.memoryMiB}/${r.networkMbps}`;
}

/** A detector transition as an anomaly event: event time (and detection time) is the window end that decided it. */
export function anomalyEvent(a: DetectedAnomaly): AnomalyEvent {
  const at = Math.max(0, Math.floor(a.atMs));
  return {
    eventId: `otel-anomaly:${a.level}:${a.subjectId}:${a.anomalyType}:${a.state}@${at}`, eventTime: at, systemId: a.systemId, level: a.level,
    subjectId: a.subjectId, anomalyType: a.anomalyType, severity: a.severity, state: a.state, detectedAt: at, attributes: a.attributes,
  };
}

/** A closed network window as a NETWORK flow (bytes only: no calls, latency or errors). */
export function networkFlowEvent(w: NetworkWindow): FlowEvent {
  return {
    eventId: `otel-net:${w.source}->${w.target}@${w.windowEnd}`, eventTime: w.windowEnd, source: w.source, target: w.target, kind: 'NETWORK',
    windowStart: w.windowStart, windowEnd: w.windowEnd, bandwidthMbps: w.bandwidthMbps, callsPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0, errorRate: 0,
  };
}

/** A servicegraph pathway window as an API_CALL flow (its own event ids: spans may give the same edge too). */
export function serviceGraphFlowEvent(w: PathwayWindow): FlowEvent {
  return { ...flowEvent(w), eventId: `otel-sg:${w.source.vmId}->${w.target.vmId}@${w.windowEnd}` };
}

/** A closed pathway window as an API_CALL flow (spans carry no bytes: bandwidth 0, not measured). */
export function flowEvent(w: PathwayWindow): FlowEvent {
  return {
    eventId: `otel-flow:${w.source.vmId}->${w.target.vmId}@${w.windowEnd}`, eventTime: w.windowEnd,
    source: w.source.vmId, target: w.target.vmId, kind: 'API_CALL', windowStart: w.windowStart, windowEnd: w.windowEnd,
    bandwidthMbps: 0, callsPerSec: w.callsPerSec, latencyP50Ms: w.latencyP50Ms, latencyP99Ms: w.latencyP99Ms, errorRate: w.errorRate,
  };
}
