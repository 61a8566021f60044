import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { createStateGauge, type StateGauge } from './state-gauge.js';

/** Attributes of a processed message: its topic and how handling ended (e.g. "ok", "retried", "dead-lettered"). */
export interface MessageAttributes {
  readonly topic: string;
  readonly outcome: string;
  readonly [key: string]: string;
}

/** The instruments every Foresight service emits. */
export interface ServiceInstruments {
  /** foresight.messages.processed, by topic and outcome. */
  readonly messagesProcessed: Counter<MessageAttributes>;
  /** foresight.messages.dead_lettered, by topic and reason (the dead letter's code), whatever refused the message. */
  readonly messagesDeadLettered: Counter<{ readonly topic: string; readonly reason: string }>;
  /** foresight.handler.duration in ms, by topic and outcome. */
  readonly handlerDuration: Histogram<MessageAttributes>;
  /** foresight.consumer.lag in messages, set by the messaging runtime per group, topic and partition (recordLag). */
  readonly consumerLag: StateGauge;
  /** foresight.incidents.open. */
  readonly openIncidents: StateGauge;
  /** foresight.vms.at_risk. */
  readonly atRiskVms: StateGauge;
  /** foresight.grants.active. */
  readonly activeGrants: StateGauge;
  /** foresight.resources.reserved, by resource (cpu_millis, memory_mib, network_mbps). */
  readonly reservedResources: StateGauge;
  /**
   * foresight.eventloop.delay in ms, by quantile (p50, p99, max) since the previous collection: how long ready work
   * waited for the event loop (every await of Kafka or a store pays it). Sampled every 10 ms. Each collection resets
   * the window: with several metric readers, each sees the time since any reader's previous collection.
   */
  readonly eventLoopDelay: StateGauge;
  /** Counts `count` handled messages (default 1) and records the handler duration of each. */
  recordHandled(attributes: MessageAttributes, durationMs: number, count?: number): void;
  /** Counts one dead letter (the messaging runtime's onDeadLetter fits). */
  recordDeadLetter(letter: { readonly topic: string; readonly code: string }): void;
  /** Stops the event-loop monitor (telemetry shutdown). */
  close(): void;
  /** Sets the consumer lag of a group on one partition (the messaging runtime's onConsumerLag fits). */
  recordLag(lag: { readonly groupId: string; readonly topic: string; readonly partition: number; readonly behind: number }): void;
}

/** Histogram buckets (ms) for message handlers: sub-millisecond scoring up to slow retries. */
export const HANDLER_DURATION_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

/** Creates the standard instruments on `meter`. */
export function createServiceInstruments(meter: Meter): ServiceInstruments {
  const messagesProcessed = meter.createCounter<MessageAttributes>('foresight.messages.processed', {
    description: 'Messages handled, by topic and outcome.',
  });
  const messagesDeadLettered = meter.createCounter<{ readonly topic: string; readonly reason: string }>('foresight.messages.dead_lettered', {
    description: 'Messages dead-lettered, by topic and reason code (decoding, validation or a handler).',
  });
  const handlerDuration = meter.createHistogram<MessageAttributes>('foresight.handler.duration', {
    description: 'Time spent in a message handler.',
    unit: 'ms',
    advice: { explicitBucketBoundaries: HANDLER_DURATION_BUCKETS_MS },
  });
  const consumerLag = createStateGauge(meter, { name: 'foresight.consumer.lag', description: 'Messages behind the partition end, by group, topic and partition.' });
  const eventLoopDelay = createStateGauge(meter, { name: 'foresight.eventloop.delay', description: 'Event loop delay since the previous collection, by quantile.', unit: 'ms' });
  const resolutionMs = 10;
  const delays = monitorEventLoopDelay({ resolution: resolutionMs });
  delays.enable();
  eventLoopDelay.observe(() => {
    // NOTE: the monitor's samples include its own timer interval: an idle loop reads ≈ the resolution.
    const toMs = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolutionMs) : 0);
    const readings = delays.count === 0 ? [] : [
      { value: toMs(delays.percentile(50)), attributes: { quantile: 'p50' } },
      { value: toMs(delays.percentile(99)), attributes: { quantile: 'p99' } },
      { value: toMs(delays.max), attributes: { quantile: 'max' } },
    ];
    delays.reset();
    return readings;
  });
  return {
    eventLoopDelay,
    close: () => delays.disable(),
    messagesProcessed,
    handlerDuration,
    messagesDeadLettered,
    consumerLag,
    openIncidents: createStateGauge(meter, { name: 'foresight.incidents.open', description: 'Incidents currently open.' }),
    atRiskVms: createStateGauge(meter, { name: 'foresight.vms.at_risk', description: 'VMs currently scored at risk.' }),
    activeGrants: createStateGauge(meter, { name: 'foresight.grants.active', description: 'Resource grants currently held.' }),
    reservedResources: createStateGauge(meter, { name: 'foresight.resources.reserved', description: 'Resources reserved from pools, by resource.' }),
    recordHandled: (attributes, durationMs, count = 1) => {
      messagesProcessed.add(count, attributes);
      for (let i = 0; i < count; i++) handlerDuration.record(durationMs, attributes);
    },
    recordDeadLetter: ({ topic, code }) => messagesDeadLettered.add(1, { topic, reason: code }),
    recordLag: ({ groupId, topic, partition, behind }) => consumerLag.set(behind, { group: groupId, topic, partition }),
  };
}
