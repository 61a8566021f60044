import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/service-settings.js';
import { redactUrl, type Logger } from '@foresight/messaging';
import { REDACTED, redactionPaths } from './redaction.js';

/** Settings of the structured JSON logger. */
export interface LoggerOptions {
  /** Written as `service` on every line. */
  readonly name: string;
  readonly level: LogLevel;
  /** Where lines go; stdout (synchronously) by default. */
  readonly destination?: DestinationStream;
  /** More redaction paths in pino syntax (e.g. "vm.owner.email"). */
  readonly redact?: readonly string[];
}

function adapt(log: PinoLogger): Logger {
  return {
    debug: (fields, message) => log.debug(fields, message),
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
    child: (bindings) => adapt(log.child(bindings)),
  };
}

/** A Logger writing one JSON object per line (time, level label, service, msg, fields), secrets and URL credentials redacted. */
export function createLogger(options: LoggerOptions): Logger {
  // NOTE: synchronous stdout so the last lines before process.exit are never lost.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return adapt(pino({
    level: options.level,
    base: { service: options.name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactionPaths(options.redact), censor: REDACTED },
    // NOTE: credentials in URLs can sit in any text (a message, an error's stack or cause): the written line is scrubbed.
    hooks: { streamWrite: redactUrl },
  }, destination));
}
