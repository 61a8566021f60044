import {
  DEFAULT_CALL_PATHWAY_SETTINGS, IDENTITY_PRESETS, type CallPathwaySettings, type DetectorSettings, type IdentityPrecedence, type Resources,
} from '@foresight/core';

/** How the Kafka topics' payloads are encoded: the Collector exporter's `encoding`, or `auto` (JSON starts with `{`). */
export type TopicEncoding = 'otlp_proto' | 'otlp_json' | 'auto';

/** What the gateway decides with, beyond its connections. */
export interface GatewaySettings {
  readonly pathways: CallPathwaySettings;
  readonly identity: IdentityPrecedence;
  readonly peerAttributes: readonly string[];
  /** Capacity (= allocation) of a VM in the inventory the gateway publishes: OTLP spans do not carry it. */
  readonly vmCapacity: Resources;
  /** Capacity of a host in the hosts the gateway publishes. */
  readonly hostCapacity: Resources;
  readonly criticality: number;
  /**
   * The built-in anomaly detector (docs/ingestion.md): its settings, or null when off (the user brings their own
   * anomalies). Off here, in the library's default; the service's FORESIGHT_GATEWAY_DETECTOR defaults to on.
   */
  readonly detector: DetectorSettings | null;
}

export const DEFAULT_GATEWAY_SETTINGS: GatewaySettings = Object.freeze({
  pathways: DEFAULT_CALL_PATHWAY_SETTINGS,
  identity: IDENTITY_PRESETS.vms,
  peerAttributes: ['service.peer.name', 'peer.service', 'db.namespace', 'db.name', 'db.system.name', 'db.system'],
  vmCapacity: { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 1000 },
  hostCapacity: { cpuMillis: 16_000, memoryMiB: 65_536, networkMbps: 10_000 },
  criticality: 0.5,
  detector: null,
});
