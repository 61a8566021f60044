import { DEAD_LETTER_HEADERS, type DeadLetter } from './dead-letter.js';

/** Headers only a reduced dead letter carries (besides the dead-letter headers, without the original's own). */
export const REDUCED_DEAD_LETTER_HEADERS = {
  /** Why the full copy was not written (the broker's answer). */
  reduced: 'x-dlq-reduced',
  /** The original record's timestamp (ISO-8601). */
  originalTimestamp: 'x-original-timestamp',
  /** The original value's size in bytes. */
  originalSize: 'x-original-size',
  /** How many bytes of the original value the dead letter holds: its first bytes (0: none). */
  payloadKept: 'x-dlq-payload-kept',
} as const;

/** The original record a reduced dead letter stands for. */
export interface ReducedOriginal {
  readonly key: string | undefined;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/** A reduced dead letter keeps at most this many characters of the key. */
export const MAX_REDUCED_KEY_LENGTH = 1024;
const MAX_REFUSAL_LENGTH = 300;
/** Bytes left for the framing of the reduced headers (record header lengths, the count header's digits). */
const HEADER_FRAMING_MARGIN = 128;

function headerBytes(headers: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * The reduced forms of a dead letter whose full copy the broker refused for good (too large once the dead-letter
 * headers are added, or any other non-retryable refusal), to try in order: the original's coordinates (the
 * dead-letter headers: topic, partition, offset, group, reason, plus its timestamp, its size and its key, cut to
 * MAX_REDUCED_KEY_LENGTH characters) with
 * 1. the value's first bytes, as many as leave the letter no larger than the original was (the original's own headers
 *    are dropped and the value is cut by the size of the reduced headers, so it fits wherever the original did);
 * 2. no value at all.
 */
export function reducedDeadLetters(full: DeadLetter, original: ReducedOriginal, refusal: string): DeadLetter[] {
  const coordinates: Record<string, string> = {};
  for (const name of Object.values(DEAD_LETTER_HEADERS)) {
    const value = full.headers[name];
    if (value !== undefined) coordinates[name] = value;
  }
  const size = original.value?.length ?? 0;
  const key = original.key === undefined || original.key.length <= MAX_REDUCED_KEY_LENGTH ? original.key : original.key.slice(0, MAX_REDUCED_KEY_LENGTH);
  const letter = (kept: number): DeadLetter => ({
    topic: full.topic,
    key,
    value: kept > 0 && original.value !== null ? original.value.subarray(0, kept) : null,
    headers: {
      ...coordinates,
      [REDUCED_DEAD_LETTER_HEADERS.reduced]: refusal.length > MAX_REFUSAL_LENGTH ? `${refusal.slice(0, MAX_REFUSAL_LENGTH - 1)}…` : refusal,
      [REDUCED_DEAD_LETTER_HEADERS.originalTimestamp]: new Date(original.timestamp).toISOString(),
      [REDUCED_DEAD_LETTER_HEADERS.originalSize]: String(size),
      [REDUCED_DEAD_LETTER_HEADERS.payloadKept]: String(kept),
    },
  });
  const fits = size - headerBytes(letter(size).headers) - HEADER_FRAMING_MARGIN;
  return fits > 0 ? [letter(fits), letter(0)] : [letter(0)];
}
