import { Kafka, logLevel } from 'kafkajs';

/** Counts the records on a topic since it was started (the sum of the partitions' end offsets, minus the start's). */
export interface SpanCounter {
  /** Records added since start, or undefined when Kafka cannot be read. */
  count(): Promise<number | undefined>;
  close(): Promise<void>;
}

export async function startSpanCounter(brokers: string, topic: string): Promise<SpanCounter> {
  const kafka = new Kafka({ clientId: 'otel-demo', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 1 }, connectionTimeout: 2_000 });
  const admin = kafka.admin();
  const total = async (): Promise<number> => {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  };
  let start: number | undefined;
  try {
    await admin.connect();
    start = await total();
  } catch {
    start = undefined;
  }
  return {
    count: async () => {
      if (start === undefined) return undefined;
      try {
        return (await total()) - start;
      } catch {
        return undefined;
      }
    },
    close: () => admin.disconnect().catch(() => undefined),
  };
}
