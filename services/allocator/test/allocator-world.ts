import { randomUUID } from 'node:crypto';
import type { AllocationCommand, HostEvent, InventoryEvent, RiskAssessment, Resources, TopicMessages, TopicName } from '@foresight/contracts';
import type { ModelParameters } from '@foresight/core';
import { InMemoryBus, consumerOf, silentLogger } from '@foresight/messaging';
import { InMemoryStateStore } from '@foresight/stores';
import { createAllocator, type Allocator, type AllocatorDeps } from '../src/allocator.js';
import type { AllocatorSettings } from '../src/allocator-settings.js';

/** One test's world: its own bus (unique prefix), store, allocator and the commands it published. */
export interface AllocatorWorld {
  readonly bus: InMemoryBus;
  readonly store: InMemoryStateStore;
  readonly allocator: Allocator;
  readonly commands: AllocationCommand[];
  /** Publishes and waits until every consumer is idle. */
  send<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][]): Promise<void>;
  close(): Promise<void>;
}

export async function allocatorWorld(
  settings: Partial<AllocatorSettings> = {}, store = new InMemoryStateStore(), model?: ModelParameters, deps: Partial<Pick<AllocatorDeps, 'fleetRecord' | 'metrics' | 'logger'>> = {},
): Promise<AllocatorWorld> {
  const bus = new InMemoryBus({ topicPrefix: `t${randomUUID().slice(0, 8)}.`, groupId: 'allocator' });
  const allocator = createAllocator({ bus, stateStore: store, logger: silentLogger, settings, ...(model === undefined ? {} : { model }), ...deps });
  const commands: AllocationCommand[] = [];
  await allocator.start();
  await bus.startConsumers([
    ...allocator.consumers,
    consumerOf({ topic: 'allocations', groupId: 'probe', handle: (c) => { commands.push(c); return Promise.resolve(); } }),
  ]);
  return {
    bus, store, allocator, commands,
    async send(topic, messages) {
      await bus.publish(topic, messages);
      await bus.drain();
    },
    async close() {
      await allocator.stop();
      await bus.close();
    },
  };
}

export const RES = (cpuMillis: number, memoryMiB: number, networkMbps: number): Resources => ({ cpuMillis, memoryMiB, networkMbps });

export function host(hostId: string, capacity: Resources, eventTime = 0): HostEvent {
  return { eventId: `host-${hostId}-${eventTime}-${randomUUID()}`, eventTime, hostId, removed: false, capacity };
}

export function vm(vmId: string, hostId: string, options: { systemId?: string; criticality?: number; allocation?: Resources } = {}): InventoryEvent {
  return {
    eventId: `vm-${vmId}-${randomUUID()}`, eventTime: 0, vmId, removed: false, hostId, groupId: 'g1', systemId: options.systemId ?? 'sys',
    capacity: RES(4000, 8192, 1000), allocation: options.allocation ?? RES(0, 0, 0), criticality: options.criticality ?? 0.5, labels: {},
  };
}

export interface RiskOptions {
  readonly version?: number;
  readonly status?: 'OPEN' | 'CLOSED';
  readonly systemId?: string;
  readonly anomalyType?: string;
  readonly severity?: number;
  readonly at?: number;
}

/** A risk assessment of `incidentId` listing `atRisk` as [vmId, hostId, probability]. */
export function risk(incidentId: string, atRisk: readonly (readonly [string, string, number])[], options: RiskOptions = {}): RiskAssessment {
  const version = options.version ?? 1;
  const at = options.at ?? 1_000_000;
  return {
    eventId: `risk-${incidentId}-${version}`, eventTime: at, incidentId, version, status: options.status ?? 'OPEN', systemId: options.systemId ?? 'sys',
    anomalyType: options.anomalyType ?? 'cpu_saturation', severity: options.severity ?? 1, estimator: 'most-probable-path',
    sources: [{ vmId: 'src', onsetAt: at - 1000 }], modelVersion: 1, generatedAt: at,
    atRisk: atRisk.map(([vmId, hostId, probability]) => ({ vmId, hostId, probability, etaMs: 60_000, path: ['src', vmId], contributions: [] })),
  };
}
