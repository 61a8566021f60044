import { refineSetting, settingsGroup, type Setting } from './setting.js';
import { duration, oneOf, port, text, url } from './variable-settings.js';

/** Log levels a service accepts, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the kit itself needs from every service: logging, the health/metrics port, telemetry export, shutdown deadline. */
export interface ServiceSettings {
  readonly logLevel: LogLevel;
  readonly httpHost: string;
  /** 0 = an ephemeral port, reported in the "service started" log line. */
  readonly httpPort: number;
  /** Base OTLP/HTTP URL (e.g. http://collector:4318); no export when unset. */
  readonly otlpEndpoint?: string;
  /** OTLP metric export interval; metrics are only served on /metrics when unset. */
  readonly otlpMetricsIntervalMs?: number;
  readonly shutdownTimeoutMs: number;
  /** Readiness fails for a partition with records waiting and no progress for this long (FORESIGHT_STALL_AFTER). */
  readonly stallAfterMs: number;
  /** Where the service announces its /metrics to Prometheus' file-based discovery (FORESIGHT_PROMETHEUS_TARGETS_DIR). */
  readonly prometheusTargetsDir?: string;
}

const INTERVAL = 'FORESIGHT_OTLP_METRICS_INTERVAL';

/** The kit's own settings (FORESIGHT_LOG_LEVEL, FORESIGHT_HTTP_*, FORESIGHT_OTLP_*, FORESIGHT_SHUTDOWN_TIMEOUT, FORESIGHT_STALL_AFTER, FORESIGHT_PROMETHEUS_TARGETS_DIR). */
export function serviceSettings(): Setting<ServiceSettings> {
  const fields = settingsGroup({
    logLevel: oneOf('FORESIGHT_LOG_LEVEL', LOG_LEVELS, { default: 'info' }),
    httpHost: text('FORESIGHT_HTTP_HOST', { default: '127.0.0.1', pattern: /^[A-Za-z0-9.:[\]-]+$/, description: 'a host name or IP address to listen on' }),
    httpPort: port('FORESIGHT_HTTP_PORT', { default: 0 }),
    otlpEndpoint: url('FORESIGHT_OTLP_ENDPOINT', { optional: true, protocols: ['http:', 'https:'] }),
    otlpMetricsIntervalMs: duration(INTERVAL, { optional: true }),
    // NOTE: at most a day: a timer longer than 2^31-1 ms fires at once, so a huge value would stop every shutdown at once.
    shutdownTimeoutMs: duration('FORESIGHT_SHUTDOWN_TIMEOUT', { default: 10_000, min: 100, max: 86_400_000 }),
    stallAfterMs: duration('FORESIGHT_STALL_AFTER', { default: 60_000, min: 100, max: 86_400_000 }),
    prometheusTargetsDir: text('FORESIGHT_PROMETHEUS_TARGETS_DIR', { optional: true, pattern: /^\S(.*\S)?$/, description: 'a directory path' }),
  });
  return refineSetting(fields, ({ otlpEndpoint, otlpMetricsIntervalMs, prometheusTargetsDir, ...rest }) => {
    if (otlpMetricsIntervalMs !== undefined && otlpEndpoint === undefined) {
      return { ok: false, problems: [{ variable: INTERVAL, reason: 'set but FORESIGHT_OTLP_ENDPOINT is not' }] };
    }
    if (otlpMetricsIntervalMs !== undefined && otlpMetricsIntervalMs < 1_000) {
      return { ok: false, problems: [{ variable: INTERVAL, reason: `must be at least 1s, got ${otlpMetricsIntervalMs}ms` }] };
    }
    return {
      ok: true,
      value: {
        ...rest,
        ...(otlpEndpoint !== undefined ? { otlpEndpoint } : {}),
        ...(otlpMetricsIntervalMs !== undefined ? { otlpMetricsIntervalMs } : {}),
        ...(prometheusTargetsDir !== undefined ? { prometheusTargetsDir } : {}),
      },
    };
  });
}
