import { context as otelContext } from '@opentelemetry/api';
import { topicCodec, type TopicMessages, type TopicName } from '@foresight/contracts';
import type { PublishOptions } from './message-bus.js';
import { traceHeadersOf } from './trace-context.js';

/** A message ready for the broker: key, framed Avro value, headers. */
export interface OutgoingRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Validates and encodes a publish call's messages (all or none: the first invalid one throws ContractError
 * INVALID_MESSAGE before anything is sent), framed with the schema id and carrying the trace headers.
 */
export function encodeOutgoing<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][], schemaId: number, options: PublishOptions | undefined): OutgoingRecord[] {
  const codec = topicCodec(topic);
  return outgoingRecords(topic, messages, messages.map((message) => codec.encodeFramed(schemaId, message)), options);
}

/** The records of already framed values: each message's key, its value, and the publish call's headers with trace context. */
export function outgoingRecords<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][], values: readonly Buffer[], options: PublishOptions | undefined): OutgoingRecord[] {
  const codec = topicCodec(topic);
  const trace = traceHeadersOf(options?.traceContext ?? otelContext.active());
  const headers = trace === undefined ? (options?.headers ?? {}) : { ...options?.headers, ...trace };
  const records = new Array<OutgoingRecord>(messages.length);
  for (let i = 0; i < messages.length; i++) records[i] = { key: codec.keyOf(messages[i]), value: values[i], headers };
  return records;
}
