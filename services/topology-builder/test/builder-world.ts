import { randomUUID } from 'node:crypto';
import type { FlowEvent, InventoryEvent, TopicMessages, TopicName, TopologyChangeEvent } from '@foresight/contracts';
import type { Pathway, Vm } from '@foresight/core';
import { InMemoryBroker, InMemoryBus, consumerOf, silentLogger } from '@foresight/messaging';
import { InMemoryGraphStore, type HostRecord, type PathwayRef } from '@foresight/stores';
import { createTopologyBuilder, type TopologyBuilder, type TopologyBuilderOptions } from '../src/index.js';

/** Event time the tests start at. */
export const T0 = 1_700_000_000_000;

/** An InMemoryGraphStore that counts the rows each write carries. */
export class CountingGraphStore extends InMemoryGraphStore {
  readonly writes = { vms: 0, vmRemovals: 0, hosts: 0, pathways: 0, pathwayRemovals: 0, calls: 0 };

  override upsertVms(vms: readonly Vm[]): Promise<void> {
    this.writes.vms += vms.length;
    this.writes.calls++;
    return super.upsertVms(vms);
  }

  override removeVms(vmIds: readonly string[]): Promise<void> {
    this.writes.vmRemovals += vmIds.length;
    this.writes.calls++;
    return super.removeVms(vmIds);
  }

  override upsertHosts(hosts: readonly HostRecord[]): Promise<void> {
    this.writes.hosts += hosts.length;
    this.writes.calls++;
    return super.upsertHosts(hosts);
  }

  override upsertPathways(pathways: readonly Pathway[]): Promise<void> {
    this.writes.pathways += pathways.length;
    this.writes.calls++;
    return super.upsertPathways(pathways);
  }

  override removePathways(refs: readonly PathwayRef[]): Promise<void> {
    this.writes.pathwayRemovals += refs.length;
    this.writes.calls++;
    return super.removePathways(refs);
  }
}

const RESOURCES = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };
let seq = 0;

/** An inventory upsert (or removal) of a VM. */
export function inventory(vmId: string, at: number, overrides: Partial<InventoryEvent> = {}): InventoryEvent {
  return {
    eventId: `inv-${seq++}`, eventTime: at, vmId, removed: false, hostId: `h-${vmId}`, groupId: 'g', systemId: 'sys',
    capacity: RESOURCES, allocation: RESOURCES, criticality: 0.5, labels: {}, ...overrides,
  };
}

/** A one-minute API_CALL flow window ending at `at`. */
export function flow(source: string, target: string, at: number, overrides: Partial<FlowEvent> = {}): FlowEvent {
  return {
    eventId: `flow-${seq++}`, eventTime: at, source, target, kind: 'API_CALL', windowStart: at - 60_000, windowEnd: at,
    bandwidthMbps: 10, callsPerSec: 100, latencyP50Ms: 5, latencyP99Ms: 20, errorRate: 0.01, ...overrides,
  };
}

/** A builder on an in-memory bus and counting store, with a consumer collecting the topology changes it publishes. */
export interface BuilderWorld {
  readonly store: CountingGraphStore;
  readonly builder: TopologyBuilder;
  readonly changes: TopologyChangeEvent[];
  publish<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][]): Promise<void>;
  settle(): Promise<void>;
  /** A second builder instance on the same store (a restart). */
  restart(options?: Partial<TopologyBuilderOptions>): Promise<BuilderWorld>;
  close(): Promise<void>;
}

/** Builds a world; `options` tune the builder. */
export async function builderWorld(options: Partial<TopologyBuilderOptions> = {}, existing?: CountingGraphStore): Promise<BuilderWorld> {
  const broker = new InMemoryBroker();
  const prefix = `t${randomUUID().slice(0, 8)}.`;
  const store = existing ?? new CountingGraphStore();
  const changes: TopologyChangeEvent[] = [];
  const bus = new InMemoryBus({ broker, topicPrefix: prefix, groupId: `${prefix}topology-builder`, retry: { maxAttempts: 1 } });
  const observer = new InMemoryBus({ broker, topicPrefix: prefix, groupId: 'observer' });
  const producer = new InMemoryBus({ broker, topicPrefix: prefix });
  await observer.startConsumers([consumerOf({ topic: 'topology-changes', handle: (m) => Promise.resolve(void changes.push(m)) })]);
  const builder = createTopologyBuilder({ bus, graphStore: store, logger: silentLogger, options });
  await builder.start();
  await bus.startConsumers(builder.consumers);
  const world: BuilderWorld = {
    store, builder, changes,
    publish: (topic, messages) => producer.publish(topic, messages),
    async settle() {
      for (let i = 0; i < 3; i++) {
        await bus.drain();
        await observer.drain();
      }
    },
    async restart(next = options) {
      await world.close();
      return builderWorld(next, store);
    },
    async close() {
      await builder.stop();
      await Promise.all([bus.close(), observer.close(), producer.close()]);
    },
  };
  return world;
}

