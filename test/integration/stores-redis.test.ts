import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisRiskReadModel, RedisStateStore, isStoreError, type RedisStateStoreConfig } from '@foresight/stores';
import { describeRiskReadModelContract, describeStateStoreContract } from '@foresight/stores/testing';
import { newTestWorld } from '../support/test-world.js';

const url = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const connection: Omit<RedisStateStoreConfig, 'keyPrefix'> = {
  host: url.hostname,
  port: Number(url.port || 6379),
  ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
  tls: url.protocol === 'rediss:',
};

/** A plain client on the same server, to look at the keys themselves. */
function rawClient(): Redis {
  return new Redis({ host: connection.host, port: connection.port, ...(connection.password === undefined ? {} : { password: connection.password }), ...(connection.username === undefined ? {} : { username: connection.username }), ...(connection.tls === true ? { tls: {} } : {}) });
}

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

describeRiskReadModelContract('redis, read by the state store', () => {
  const store = new RedisStateStore({ ...connection, keyPrefix: newTestWorld('risk-contract').keyPrefix });
  return Promise.resolve({
    writer: store,
    reader: store,
    dispose: async () => {
      try {
        await store.dropPrefix();
      } finally {
        await store.close();
      }
    },
  });
});

describeRiskReadModelContract('redis, read by RedisRiskReadModel', () => {
  const keyPrefix = newTestWorld('risk-read-contract').keyPrefix;
  const store = new RedisStateStore({ ...connection, keyPrefix });
  const reader = new RedisRiskReadModel({ ...connection, keyPrefix });
  return Promise.resolve({
    writer: store,
    reader,
    dispose: async () => {
      try {
        await store.dropPrefix();
      } finally {
        await Promise.all([store.close(), reader.close()]);
      }
    },
  });
});

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

  it('keeps per incident only its live version: a dropped VM and a closed incident leave nothing but the version key', async () => {
    const world = newTestWorld('redis-vmrisk');
    const store = new RedisStateStore({ ...connection, keyPrefix: world.keyPrefix });
    const raw = rawClient();
    const live = () => raw.zrange(`${world.keyPrefix}scorelive`, 0, -1);
    try {
      await store.init();
      await store.putIncidentScores('i', 1, [{ vmId: 'v', probability: 0.5, etaAt: 1 }, { vmId: 'w', probability: 0.4, etaAt: 1 }], 60_000);
      await store.putIncidentScores('j', 1, [{ vmId: 'v', probability: 0.2, etaAt: 1 }], 60_000);
      await store.putIncidentScores('i', 2, [{ vmId: 'w', probability: 0.6, etaAt: 2 }], 60_000);
      assert.deepEqual((await live()).sort(), ['i', 'j']);
      assert.deepEqual(await raw.zrange(`${world.keyPrefix}scores:i`, 0, -1), ['w'], 'v is no longer scored by i');
      assert.deepEqual((await store.vmRisk('v'))?.incidents.map((x) => x.incidentId), ['j']);
      await store.putIncidentScores('i', 3, [], 60_000);
      assert.deepEqual(await live(), ['j'], 'a closed incident leaves the index');
      assert.equal(await raw.exists(`${world.keyPrefix}scores:i`, `${world.keyPrefix}etas:i`), 0, 'and keeps no scores');
      assert.equal(await store.vmRisk('w'), undefined);
      await store.putIncidentScores('j', 2, [], 60_000);
      assert.deepEqual(await live(), []);
      assert.deepEqual((await raw.keys(`${world.keyPrefix}*`)).filter((key) => !key.includes('scorever:')).filter((key) => /scores:|etas:|vmrisk:/.test(key)), [], 'nothing but the version keys');
    } finally {
      raw.disconnect();
      await store.dropPrefix();
      await store.close();
    }
  });

  it('reports an unreachable server to a RedisRiskReadModel as STORE_UNAVAILABLE (retriable)', { timeout: 30_000 }, async () => {
    const reader = new RedisRiskReadModel({ host: '127.0.0.1', port: 1, keyPrefix: 'unreachable:', connectTimeoutMs: 500, maxRetriesPerRequest: 0 });
    try {
      await assert.rejects(reader.vmRisk('v'), (error: unknown) => isStoreError(error, 'STORE_UNAVAILABLE') && error.retriable);
    } finally {
      await reader.close();
    }
  });

  it('counts leases reserved before VM holdings existed into them once, at init', async () => {
    const world = newTestWorld('redis-vmheld');
    const store = new RedisStateStore({ ...connection, keyPrefix: world.keyPrefix });
    const cap = { cpuMillis: 100, memoryMiB: 1000, networkMbps: 1000 };
    const lease = (commandId: string, cpuMillis: number) => ({
      commandId, hostId: 'h', vmId: 'v', incidentId: 'i', resources: { cpuMillis, memoryMiB: 0, networkMbps: 0 }, leaseExpiresAt: 1_000, vmCap: cap,
    });
    try {
      await store.init();
      await store.setHostCapacity('h', { cpuMillis: 1e6, memoryMiB: 1e6, networkMbps: 1e6 });
      await store.setBudget({ cpuMillis: 1e6, memoryMiB: 1e6, networkMbps: 1e6 });
      assert.deepEqual(await store.reserve(lease('old', 70)), { ok: true });
      assert.deepEqual(await store.reserve({ ...lease('legacy', 70), vmId: 'w' }), { ok: true });
      // As a version without VM holdings left them: no holdings, no mark on the commands, no marker.
      const raw = rawClient();
      try {
        await raw.del(`${world.keyPrefix}vmheld:v`, `${world.keyPrefix}vmheld:w`, `${world.keyPrefix}vmheldindex`);
        await raw.hdel(`${world.keyPrefix}cmd:old`, 'vmheld');
        await raw.hdel(`${world.keyPrefix}cmd:legacy`, 'vmheld');
      } finally {
        raw.disconnect();
      }
      assert.deepEqual(await store.reserve(lease('blind', 40)), { ok: true }, 'uncounted, the old lease is invisible to the cap');
      assert.equal(await store.release('blind'), true);
      // An adjust counts an uncounted lease first, so its growth is capped too, and counts it once.
      const grown = (cpuMillis: number) => ({ cpuMillis, memoryMiB: 0, networkMbps: 0 });
      assert.deepEqual(await store.adjust('legacy', grown(110), undefined, cap), { ok: false, reason: 'VM_CAP_EXCEEDED' });
      assert.deepEqual(await store.adjust('legacy', grown(90), undefined, cap), { ok: true });
      assert.deepEqual(await store.reserve({ ...lease('w-more', 20), vmId: 'w' }), { ok: false, reason: 'VM_CAP_EXCEEDED' });
      assert.deepEqual(await store.reserve({ ...lease('w-fits', 10), vmId: 'w' }), { ok: true });
      const upgraded = new RedisStateStore({ ...connection, keyPrefix: world.keyPrefix });
      try {
        await upgraded.init();
        await upgraded.init();
        assert.deepEqual(await upgraded.reserve(lease('new', 40)), { ok: false, reason: 'VM_CAP_EXCEEDED' }, 'the old lease now counts, once');
        assert.deepEqual(await upgraded.reserve(lease('fits', 30)), { ok: true });
        assert.equal(await upgraded.release('old'), true);
        assert.deepEqual(await upgraded.reserve(lease('after', 70)), { ok: true }, 'and leaves the holdings when released');
      } finally {
        await upgraded.close();
      }
    } finally {
      await store.dropPrefix();
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
