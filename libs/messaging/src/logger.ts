/**
 * Foresight's one Logger: structured, fields first, then a short message; errors go in `err`. The runtime logs
 * through it, the service kit's pino logger implements it, and services pass theirs in.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /** A logger whose every line also carries `bindings` (e.g. { topic }). */
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything: the default, for tests and when no logger is given. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
