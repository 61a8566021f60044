import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from './logger.js';

/** Routes kafkajs's own logs into the runtime's Logger. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, ...rest } = log;
    const fields: Record<string, unknown> = { ...rest, namespace: `kafkajs.${namespace}` };
    switch (level) {
      case logLevel.ERROR:
      case logLevel.NOTHING:
        logger.error(fields, message);
        break;
      case logLevel.WARN:
        logger.warn(fields, message);
        break;
      case logLevel.INFO:
        logger.info(fields, message);
        break;
      default:
        logger.debug(fields, message);
    }
  };
}
