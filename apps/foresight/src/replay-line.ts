import { topicCodec, type TopicCodec, type TopicMessages, type TopicName } from '@foresight/contracts';
import { RuntimeError } from '@foresight/messaging';

/** The topics a recording may contain: what the pipeline consumes from the outside world. */
export const REPLAY_INPUT_TOPICS = ['inventory', 'hosts', 'flows', 'anomalies', 'allocation-outcomes', 'model'] as const;
/** One of REPLAY_INPUT_TOPICS. */
export type ReplayInputTopic = (typeof REPLAY_INPUT_TOPICS)[number];

/** One line of a recording (or of the replay's output): a topic and a message in that topic's schema. */
export interface ReplayLine {
  readonly topic: TopicName;
  readonly message: TopicMessages[TopicName];
  /**
   * Output only, on a risk assessment: VMs whose anomalies opened this incident but that the topology did not know
   * (no inventory line before them), so they are not among its sources and nothing is predicted from them.
   */
  readonly unknownVmIds?: readonly string[];
}

/** One validated line of a recording, with its event time. */
export interface ParsedReplayLine {
  readonly topic: ReplayInputTopic;
  readonly message: TopicMessages[ReplayInputTopic];
  readonly at: number;
}

const LINE_KEYS = ['topic', 'message'];

function isInputTopic(topic: unknown): topic is ReplayInputTopic {
  return typeof topic === 'string' && (REPLAY_INPUT_TOPICS as readonly string[]).includes(topic);
}

function unknownKeys(record: object): string {
  const unknown = Object.keys(record).filter((key) => !LINE_KEYS.includes(key));
  return unknown.length === 0 ? '' : `; unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `'${k}'`).join(', ')}`;
}

/**
 * Parses and validates one NDJSON line against its topic's Avro schema; CONFIG_INVALID naming the line, the field and
 * the shape expected otherwise (the codec's explanation, e.g. `line 3: hosts: field 'hostId' is missing (expected string)`).
 */
export function parseReplayLine(text: string, lineNumber: number): ParsedReplayLine | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RuntimeError('CONFIG_INVALID', `line ${lineNumber}: not JSON (${(cause as Error).message})`);
  }
  const shape = `{"topic": one of ${REPLAY_INPUT_TOPICS.join(', ')}, "message": {…}}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RuntimeError('CONFIG_INVALID', `line ${lineNumber}: expected ${shape}`);
  const record = value as { topic?: unknown; message?: unknown };
  if (!isInputTopic(record.topic)) {
    const found = record.topic === undefined ? 'no "topic"' : `"topic" is ${JSON.stringify(record.topic)}`;
    throw new RuntimeError('CONFIG_INVALID', `line ${lineNumber}: ${found} (expected ${shape})${unknownKeys(record)}`);
  }
  const topic = record.topic;
  if (record.message === undefined) {
    throw new RuntimeError('CONFIG_INVALID', `line ${lineNumber}: ${topic}: no "message" (expected {"topic": "${topic}", "message": {…}})${unknownKeys(record)}`);
  }
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
