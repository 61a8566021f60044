/** Headers the runtime adds to a dead-lettered message (the original headers and bytes are kept as they were). */
export const DEAD_LETTER_HEADERS = {
  reason: 'x-dlq-reason',
  code: 'x-dlq-code',
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  groupId: 'x-dlq-group',
  attempts: 'x-dlq-attempts',
  failedAt: 'x-dlq-failed-at',
} as const;

/** A message on its way to a dead-letter topic. */
export interface DeadLetter {
  readonly topic: string;
  readonly key: string | undefined;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** What is known of a dead-lettered message once its dead letter is written: its (logical) topic, group and reason code. */
export interface DeadLettered {
  readonly topic: string;
  readonly groupId: string;
  readonly code: string;
}

/** Told of every dead letter written, whether decoding, validation or a handler refused the message (for /metrics). */
export type DeadLetterListener = (letter: DeadLettered) => void;

/**
 * Writes one dead letter durably (resolves only once the broker has it). Rejects with an error whose `retriable` is
 * false (RuntimeError BROKER_REFUSED) when the broker refused it for good, and with any other error in an outage.
 */
export type DeadLetterWriter = (letter: DeadLetter) => Promise<void>;

const MAX_REASON_LENGTH = 1000;

/** The dead-letter headers of a failed message. */
export function deadLetterHeaders(original: Readonly<Record<string, string>>, failure: {
  readonly code: string; readonly reason: string; readonly fullTopic: string; readonly partition: number; readonly offset: string;
  readonly groupId: string; readonly attempts: number; readonly failedAt: number;
}): Record<string, string> {
  return {
    ...original,
    [DEAD_LETTER_HEADERS.reason]: failure.reason.length > MAX_REASON_LENGTH ? `${failure.reason.slice(0, MAX_REASON_LENGTH - 1)}…` : failure.reason,
    [DEAD_LETTER_HEADERS.code]: failure.code,
    [DEAD_LETTER_HEADERS.originalTopic]: failure.fullTopic,
    [DEAD_LETTER_HEADERS.originalPartition]: String(failure.partition),
    [DEAD_LETTER_HEADERS.originalOffset]: failure.offset,
    [DEAD_LETTER_HEADERS.groupId]: failure.groupId,
    [DEAD_LETTER_HEADERS.attempts]: String(failure.attempts),
    [DEAD_LETTER_HEADERS.failedAt]: new Date(failure.failedAt).toISOString(),
  };
}
