import type { AllocatorSettings } from '@foresight/allocator';
import type { TopicMessages, TopicName } from '@foresight/contracts';
import type { LearnerSettings } from '@foresight/learner';
import type { AnyConsumerDeclaration, Logger } from '@foresight/messaging';

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
  /** Extra consumers beside the services (a simulated actuator, a recorder), each with its own group. */
  readonly extraConsumers?: readonly AnyConsumerDeclaration[];
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
