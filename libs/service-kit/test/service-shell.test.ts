import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { silentLogger, type Logger } from '@foresight/messaging';
import { startTicking } from '../src/lifecycle/service-shell.js';

describe('startTicking', () => {
  it('ticks every interval with the clock, never two at once, logs a failed tick and goes on, and stops', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const seen: number[] = [];
      let release: (() => void) | undefined;
      let fail = true;
      const service = {
        tick: (now: number): Promise<void> => {
          seen.push(now);
          if (fail) {
            fail = false;
            return Promise.reject(new Error('boom'));
          }
          return new Promise<void>((resolve) => { release = resolve; });
        },
      };
      const warnings: string[] = [];
      const logger: Logger = { ...silentLogger, warn: (_fields: object, message: string) => { warnings.push(message); } };
      let clock = 1_000;
      const loop = startTicking(service, 100, logger, () => clock);
      mock.timers.tick(100);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(seen, [1_000]);
      assert.deepEqual(warnings, ['tick failed; retried at the next one']);
      clock = 2_000;
      mock.timers.tick(100);
      await new Promise((r) => setImmediate(r));
      mock.timers.tick(100);
      mock.timers.tick(100);
      assert.deepEqual(seen, [1_000, 2_000], 'intervals that find a tick running are skipped');
      release?.();
      await new Promise((r) => setImmediate(r));
      mock.timers.tick(100);
      assert.equal(seen.length, 3);
      loop.stop();
      mock.timers.tick(1_000);
      assert.equal(seen.length, 3, 'no tick after stop');
    } finally {
      mock.timers.reset();
    }
  });
});
