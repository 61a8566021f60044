import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '@foresight/messaging';
import { createLogger, REDACTED } from '../src/index.js';

function capture(): { lines: Record<string, unknown>[]; write(line: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service, level label, time and message, filtered by level', () => {
    const out = capture();
    const logger = createLogger({ name: 'allocator', level: 'info', destination: out });
    logger.debug({ hidden: true }, 'not at info');
    logger.info({ topic: 'incidents' }, 'consumed');
    logger.child({ partition: 3 }).warn({}, 'lagging');
    assert.equal(out.lines.length, 2);
    assert.deepEqual({ ...out.lines[0], time: undefined, pid: undefined }, {
      level: 'info', service: 'allocator', topic: 'incidents', msg: 'consumed', time: undefined, pid: undefined,
    });
    assert.match(String(out.lines[0].time), /^\d{4}-\d\d-\d\dT/);
    assert.equal(out.lines[1].partition, 3);
    assert.equal(out.lines[1].level, 'warn');
  });

  it('redacts secret fields at any of the first levels and TLS private keys, but not ordinary keys', () => {
    const out = capture();
    const logger = createLogger({ name: 'svc', level: 'debug', destination: out });
    logger.info({
      password: 'p1',
      kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p2' }, ssl: { key: 'PEM', ca: 'CA' } },
      registry: { password: 'p3', token: 't' },
      message: { key: 'vm-42' },
    }, 'config');
    const line = JSON.stringify(out.lines[0]);
    for (const secret of ['p1', 'p2', 'p3', '"t"', 'PEM']) assert.ok(!line.includes(secret), `${secret} leaked: ${line}`);
    assert.ok(line.includes(REDACTED));
    assert.ok(line.includes('vm-42'));
    assert.ok(line.includes('"username":"u"'));
  });

  it('serialises errors passed as err', () => {
    const out = capture();
    createLogger({ name: 'svc', level: 'info', destination: out }).error({ err: new Error('boom', { cause: new Error('root') }) }, 'failed');
    const err = out.lines[0].err as { message: string; stack: string; type: string };
    assert.match(err.message, /^boom/);
    assert.equal(err.type, 'Error');
    assert.match(err.stack, /boom/);
  });

  it('has a silent twin', () => {
    silentLogger.child({ a: 1 }).error({}, 'nothing happens');
  });
});
