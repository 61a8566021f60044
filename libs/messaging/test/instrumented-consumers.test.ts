import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sampleMessages } from '@foresight/contracts/testing';
import { consumerOf, instrumentConsumers, type MessageContext } from '../src/index.js';

describe('instrumentConsumers', () => {
  it('records each handled message with its outcome and rethrows errors untouched', async () => {
    const recorded: { topic: string; outcome: string; ms: number }[] = [];
    const failure = new Error('boom');
    let fail = false;
    const [wrapped] = instrumentConsumers([consumerOf({ topic: 'hosts', handle: () => (fail ? Promise.reject(failure) : Promise.resolve()) })], {
      recordHandled: ({ topic, outcome }, ms) => recorded.push({ topic, outcome, ms }),
    });
    const context = {} as MessageContext;
    await wrapped.handle(sampleMessages.hosts as never, context);
    fail = true;
    await assert.rejects(wrapped.handle(sampleMessages.hosts as never, context), (error) => error === failure);
    assert.deepEqual(recorded.map(({ topic, outcome }) => ({ topic, outcome })), [{ topic: 'hosts', outcome: 'ok' }, { topic: 'hosts', outcome: 'error' }]);
    assert.ok(recorded.every((r) => r.ms >= 0));
  });

  it('records every message of a run, with the run\'s outcome', async () => {
    const recorded: { topic: string; outcome: string }[] = [];
    let fail = false;
    const [wrapped] = instrumentConsumers([consumerOf({
      topic: 'hosts', handle: () => Promise.resolve(), handleRun: () => (fail ? Promise.reject(new Error('run failed')) : Promise.resolve()),
    })], { recordHandled: ({ topic, outcome }, _ms, count = 1) => { for (let i = 0; i < count; i++) recorded.push({ topic, outcome }); } });
    const message = sampleMessages.hosts as never;
    await wrapped.handleRun?.([message, message, message], [{} as MessageContext, {} as MessageContext, {} as MessageContext]);
    fail = true;
    await assert.rejects(wrapped.handleRun?.([message, message], [{} as MessageContext, {} as MessageContext]) ?? Promise.resolve());
    const ok = { topic: 'hosts', outcome: 'ok' };
    const error = { topic: 'hosts', outcome: 'error' };
    assert.deepEqual(recorded, [ok, ok, ok, error, error]);
  });
});
