import avro from 'avsc';
import { ContractError } from './contract-error.js';
import { compileMessageBounds } from './compiled-bounds.js';
import { topicSchemas, type TopicMessages, type TopicName } from './generated/contracts.js';
import type { Violation } from './message-bounds.js';
import { validationProblems } from './validation-problems.js';

/** Encodes and decodes one topic's messages as Avro, validating types and bounds both ways. */
export interface TopicCodec<T> {
  readonly topic: TopicName;
  /** The Avro schema as JSON text (what is registered). */
  readonly schemaText: string;
  /** The name of the field the message key is taken from. */
  readonly keyField: string;
  keyOf(message: T): string;
  /** Throws INVALID_MESSAGE naming every offending field, what it expected, and the fields the schema does not declare. */
  validate(message: unknown): asserts message is T;
  encode(message: T): Buffer;
  /**
   * Validates and encodes into one buffer framed for the wire (magic byte, `schemaId`, payload: encodeFrame's
   * layout), without the intermediate payload buffer.
   */
  encodeFramed(schemaId: number, message: T): Buffer;
  /** Throws NOT_AVRO when the bytes do not decode under this schema, INVALID_MESSAGE when the content is out of bounds. */
  decode(payload: Buffer): T;
}

const codecs = new Map<TopicName, TopicCodec<unknown>>();

/** Where encodeFramed writes before copying the frame out (grown per call when a message is larger). */
const FRAMING_SCRATCH = Buffer.allocUnsafe(64 * 1024);
/** Magic byte and schema id (wire-format.ts). */
const FRAME_HEADER_BYTES = 5;

/** The codec of a topic (built once per process). */
export function topicCodec<N extends TopicName>(topic: N): TopicCodec<TopicMessages[N]> {
  const cached = codecs.get(topic);
  if (cached) return cached as TopicCodec<TopicMessages[N]>;
  const entry: { key: string; schema: object } | undefined = topicSchemas[topic];
  if (entry === undefined) throw new ContractError('UNKNOWN_TOPIC', `no schema for topic '${String(topic)}'`);
  const type = avro.Type.forSchema(entry.schema as avro.Schema);
  const keyField = entry.key;
  const assertBounds = compileMessageBounds(entry.schema, (v) => `${topic}: ${describeBoundViolation(v)}`);
  const codec: TopicCodec<TopicMessages[N]> = {
    topic,
    schemaText: JSON.stringify(entry.schema),
    keyField,
    keyOf: (message) => String((message as unknown as Record<string, unknown>)[keyField]),
    validate(message: unknown): asserts message is TopicMessages[N] {
      // NOTE: the error hook makes avsc several times slower: validate fast first, explain only on failure.
      if (type.isValid(message)) {
        assertBounds(message);
        return;
      }
      const problems = validationProblems(type, message);
      if (problems.length > 0) throw new ContractError('INVALID_MESSAGE', `${topic}: ${problems.join('; ')}`);
      assertBounds(message);
    },
    encode(message) {
      codec.validate(message);
      return type.toBuffer(message);
    },
    encodeFramed(schemaId, message) {
      codec.validate(message);
      let size = FRAMING_SCRATCH.length;
      for (;;) {
        const scratch = size === FRAMING_SCRATCH.length ? FRAMING_SCRATCH : Buffer.allocUnsafe(size);
        const end = type.encode(message, scratch, FRAME_HEADER_BYTES);
        // avsc returns a negative end when the buffer is too small: minus the bytes missing.
        if (end < 0) {
          size = scratch.length - end;
          continue;
        }
        scratch.writeUInt8(0, 0);
        scratch.writeUInt32BE(schemaId, 1);
        // A copy of exactly the frame (small copies come from Node's pool).
        return Buffer.from(scratch.subarray(0, end));
      }
    },
    decode(payload) {
      let value: unknown;
      try {
        value = type.fromBuffer(payload);
      } catch (cause) {
        throw new ContractError('NOT_AVRO', `${topic}: payload does not decode as ${type.name ?? 'the topic schema'}: ${(cause as Error).message}`, { cause });
      }
      assertBounds(value);
      return value as TopicMessages[N];
    },
  };
  codecs.set(topic, codec);
  return codec;
}

function describeBoundViolation(violation: Violation): string {
  const path = violation.trail.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`), '');
  return path === '' ? `the message ${violation.detail}` : `field '${path}' ${violation.detail}`;
}
