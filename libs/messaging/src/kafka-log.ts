import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from './logger.js';

/**
 * True for kafkajs error lines that describe normal group and topic life, not a failure:
 * - a CreateTopics response with topic errors: two processes preparing the same topics race, and the loser hears
 *   TOPIC_ALREADY_EXISTS, which the admin then treats as success (any other creation error is thrown to KafkaBus,
 *   which reports it itself);
 * - a response saying the group is rebalancing (a member joined or left): kafkajs rejoins on its own.
 */
export function isBenignKafkaError(message: string, fields: Readonly<Record<string, unknown>>): boolean {
  if (!message.startsWith('Response ')) return false;
  if (message.startsWith('Response CreateTopics')) return fields.error === 'Topic creation errors';
  return fields.error === 'The group is rebalancing, so a rejoin is needed';
}

/** Routes kafkajs's own logs into the runtime's Logger. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, ...rest } = log;
    const fields: Record<string, unknown> = { ...rest, namespace: `kafkajs.${namespace}` };
    if (level === logLevel.ERROR && isBenignKafkaError(message, rest)) {
      logger.debug(fields, message);
      return;
    }
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
