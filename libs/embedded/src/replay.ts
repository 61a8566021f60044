import { topicCodec, type TopicCodec, type TopicMessages, type TopicName } from '@foresight/contracts';
import { RuntimeError } from '@foresight/messaging';
import { startEmbeddedPipeline } from './embedded-pipeline.js';
import { PipelineRecorder } from './pipeline-recorder.js';

/** The topics a recording may contain: what the pipeline consumes from the outside world. */
export const REPLAY_INPUT_TOPICS = ['inventory', 'hosts', 'flows', 'anomalies', 'allocation-outcomes', 'model'] as const;
/** One of REPLAY_INPUT_TOPICS. */
export type ReplayInputTopic = (typeof REPLAY_INPUT_TOPICS)[number];

/** One line of a recording (or of the replay's output): a topic and a message in that topic's schema. */
export interface ReplayLine {
  readonly topic: TopicName;
  readonly message: TopicMessages[TopicName];
}

/** Knobs of a replay. */
export interface ReplayOptions {
  /** After the last event, keep ticking the services this long (default 31 min: past the model horizon). */
  readonly tailMs?: number;
  /** Tick step through gaps between events and through the tail (default 1 min). */
  readonly tailStepMs?: number;
  /** false: the learner does not run, so the model stays the default one (or the input's `model` lines); default true. */
  readonly learning?: boolean;
}

interface Parsed {
  readonly topic: ReplayInputTopic;
  readonly message: TopicMessages[ReplayInputTopic];
  readonly at: number;
}

function isInputTopic(topic: unknown): topic is ReplayInputTopic {
  return typeof topic === 'string' && (REPLAY_INPUT_TOPICS as readonly string[]).includes(topic);
}

/** Parses and validates one NDJSON line against its topic's Avro schema; CONFIG_INVALID naming the line otherwise. */
export function parseReplayLine(text: string, lineNumber: number): Parsed | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RuntimeError('CONFIG_INVALID', `line ${lineNumber}: not JSON (${(cause as Error).message})`);
  }
  const record = value as { topic?: unknown; message?: unknown } | null;
  if (record === null || typeof record !== 'object' || !isInputTopic(record.topic)) {
    throw new RuntimeError('CONFIG_INVALID', `line ${lineNumber}: expected {"topic": one of ${REPLAY_INPUT_TOPICS.join(', ')}, "message": {…}}`);
  }
  const topic = record.topic;
  const codec: TopicCodec<unknown> = topicCodec(topic);
  try {
    codec.validate(record.message);
  } catch (cause) {
    throw new RuntimeError('CONFIG_INVALID', `line ${lineNumber}: ${(cause as Error).message}`);
  }
  const message = record.message as TopicMessages[ReplayInputTopic];
  const at = 'detectedAt' in message ? Math.max(message.eventTime, message.detectedAt) : message.eventTime;
  return { topic, message, at };
}

/**
 * Feeds a recording through the embedded pipeline in file order: before an event later than the current time, every
 * service ticks at its time; after the last one the services keep ticking for the tail (incidents time out, leases
 * expire, the learner labels). Returns what the pipeline published on `risk`, `allocations` and `model` (the learner's
 * versions, not the input's), in order.
 */
export async function replayRecording(lines: Iterable<string> | AsyncIterable<string>, options: ReplayOptions = {}): Promise<ReplayLine[]> {
  const recorder = new PipelineRecorder();
  const output: ReplayLine[] = [];
  const pipeline = await startEmbeddedPipeline({
    extraConsumers: recorder.consumers('foresight.replay-recorder'),
    learning: options.learning ?? true,
  });
  const inputModels = new Set<string>();
  let now = Number.NEGATIVE_INFINITY;
  let pending: Parsed[] = [];
  const flush = async (): Promise<void> => {
    let k = 0;
    while (k < pending.length) {
      const topic = pending[k].topic;
      let end = k;
      while (end < pending.length && pending[end].topic === topic) end++;
      await pipeline.publish(topic, pending.slice(k, end).map((p) => p.message));
      k = end;
    }
    pending = [];
    await pipeline.drain();
  };
  const step = options.tailStepMs ?? 60_000;
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      const parsed = parseReplayLine(text, ++lineNumber);
      if (parsed === undefined) continue;
      if (parsed.at > now) {
        await flush();
        // NOTE: the services tick every step through a gap between events, as a wall-clock tick would in production.
        if (Number.isFinite(now)) for (let t = now + step; t < parsed.at; t += step) await pipeline.advance(t);
        if (Number.isFinite(now)) await pipeline.advance(parsed.at);
        now = parsed.at;
      }
      if (parsed.topic === 'model') inputModels.add(parsed.message.eventId);
      pending.push(parsed);
    }
    await flush();
    if (Number.isFinite(now)) {
      const tail = options.tailMs ?? 31 * 60_000;
      await pipeline.advance(now);
      for (let t = now + step; t <= now + tail; t += step) await pipeline.advance(t);
    }
    await pipeline.drain();
  } finally {
    await pipeline.stop();
  }
  const risks = recorder.risks.map((message) => ({ topic: 'risk' as const, message, at: message.eventTime }));
  const allocations = recorder.allocations.map((message) => ({ topic: 'allocations' as const, message, at: message.eventTime }));
  const models = recorder.models.filter((m) => !inputModels.has(m.eventId)).map((message) => ({ topic: 'model' as const, message, at: message.eventTime }));
  for (const line of [...risks, ...allocations, ...models].sort((a, b) => a.at - b.at)) output.push({ topic: line.topic, message: line.message });
  return output;
}
