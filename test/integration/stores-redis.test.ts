import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisStateStore, isStoreError, type RedisStateStoreConfig } from '@foresight/stores';
import { describeStateStoreContract } from '@foresight/stores/testing';
import { newTestWorld } from '../support/test-world.js';

const url = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const connection: Omit<RedisStateStoreConfig, 'keyPrefix'> = {
  host: url.hostname,
  port: Number(url.port || 6379),
  ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
  tls: url.protocol === 'rediss:',
};

describeStateStoreContract('redis', () => {
  const keyPrefix = newTestWorld('state-contract').keyPrefix;
  const store = new RedisStateStore({ ...connection, keyPrefix });
  const peers: RedisStateStore[] = [];
  return Promise.resolve({
    store,
    peer: async () => {
      const peer = new RedisStateStore({ ...connection, keyPrefix });
      await peer.init();
      peers.push(peer);
      return peer;
    },
    dispose: async () => {
      try {
        await store.dropPrefix();
      } finally {
        await Promise.all([store, ...peers].map((s) => s.close()));
      }
    },
  });
}, { propertyRuns: 40 });

describe('RedisStateStore', () => {
  it('leaves nothing behind under its prefix after dropPrefix', async () => {
    const world = newTestWorld('redis-drop');
    const store = new RedisStateStore({ ...connection, keyPrefix: world.keyPrefix });
    try {
      await store.init();
      await store.setHostCapacity('h', { cpuMillis: 1, memoryMiB: 1, networkMbps: 1 });
      await store.putIncidentScores('i', 1, [{ vmId: 'v', probability: 1, etaAt: 1 }], 60_000);
      await store.dropPrefix();
      assert.equal(await store.hostLedger('h'), undefined);
      assert.equal(await store.topIncidentScores('i', 1), undefined);
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable server as STORE_UNAVAILABLE (retriable)', { timeout: 30_000 }, async () => {
    const store = new RedisStateStore({ host: '127.0.0.1', port: 1, keyPrefix: 'unreachable:', connectTimeoutMs: 500, maxRetriesPerRequest: 0 });
    try {
      await assert.rejects(store.init(), (error: unknown) => isStoreError(error, 'STORE_UNAVAILABLE') && error.retriable);
    } finally {
      await store.close();
    }
  });
});
