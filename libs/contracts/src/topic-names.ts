import type { TopicName } from './generated/contracts.js';

export const DEFAULT_TOPIC_PREFIX = 'foresight.';

/** The full Kafka topic name of a topic under a prefix. */
export function topicFor(prefix: string, topic: TopicName): string {
  return `${prefix}${topic}`;
}

/** The dead-letter topic of a consumed topic. */
export function deadLetterTopicFor(prefix: string, topic: TopicName): string {
  return `${prefix}${topic}.dlq`;
}
