import type { ConfigProblem } from './config-error.js';
import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { bool, duration, int } from './variable-settings.js';

/** How a service's consumer groups behave and how many partitions the topics it creates get (KafkaBus options). */
export interface KafkaConsumerSettings {
  /** A member silent for this long is dropped from its group and its partitions reassigned. */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** How long a fetch waits for data when a partition is idle. */
  readonly maxWaitTimeMs: number;
  /**
   * How long an idle producer waits before sending what was published, so publishes of handlers running at the same
   * time go in one produce request (0: at once).
   */
  readonly lingerMs: number;
  /** Partitions of the topics the service creates (existing topics keep theirs). */
  readonly partitions: number;
  /**
   * Whether the service creates missing topics (and their .dlq topics) at start-up; false where an admin step creates
   * them and the service's principal has no CREATE right (the secured profile).
   */
  readonly createTopics: boolean;
}

const SESSION = 'FORESIGHT_KAFKA_SESSION_TIMEOUT';
/** The producer's default linger (ms). */
export const DEFAULT_LINGER_MS = 0;
const HEARTBEAT = 'FORESIGHT_KAFKA_HEARTBEAT_INTERVAL';

/** Consumer and producer tuning (FORESIGHT_KAFKA_SESSION_TIMEOUT, _HEARTBEAT_INTERVAL, _MAX_WAIT, _LINGER, _PARTITIONS, _CREATE_TOPICS). */
export function kafkaConsumerSettings(): Setting<KafkaConsumerSettings> {
  const fields = settingsGroup({
    sessionTimeoutMs: duration(SESSION, { default: 30_000 }),
    heartbeatIntervalMs: duration(HEARTBEAT, { default: 3_000, min: 100 }),
    // NOTE: 0 would make every idle fetch return at once: the consumers would busy-poll the brokers.
    maxWaitTimeMs: duration('FORESIGHT_KAFKA_MAX_WAIT', { default: 1_000, min: 10 }),
    // NOTE: off by default: the producer already merges the publishes made while a request is in flight, and a 3-hop relay
    // at 50 and 200 anomalies/s sent no fewer produce requests with 2 or 5 ms (issue 18); each hop would pay the wait.
    lingerMs: duration('FORESIGHT_KAFKA_LINGER', { default: DEFAULT_LINGER_MS, min: 0, max: 1_000 }),
    partitions: int('FORESIGHT_KAFKA_PARTITIONS', { default: 3, min: 1, max: 1_000 }),
    createTopics: bool('FORESIGHT_KAFKA_CREATE_TOPICS', { default: true }),
  });
  return refineSetting(fields, (f) => {
    const problems: ConfigProblem[] = [];
    // NOTE: the broker refuses sessions outside its group.min/max.session.timeout.ms (6 s … 30 min by default).
    if (f.sessionTimeoutMs < 1_000) problems.push({ variable: SESSION, reason: `must be at least 1s, got ${f.sessionTimeoutMs}ms` });
    if (f.heartbeatIntervalMs >= f.sessionTimeoutMs) problems.push({ variable: HEARTBEAT, reason: `must be shorter than ${SESSION} (${f.sessionTimeoutMs} ms)` });
    return problems.length > 0 ? { ok: false, problems } : { ok: true, value: f };
  });
}
