import type { AllocatorSettings } from '@foresight/allocator';
import type { TopicMessages, TopicName } from '@foresight/contracts';
import type { LearnerSettings } from '@foresight/learner';
import type { AnyConsumerDeclaration, Logger } from '@foresight/messaging';
import type { FlushSummary, TopologyBuilderOptions } from '@foresight/topology-builder';

/** What the pipeline reports while it runs (the live line). */
export interface PipelineGauges {
  openIncidents: number;
  atRiskVms: number;
  activeGrants: number;
}

/** What a simulation asks of the pipeline it starts. */
export interface PipelineSetup {
  readonly logger?: Logger;
  readonly allocator?: Partial<AllocatorSettings>;
  readonly learner?: Partial<LearnerSettings>;
  /** Topology builder settings (pathway half-life, staleness…); the service defaults otherwise. */
  readonly topology?: Partial<TopologyBuilderOptions>;
  readonly observer?: PipelineObserver;
  /** Extra consumers beside the services (a simulated actuator, a recorder), each with its own group. */
  readonly extraConsumers?: readonly AnyConsumerDeclaration[];
}

/** Sees what the services do that leaves no message: the topology's flushes, the anomalies that changed nothing. */
export interface PipelineObserver {
  /** After every topology flush; a sweep's pathwaysRemoved are the pathways that expired (unseen for too long). */
  topologyFlushed?(summary: FlushSummary): void;
  /** An anomaly that changed no incident, or named a VM the topology does not know (`unknown_vm`), and why. */
  anomalyIgnored?(reason: string): void;
}

/** The four services, running, driven by simulated (event) time: the simulation publishes, advances and drains. */
export interface SimulationPipeline {
  readonly gauges: Readonly<PipelineGauges>;
  readonly topicPrefix: string;
  /** Validated, Avro-encoded and appended to the topic; handled by the next drain at the latest. */
  publish<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][]): Promise<void>;
  /** Ticks every service at the event time `now` (it never goes back), draining after each. */
  advance(now: number): Promise<void>;
  /** Resolves once every consumer has handled everything published so far, and what that caused. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Where a simulation's services run: in memory (`npm start`) or on the real stack (`npm start -- --stack`). */
export interface PipelineRuntime {
  readonly mode: 'embedded' | 'stack';
  /** One line on what the services run on, for the console, the summary and the report. */
  readonly description: string;
  /** Every topic and consumer group of the run starts with it. */
  readonly topicPrefix: string;
  start(setup: PipelineSetup): Promise<SimulationPipeline>;
}
