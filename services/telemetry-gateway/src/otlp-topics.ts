import type { RawRecord } from '@foresight/messaging';
import type { OtlpEncoding } from '@foresight/otlp';
import type { TopicEncoding } from './gateway-settings.js';
import type { Acceptance, PayloadOrigin } from './telemetry-gateway.js';

/** The OTLP topics the Collector's Kafka exporter writes, and how their payloads are encoded. */
export interface OtlpTopics {
  /** Full topic names; '' consumes none. */
  readonly spansTopic: string;
  readonly metricsTopic: string;
  readonly encoding: TopicEncoding;
}

/**
 * The encoding of one payload: as configured, or under `auto` JSON when its first non-blank byte is `{` (a protobuf
 * export request never starts so: 0x7b would be field 15 as a deprecated group).
 */
export function payloadEncoding(payload: Buffer, setting: TopicEncoding): OtlpEncoding {
  if (setting !== 'auto') return setting;
  for (const byte of payload) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7b ? 'otlp_json' : 'otlp_proto';
  }
  return 'otlp_proto';
}

/** What handles one decoded topic's records. */
export interface TopicReceiver {
  acceptTraces(payload: Buffer, encoding: OtlpEncoding, origin: PayloadOrigin): Promise<Acceptance>;
  acceptMetrics(payload: Buffer, encoding: OtlpEncoding, origin: PayloadOrigin): Promise<Acceptance>;
}

/** Handles a batch of one OTLP topic, record by record in offset order (a tombstone, with no value, is skipped). */
export function otlpBatchHandler(receiver: TopicReceiver, topics: OtlpTopics): (records: readonly RawRecord[]) => Promise<void> {
  return async (records) => {
    for (const record of records) {
      if (record.value === null) continue;
      const origin: PayloadOrigin = {
        transport: 'kafka', topic: record.topic, partition: record.partition, offset: record.offset,
        ...(record.key === null ? {} : { key: record.key.toString('hex') }),
      };
      const encoding = payloadEncoding(record.value, topics.encoding);
      if (record.topic === topics.metricsTopic) await receiver.acceptMetrics(record.value, encoding, origin);
      else await receiver.acceptTraces(record.value, encoding, origin);
    }
  };
}
