import { ConfigError } from '../config/config-error.js';
import type { ServiceSettings } from '../config/service-settings.js';
import { startHealthServer, type HealthServer } from '../health/health-server.js';
import { Readiness, type ReadinessCheck } from '../health/readiness.js';
import { redactUrl, type Logger } from '@foresight/messaging';
import { createLogger } from '../logging/pino-logger.js';
import { startTelemetry, type Telemetry } from '../telemetry/telemetry.js';
import { observeReadiness } from '../telemetry/readiness-gauge.js';
import { announcePrometheusTarget, type AnnouncedTarget } from '../health/prometheus-target.js';
import { describeError, StartupError } from './startup-error.js';

/** The configuration shape runService expects: the service's own settings plus the kit's under `service`. */
export interface ServiceConfig {
  readonly service: ServiceSettings;
}

/** What a started service hands back: how to stop it gracefully. */
export interface RunningService {
  stop(): Promise<void>;
}

/** What a service's start function receives from the kit. */
export interface ServiceContext<C extends ServiceConfig> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** Registers a readiness check shown on /readyz (e.g. "kafka", "redis"). */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  /** Runs one start-up step; a failure becomes a StartupError naming `what` (e.g. "kafka"). */
  step<T>(what: string, action: () => Promise<T>): Promise<T>;
  /** Aborted when shutdown begins: long start-up work should give up. */
  readonly signal: AbortSignal;
  /**
   * The service can no longer work (e.g. a consumer group the broker refused for good): one line on stderr naming
   * `what` and the server's answer with the settings to check, then a stop with exit 1, at start-up or later.
   */
  fail(what: string, error: unknown): void;
}

/** A service: its name, how to read its configuration and how to start it. */
export interface ServiceDefinition<C extends ServiceConfig> {
  readonly name: string;
  readonly version?: string;
  /** Reads and validates configuration (config.ts); a ConfigError exits 1 naming every bad setting. */
  readonly loadConfig: () => C;
  readonly start: (context: ServiceContext<C>) => Promise<RunningService>;
}

/** Exit code for configuration, start-up, shutdown-deadline and uncaught failures. */
export const EXIT_FAILURE = 1;

type Phase = 'starting' | 'running' | 'stopping';

function lastWords(name: string, what: string, error?: unknown): void {
  // NOTE: the one sanctioned direct write: the logger may not exist yet, and operators read stderr first.
  process.stderr.write(`${name}: ${redactUrl(what)}${error === undefined ? '' : `: ${describeError(error)}`}\n`);
}

/**
 * Runs a service until SIGTERM/SIGINT: reads config, starts logging, telemetry and the health server, calls
 * `start`, then on a signal marks itself not ready, awaits `stop()`, flushes telemetry and closes the health
 * server within FORESIGHT_SHUTDOWN_TIMEOUT. Exits 0 after a graceful stop, 1 on any failure.
 */
export function runService<C extends ServiceConfig>(definition: ServiceDefinition<C>): void {
  const { name } = definition;
  let config: C;
  try {
    config = definition.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) lastWords(name, error.message);
    else lastWords(name, 'cannot read configuration', error);
    process.exit(EXIT_FAILURE);
  }
  const settings = config.service;
  let logger: Logger;
  let telemetry: Telemetry;
  try {
    logger = createLogger({ name, level: settings.logLevel });
    telemetry = startTelemetry({
      serviceName: name,
      ...(definition.version !== undefined ? { serviceVersion: definition.version } : {}),
      ...(settings.otlpEndpoint !== undefined ? { otlpEndpoint: settings.otlpEndpoint } : {}),
      ...(settings.otlpMetricsIntervalMs !== undefined ? { otlpMetricsIntervalMs: settings.otlpMetricsIntervalMs } : {}),
    });
  } catch (error) {
    lastWords(name, 'start-up failed: logging/telemetry', error);
    process.exit(EXIT_FAILURE);
  }
  const readiness = new Readiness();
  const aborter = new AbortController();
  let phase: Phase = 'starting';
  let health: HealthServer | undefined;
  let running: RunningService | undefined;
  let exitCode = 0;
  readiness.add('lifecycle', () => ({ ok: phase === 'running', detail: phase }));
  observeReadiness(telemetry.meter, readiness);
  let announced: AnnouncedTarget | undefined;

  let deadline: NodeJS.Timeout | undefined;
  const armDeadline = (): void => {
    // NOTE: deliberately not unref'd: a stop() stuck on a forgotten promise must still end the process.
    deadline ??= setTimeout(() => {
      lastWords(name, `shutdown did not finish within ${settings.shutdownTimeoutMs} ms; exiting`);
      process.exit(EXIT_FAILURE);
    }, settings.shutdownTimeoutMs);
  };
  const attempt = async (what: string, action: () => Promise<void>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      exitCode = EXIT_FAILURE;
      logger.error({ err: error }, `${what} failed during shutdown`);
    }
  };

  const shutdown = async (reason: string): Promise<void> => {
    if (phase === 'stopping') return;
    const service = phase === 'running' ? running : undefined;
    phase = 'stopping';
    aborter.abort();
    armDeadline();
    logger.info({ reason }, 'service stopping');
    const target = announced;
    if (target !== undefined) await attempt('prometheus target removal', () => target.remove());
    if (service !== undefined) await attempt('stop', () => service.stop());
    await attempt('telemetry flush', () => telemetry.shutdown());
    const server = health;
    if (server !== undefined) await attempt('health server close', () => server.close());
    clearTimeout(deadline);
    logger.info({ exitCode }, 'service stopped');
    process.exit(exitCode);
  };

  const fail = (what: string, error: unknown): void => {
    exitCode = EXIT_FAILURE;
    logger.error({ err: error }, what);
    lastWords(name, what, error);
    void shutdown(what);
  };

  process.on('uncaughtException', (error) => fail('uncaught exception', error));
  process.on('unhandledRejection', (reason) => fail('unhandled rejection', reason));
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      lastWords(name, `second ${signal} during shutdown; exiting now`);
      process.exit(EXIT_FAILURE);
    }
    signalled = true;
    if (phase === 'running') return void shutdown(signal);
    if (phase === 'stopping') return logger.info({ signal }, 'signal received while already stopping');
    // Still starting: ask start() to give up and stop once it settles, within the same deadline.
    logger.info({ signal }, 'signal received during start-up; stopping once it settles');
    aborter.abort();
    armDeadline();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const context: ServiceContext<C> = {
    name,
    config,
    logger,
    telemetry,
    addReadinessCheck: (check, fn) => readiness.add(check, fn),
    step: async (what, action) => {
      try {
        return await action();
      } catch (error) {
        throw error instanceof StartupError ? error : new StartupError(what, error);
      }
    },
    signal: aborter.signal,
    fail: (what, error) => fail(phase === 'running' ? 'failed' : 'start-up failed', error instanceof StartupError ? error : new StartupError(what, error)),
  };

  const boot = async (): Promise<void> => {
    health = await context.step('health server', () => startHealthServer({
      port: settings.httpPort, host: settings.httpHost, readiness, metrics: telemetry.metrics,
    }));
    logger.info({ port: health.port, url: health.url }, 'service starting');
    const targetsDir = settings.prometheusTargetsDir;
    if (targetsDir !== undefined) {
      const { port } = health;
      announced = await context.step('prometheus target', () => announcePrometheusTarget({ dir: targetsDir, service: name, host: settings.httpHost, port }));
      logger.info({ file: announced.file }, 'metrics announced to Prometheus');
    }
    running = await definition.start(context);
    phase = 'running';
    if (signalled) return shutdown('signal during start-up');
    logger.info({ port: health.port, url: health.url }, 'service started');
  };
  boot().catch((error: unknown) => fail('start-up failed', error));
}
