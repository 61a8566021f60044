import type { AnyConsumerDeclaration, Logger } from '@foresight/messaging';

/**
 * What every Foresight service is, whatever it decides: declarative consumers for the runtime, a tick in event time
 * (timeouts, sweeps, training), readiness, and stop. main.ts wires it; the decisions are core functions.
 */
export interface ServiceShell {
  readonly consumers: readonly AnyConsumerDeclaration[];
  /** Loads what the service needs before its consumers start. */
  start(): Promise<void>;
  tick(now: number): Promise<void>;
  stop(): Promise<void>;
  ready(): boolean;
}

/** A running tick loop. */
export interface TickLoop {
  stop(): void;
}

/**
 * Ticks `service` every `intervalMs` with the wall clock as its event time (a live process: replays and simulations
 * drive tick themselves), never two ticks at once: an interval that finds the last tick still running is skipped. A
 * failed tick is logged and tried again at the next interval.
 */
export function startTicking(service: Pick<ServiceShell, 'tick'>, intervalMs: number, logger: Logger, clock: () => number = Date.now): TickLoop {
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    service.tick(clock())
      .catch((error: unknown) => logger.warn({ err: error }, 'tick failed; retried at the next one'))
      .finally(() => { ticking = false; });
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
