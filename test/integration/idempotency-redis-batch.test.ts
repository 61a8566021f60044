import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisStateStore } from '@foresight/stores';
import { newTestWorld } from '../support/test-world.js';

// The Redis idempotency store's batched calls (one MGET, one pipeline), which the messaging runtime uses once per run
// of records: the same answers as has() and claim() one key at a time.
describe('Redis idempotency store: hasMany and claimMany', () => {
  const world = newTestWorld('idem-batch');
  const state = new RedisStateStore({ keyPrefix: world.keyPrefix });
  after(async () => {
    await state.dropPrefix().catch(() => undefined);
    await state.close();
  });

  it('answers per key, in order, as has() and claim() would, and claims only the free keys', async () => {
    const store = state.idempotency;
    assert.ok(store.hasMany !== undefined && store.claimMany !== undefined);
    assert.equal(await store.claim('g:b', 60_000), true);
    assert.deepEqual(await store.hasMany(['g:a', 'g:b', 'g:c']), [false, true, false]);
    assert.deepEqual(await store.claimMany(['g:a', 'g:b', 'g:c'], 60_000), [true, false, true], 'b was claimed before');
    assert.deepEqual(await store.hasMany(['g:a', 'g:b', 'g:c', 'g:d']), [true, true, true, false]);
    assert.deepEqual(await Promise.all(['g:a', 'g:c', 'g:d'].map((key) => store.has(key))), [true, true, false], 'has() sees the batched claims');
    assert.deepEqual(await store.hasMany([]), []);
    assert.deepEqual(await store.claimMany([], 60_000), []);
  });

  it('claims for ttlMs: an expired batch claim is free again', async () => {
    const store = state.idempotency;
    assert.deepEqual(await store.claimMany?.(['g:short-1', 'g:short-2'], 50), [true, true]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await store.hasMany?.(['g:short-1', 'g:short-2']), [false, false]);
    assert.deepEqual(await store.claimMany?.(['g:short-1'], 60_000), [true]);
  });

  it('refuses keys the store cannot hold and a ttl that is not a positive integer, as claim() does', async () => {
    const store = state.idempotency;
    await assert.rejects(store.claimMany?.(['g:ok'], 0) ?? Promise.resolve(), /ttlMs/);
    await assert.rejects(store.hasMany?.(['g:ok', '']) ?? Promise.resolve(), /idempotency key/);
  });
});
