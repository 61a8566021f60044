import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FaultError, FaultSwitch, NO_FAULT, parseFault } from '../src/fault-switch.js';
import { startShopService, type RunningShopService } from '../src/shop-service.js';

/** Draws from a fixed list, round and round (a seeded stand-in for Math.random). */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('parseFault', () => {
  it('reads any mix of the three faults, a missing one being 0', () => {
    assert.deepEqual(parseFault({ latencyMs: 300 }), { latencyMs: 300, errorRate: 0, cpuBurnMs: 0 });
    assert.deepEqual(parseFault({ errorRate: 0.25, cpuBurnMs: 10 }), { latencyMs: 0, errorRate: 0.25, cpuBurnMs: 10 });
    assert.deepEqual(parseFault({}), NO_FAULT);
  });

  it('refuses unknown fields, negatives, non-numbers, values over the limits and non-objects, naming the field', () => {
    const refused = (body: unknown, field: string): void => {
      assert.throws(() => parseFault(body), (error: unknown) => error instanceof FaultError && error.field === field && error.code === 'DEMO_FAULT_INVALID');
    };
    refused({ latency: 3 }, 'latency');
    refused({ latencyMs: -1 }, 'latencyMs');
    refused({ errorRate: '0.5' }, 'errorRate');
    refused({ errorRate: 1.5 }, 'errorRate');
    refused({ cpuBurnMs: Number.NaN }, 'cpuBurnMs');
    refused([1], 'body');
    refused(null, 'body');
  });
});

describe('FaultSwitch', () => {
  it('applies latency and CPU burn to every request and fails the share errorRate of them', () => {
    const faults = new FaultSwitch(draws(0.1, 0.6, 0.3, 0.9));
    assert.equal(faults.active, false);
    assert.deepEqual(faults.next(), { delayMs: 0, burnMs: 0, fail: false });
    faults.set(parseFault({ latencyMs: 200, errorRate: 0.5, cpuBurnMs: 7 }));
    assert.equal(faults.active, true);
    const effects = [faults.next(), faults.next(), faults.next(), faults.next()];
    assert.deepEqual(effects.map((e) => e.fail), [true, false, true, false]);
    assert.ok(effects.every((e) => e.delayMs === 200 && e.burnMs === 7));
    faults.clear();
    assert.deepEqual(faults.next(), { delayMs: 0, burnMs: 0, fail: false });
  });
});

describe('a shop service\'s fault switch over HTTP', () => {
  const running: RunningShopService[] = [];
  after(async () => {
    await Promise.all(running.map((s) => s.close()));
  });

  async function shop(): Promise<{ db: RunningShopService; cart: RunningShopService }> {
    const db = await startShopService({ name: 'db', downstreams: [], faults: new FaultSwitch(() => 0), workMs: 0 });
    const cart = await startShopService({ name: 'cart', downstreams: [{ name: 'db', kind: 'db', url: db.url }], faults: new FaultSwitch(() => 0), workMs: 0 });
    running.push(db, cart);
    return { db, cart };
  }
  const post = (url: string, body: unknown): Promise<Response> => fetch(`${url}/admin/fault`, { method: 'POST', body: JSON.stringify(body) });

  it('errors: the faulty service answers 500 and its caller 502 until the fault is cleared', async () => {
    const { db, cart } = await shop();
    assert.equal((await fetch(`${cart.url}/cart`)).status, 200);
    const set = await post(db.url, { errorRate: 1 });
    assert.equal(set.status, 200);
    assert.deepEqual(await set.json(), { latencyMs: 0, errorRate: 1, cpuBurnMs: 0 });
    assert.equal((await fetch(`${db.url}/items`)).status, 500);
    assert.equal((await fetch(`${cart.url}/cart`)).status, 502, 'a failed call fails the caller');
    assert.equal((await fetch(`${db.url}/admin/fault`, { method: 'DELETE' })).status, 200);
    assert.equal((await fetch(`${cart.url}/cart`)).status, 200);
    const stats = (await (await fetch(`${cart.url}/admin/stats`)).json()) as { requests: number; errors: number };
    assert.deepEqual([stats.requests, stats.errors], [3, 1]);
  });

  it('latency: the delay reaches the caller', async () => {
    const { db, cart } = await shop();
    await post(db.url, { latencyMs: 150 });
    const started = performance.now();
    assert.equal((await fetch(`${cart.url}/cart`)).status, 200);
    assert.ok(performance.now() - started >= 145, 'the caller waited for the slow database');
    assert.deepEqual(await (await fetch(`${db.url}/admin/fault`)).json(), { latencyMs: 150, errorRate: 0, cpuBurnMs: 0 });
  });

  it('CPU burn: each request keeps the event loop busy for the time asked', async () => {
    const { db } = await shop();
    await post(db.url, { cpuBurnMs: 80 });
    // The service runs in this process: while it burns, no timer fires. The longest gap between 5 ms ticks shows it.
    let last = performance.now();
    let longest = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 5);
    try {
      assert.equal((await fetch(`${db.url}/items`)).status, 200);
    } finally {
      clearInterval(ticker);
    }
    assert.ok(longest >= 75, `longest pause of the event loop: ${longest.toFixed(1)} ms`);
  });

  it('refuses a bad fault with 400 and its code, and keeps the previous one', async () => {
    const { db } = await shop();
    await post(db.url, { latencyMs: 5 });
    const refused = await post(db.url, { errorRate: 2 });
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { code: 'DEMO_FAULT_INVALID', field: 'errorRate', message: 'errorRate: at most 1, got 2' });
    assert.equal((await fetch(`${db.url}/admin/fault`, { method: 'POST', body: 'not json' })).status, 400);
    assert.deepEqual(await (await fetch(`${db.url}/admin/fault`)).json(), { latencyMs: 5, errorRate: 0, cpuBurnMs: 0 });
  });
});
