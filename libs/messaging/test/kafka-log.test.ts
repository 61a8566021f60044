import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logLevel } from 'kafkajs';
import { isBenignKafkaError, kafkaLogCreator } from '../src/kafka-log.js';
import type { Logger } from '../src/logger.js';

describe('kafkajs log routing', () => {
  function capture(): { logger: Logger; lines: { level: string; msg: string }[] } {
    const lines: { level: string; msg: string }[] = [];
    const at = (level: string) => (_fields: object, msg: string) => { lines.push({ level, msg }); };
    const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
    return { logger, lines };
  }

  it('logs a CreateTopics race (TOPIC_ALREADY_EXISTS from a second process) and a rebalance notice at debug, other errors at error', () => {
    const { logger, lines } = capture();
    const log = kafkaLogCreator(logger)(logLevel.ERROR);
    const entry = (message: string, extra: Record<string, unknown>) => ({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: '', logger: 'kafkajs', message, ...extra } });
    log(entry('Response CreateTopics(key: 19, version: 3)', { error: 'Topic creation errors', correlationId: 3, size: 80 }));
    log(entry('Response Heartbeat(key: 12, version: 3)', { error: 'The group is rebalancing, so a rejoin is needed', correlationId: 9, size: 10 }));
    log(entry('Response Metadata(key: 3, version: 6)', { error: 'This server does not host this topic-partition' }));
    assert.deepEqual(lines, [
      { level: 'debug', msg: 'Response CreateTopics(key: 19, version: 3)' },
      { level: 'debug', msg: 'Response Heartbeat(key: 12, version: 3)' },
      { level: 'error', msg: 'Response Metadata(key: 3, version: 6)' },
    ]);
    assert.equal(isBenignKafkaError('Response CreateTopics(key: 19, version: 3)', { error: 'Topic creation errors' }), true);
    assert.equal(isBenignKafkaError('Response CreateTopics(key: 19, version: 3)', { error: 'Request timed out' }), false);
  });
});
