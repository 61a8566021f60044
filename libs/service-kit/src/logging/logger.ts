/** Structured logging as the kit and its services see it: fields first, then a short message. Errors go in `err`. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /** A logger whose every line also carries `bindings` (e.g. { topic }). */
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything: for tests and libraries with no logger given. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
