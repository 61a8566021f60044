import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Resources } from '@foresight/core';
import { isStoreError } from '../src/store-error.js';
import type { ReserveRequest, StateStore } from '../src/state/state-store.js';
import { eventually } from './eventually.js';
import { HOSTILE_IDS } from './graph-fixtures.js';
import { ledgerProperty } from './ledger-property.js';

/** One store for one test, a second independent client on the same data, and cleanup. */
export interface StateStoreHarness {
  readonly store: StateStore;
  /** Another client (another "allocator") on the same keys; the in-memory twin returns itself. */
  peer(): Promise<StateStore>;
  /** Deletes what the test wrote and closes every client. */
  dispose(): Promise<void>;
}

/** Options of the state contract. */
export interface StateStoreContractOptions {
  /** fast-check runs of the ledger property (each run gets a fresh store). */
  readonly propertyRuns?: number;
}

const r = (cpuMillis: number, memoryMiB = 0, networkMbps = 0): Resources => ({ cpuMillis, memoryMiB, networkMbps });

function request(commandId: string, cpu: number, overrides: Partial<ReserveRequest> = {}): ReserveRequest {
  return { commandId, hostId: 'h1', vmId: `vm-${commandId}`, incidentId: 'inc-1', resources: r(cpu, cpu * 2, cpu / 10), leaseExpiresAt: 1_000, ...overrides };
}

async function withStore(make: () => Promise<StateStoreHarness>, test: (store: StateStore, harness: StateStoreHarness) => Promise<void>): Promise<void> {
  const harness = await make();
  try {
    await harness.store.init();
    await test(harness.store, harness);
  } finally {
    await harness.dispose();
  }
}

async function rejectsInvalid(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isStoreError(error, 'INVALID_INPUT') && !error.retriable);
}

/** The StateStore contract: every adapter must pass it unchanged. */
export function describeStateStoreContract(name: string, make: () => Promise<StateStoreHarness>, options: StateStoreContractOptions = {}): void {
  describe(`StateStore contract: ${name}`, () => {
    describe('ledger', () => {
      it('reserves within host capacity and budget and shows it in both ledgers', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(1000, 2000, 100));
        await store.setBudget(r(5000, 10000, 500));
        assert.deepEqual(await store.reserve(request('c1', 300)), { ok: true });
        assert.deepEqual(await store.hostLedger('h1'), { capacity: r(1000, 2000, 100), reserved: r(300, 600, 30), free: r(700, 1400, 70) });
        assert.deepEqual((await store.budget()).reserved, r(300, 600, 30));
        assert.equal(await store.hostLedger('nope'), undefined);
      }));

      it('refuses an unknown host, then host capacity, then budget, in that order', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(1000));
        assert.deepEqual(await store.reserve(request('c0', 1, { resources: r(1) })), { ok: false, reason: 'BUDGET_EXCEEDED' }, 'budget is zero until set');
        await store.setBudget(r(1500));
        assert.deepEqual(await store.reserve(request('c1', 1, { hostId: 'h-missing', resources: r(1) })), { ok: false, reason: 'UNKNOWN_HOST' });
        assert.deepEqual(await store.reserve(request('c2', 0, { resources: r(1001) })), { ok: false, reason: 'INSUFFICIENT_CAPACITY' });
        assert.deepEqual(await store.reserve(request('c3', 0, { resources: r(1000) })), { ok: true });
        await store.setHostCapacity('h2', r(1000));
        assert.deepEqual(await store.reserve(request('c4', 0, { hostId: 'h2', resources: r(501) })), { ok: false, reason: 'BUDGET_EXCEEDED' });
        assert.deepEqual(await store.reserve(request('c5', 0, { hostId: 'h2', resources: r(500) })), { ok: true });
        assert.deepEqual((await store.budget()).free, r(0));
      }));

      it('replays reserve by commandId: the first result, no second debit, even after release or a capacity change', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100));
        await store.setBudget(r(1000));
        assert.deepEqual(await store.reserve(request('c1', 60, { resources: r(60) })), { ok: true });
        assert.deepEqual(await store.reserve(request('c1', 60, { resources: r(60) })), { ok: true });
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(60));
        assert.deepEqual(await store.reserve(request('c2', 60, { resources: r(60) })), { ok: false, reason: 'INSUFFICIENT_CAPACITY' });
        assert.equal(await store.release('c1'), true);
        assert.deepEqual(await store.reserve(request('c2', 60, { resources: r(60) })), { ok: false, reason: 'INSUFFICIENT_CAPACITY' }, 'a refusal is replayed too');
        assert.deepEqual(await store.reserve(request('c1', 60, { resources: r(60) })), { ok: true }, 'replay after release');
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(0), 'the replay did not re-reserve');
        assert.deepEqual(await store.activeReservations(), []);
      }));

      it('release is idempotent and unknown commands release nothing', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100));
        await store.setBudget(r(100));
        await store.reserve(request('c1', 10, { resources: r(10) }));
        assert.equal(await store.release('c1'), true);
        assert.equal(await store.release('c1'), false);
        assert.equal(await store.release('never'), false);
        assert.deepEqual(await store.hostLedger('h1'), { capacity: r(100), reserved: r(0), free: r(100) });
        assert.deepEqual((await store.budget()).reserved, r(0));
      }));

      it('numbers the changes of each host in ledger order: reserve, adjust and release take the host\'s next number; replays and refusals take none', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100, 1000, 100));
        await store.setHostCapacity('h2', r(100, 1000, 100));
        await store.setBudget(r(1000, 10000, 1000));
        await store.reserve(request('a', 60));
        await store.reserve(request('b', 0, { hostId: 'h2', resources: r(10) }));
        assert.deepEqual(await store.reserveMany([request('c', 50), request('d', 40), request('a', 60)]), [{ ok: false, reason: 'INSUFFICIENT_CAPACITY' }, { ok: true }, { ok: true }]);
        await store.release('a');
        await store.release('a');
        await store.adjust('d', r(20));
        await store.adjust('d', r(200));
        await store.releaseMany(['b']);
        await store.expireLeases(1_000);
        assert.deepEqual(await store.hostSequences(['a', 'b', 'c', 'd', 'never']), [
          { changed: 1, released: 3 }, { changed: 1, released: 2 }, {}, { changed: 4, released: 5 }, {},
        ]);
        assert.deepEqual(await store.hostSequences([]), []);
      }));


      it('reserveManySequenced and releaseManySequenced answer each change\'s number with its result; a release naming the wrong host, incident or VM still releases the right one', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100, 1000, 100));
        await store.setHostCapacity('h2', r(100, 1000, 100));
        await store.setBudget(r(1000, 10000, 1000));
        assert.deepEqual(await store.reserveManySequenced([request('a', 60), request('b', 0, { hostId: 'h2', resources: r(10) }), request('c', 50), request('d', 40), request('a', 60)]), [
          { ok: true, sequence: { changed: 1 } }, { ok: true, sequence: { changed: 1 } }, { ok: false, reason: 'INSUFFICIENT_CAPACITY', sequence: {} },
          { ok: true, sequence: { changed: 2 } }, { ok: true, sequence: { changed: 1 } },
        ]);
        assert.deepEqual(await store.reserveManySequenced([request('x', 0, { hostId: 'nowhere', resources: r(1) })]), [{ ok: false, reason: 'UNKNOWN_HOST', sequence: {} }]);
        const released = await store.releaseManySequenced([
          { commandId: 'a', hostId: 'h1', incidentId: 'inc-1', vmId: 'vm-a' },
          { commandId: 'b', hostId: 'h1', incidentId: 'inc-1', vmId: 'vm-b' },
          { commandId: 'd' },
          { commandId: 'a', hostId: 'h1', incidentId: 'inc-1', vmId: 'vm-a' },
          { commandId: 'c', hostId: 'h1', incidentId: 'inc-1', vmId: 'vm-c' },
          { commandId: 'never', hostId: 'h1', incidentId: 'inc-1', vmId: 'vm-never' },
          { commandId: 'never-named' },
        ]);
        assert.deepEqual(released, [
          { released: true, sequence: { changed: 1, released: 3 } }, { released: true, sequence: { changed: 1, released: 2 } },
          { released: true, sequence: { changed: 2, released: 4 } }, { released: false, sequence: { changed: 1, released: 3 } },
          { released: false, sequence: {} }, { released: false, sequence: {} }, { released: false, sequence: {} },
        ]);
        assert.deepEqual(await store.hostSequences(['a', 'b', 'd']), released.slice(0, 3).map((x) => x.sequence));
        assert.deepEqual(await store.activeReservations(), []);
        assert.deepEqual((await store.hostLedger('h2'))?.reserved, r(0), 'b released from its own host, not the one named');
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(0));
        assert.deepEqual((await store.budget()).reserved, r(0));
        await rejectsInvalid(store.releaseManySequenced([{ commandId: '' }]));
        await rejectsInvalid(store.releaseManySequenced([{ commandId: 'a', hostId: '' }]));
      }));

      it('releaseAndReserve releases, then reserves, as the two calls would: a reserve may take what a release of the same call freed, even when a release names the wrong keys', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100, 1000, 100));
        await store.setHostCapacity('h2', r(100, 1000, 100));
        await store.setBudget(r(1000, 10000, 1000));
        await store.reserveMany([request('a', 60), request('b', 30, { hostId: 'h2' })]);
        const named = { commandId: 'a', hostId: 'h1', incidentId: 'inc-1', vmId: 'vm-a' };
        assert.deepEqual(await store.releaseAndReserve([named], [request('c', 90), request('d', 20)]), {
          released: [{ released: true, sequence: { changed: 1, released: 2 } }],
          reserved: [{ ok: true, sequence: { changed: 3 } }, { ok: false, reason: 'INSUFFICIENT_CAPACITY', sequence: {} }],
        });
        // b is on h2, named on h1: it is still released from h2, before e takes h2's room.
        assert.deepEqual(await store.releaseAndReserve([{ commandId: 'b', hostId: 'h1', incidentId: 'inc-1', vmId: 'vm-b' }, named], [request('e', 100, { hostId: 'h2' })]), {
          released: [{ released: true, sequence: { changed: 1, released: 2 } }, { released: false, sequence: { changed: 1, released: 2 } }],
          reserved: [{ ok: true, sequence: { changed: 3 } }],
        });
        assert.deepEqual(await store.releaseAndReserve([], []), { released: [], reserved: [] });
        await rejectsInvalid(store.releaseAndReserve([{ commandId: 'c' }], [request('f', 1, { resources: r(Number.NaN) })]));
        await rejectsInvalid(store.releaseAndReserve([{ commandId: '' }], [request('f', 1)]));
        assert.deepEqual((await store.activeReservations()).map((x) => x.commandId), ['c', 'e'], 'a refused call changed nothing');
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(90, 180, 9));
        assert.deepEqual((await store.hostLedger('h2'))?.reserved, r(100, 200, 10));
        assert.deepEqual((await store.budget()).reserved, r(190, 380, 19));
      }));
      it('adjust grows within room, refuses growth beyond it, always shrinks, and can move the lease', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100, 100, 100));
        await store.setBudget(r(150, 1000, 1000));
        await store.setHostCapacity('h2', r(100, 100, 100));
        await store.reserve(request('c1', 0, { resources: r(40, 40, 40) }));
        await store.reserve(request('c2', 0, { hostId: 'h2', resources: r(50, 0, 0) }));
        assert.deepEqual(await store.adjust('c1', r(100, 10, 40)), { ok: true });
        assert.deepEqual(await store.adjust('c1', r(101, 10, 40)), { ok: false, reason: 'INSUFFICIENT_CAPACITY' });
        assert.deepEqual(await store.adjust('c2', r(51, 0, 0)), { ok: false, reason: 'BUDGET_EXCEEDED' });
        assert.deepEqual(await store.adjust('c1', r(0, 0, 0), 5_000), { ok: true });
        assert.deepEqual(await store.adjust('c1', r(0, 0, 0), 5_000), { ok: true }, 'adjusting to the same amount is a no-op');
        assert.deepEqual(await store.adjust('nope', r(1)), { ok: false, reason: 'UNKNOWN_RESERVATION' });
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(0, 0, 0));
        assert.deepEqual((await store.budget()).reserved, r(50, 0, 0));
        assert.deepEqual((await store.activeReservations({ hostId: 'h1' })).map((x) => [x.commandId, x.leaseExpiresAt, x.resources]), [['c1', 5_000, r(0, 0, 0)]]);
        await store.release('c2');
        assert.deepEqual(await store.adjust('c2', r(1)), { ok: false, reason: 'UNKNOWN_RESERVATION' }, 'a released reservation cannot be adjusted');
      }));

      it('expireLeases releases exactly the leases due at `now`, once', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(1000));
        await store.setBudget(r(1000));
        await store.reserve(request('c-late', 10, { resources: r(10), leaseExpiresAt: 2_000 }));
        await store.reserve(request('c-b', 10, { resources: r(10), leaseExpiresAt: 1_000 }));
        await store.reserve(request('c-a', 10, { resources: r(10), leaseExpiresAt: 500 }));
        await store.reserve(request('c-moved', 10, { resources: r(10), leaseExpiresAt: 100 }));
        await store.adjust('c-moved', r(10), 3_000);
        assert.deepEqual((await store.activeReservations({ expiringBy: 999 })).map((x) => x.commandId), ['c-a']);
        assert.deepEqual((await store.activeReservations({ expiringBy: 2_000, hostId: 'h1' })).map((x) => x.commandId), ['c-a', 'c-b', 'c-late']);
        assert.equal(await store.countActiveReservations(), 4);
        assert.deepEqual(await store.expireLeases(999), ['c-a']);
        assert.deepEqual(await store.expireLeases(1_000), ['c-b']);
        assert.deepEqual(await store.expireLeases(1_000), []);
        assert.deepEqual((await store.activeReservations()).map((x) => x.commandId), ['c-late', 'c-moved']);
        assert.equal(await store.countActiveReservations(), 2);
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(20));
      }));

      it('lists active reservations by incident, VM and host', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(1000, 1000, 1000));
        await store.setHostCapacity('h2', r(1000, 1000, 1000));
        await store.setBudget(r(1000, 1000, 1000));
        const a = request('a', 1, { incidentId: 'i1', vmId: 'v1', hostId: 'h1', resources: r(1.5, 2, 0.125) });
        const b = request('b', 1, { incidentId: 'i1', vmId: 'v2', hostId: 'h2', resources: r(1) });
        const c = request('c', 1, { incidentId: 'i2', vmId: 'v1', hostId: 'h1', resources: r(1) });
        for (const x of [c, a, b]) await store.reserve(x);
        assert.deepEqual(await store.activeReservations(), [a, b, c]);
        assert.deepEqual(await store.activeReservations({ incidentId: 'i1' }), [a, b]);
        assert.deepEqual(await store.activeReservations({ vmId: 'v1', hostId: 'h1' }), [a, c]);
        assert.deepEqual(await store.activeReservations({ incidentId: 'i2', vmId: 'v2' }), []);
        assert.deepEqual(await store.activeReservations({ vmIds: ['v2', 'v9'] }), [b]);
        assert.deepEqual(await store.activeReservations({ vmIds: ['v1', 'v2'], incidentId: 'i2' }), [c]);
        assert.deepEqual(await store.activeReservations({ vmIds: [] }), []);
        await store.release('a');
        assert.deepEqual(await store.activeReservations({ incidentId: 'i1' }), [b], 'a released reservation leaves the incident index');
        assert.deepEqual(await store.activeReservations({ vmId: 'v1' }), [c], 'and the VM index');
      }));

      it('keeps fractional amounts exact (0.1 + 0.2 reserved against 0.3)', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(0.3, 0.3, 0.3));
        await store.setBudget(r(1, 1, 1));
        assert.deepEqual(await store.reserve(request('c1', 0, { resources: r(0.1, 0.1, 0.1) })), { ok: true });
        assert.deepEqual(await store.reserve(request('c2', 0, { resources: r(0.2, 0.2, 0.2) })), { ok: true });
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2));
        assert.deepEqual(await store.reserve(request('c3', 0, { resources: r(0.001, 0, 0) })), { ok: false, reason: 'INSUFFICIENT_CAPACITY' });
      }));

      it('handles hostile ids as plain data', () => withStore(make, async (store) => {
        await store.setBudget(r(1000));
        for (const id of HOSTILE_IDS) await store.setHostCapacity(id, r(10));
        for (const id of HOSTILE_IDS) assert.deepEqual(await store.reserve(request(id, 0, { hostId: id, vmId: id, incidentId: id, resources: r(10) })), { ok: true });
        assert.equal((await store.activeReservations()).length, HOSTILE_IDS.length);
        assert.deepEqual((await store.activeReservations({ vmId: '*' })).map((x) => x.commandId), ['*']);
        assert.equal(await store.release('*'), true);
        assert.deepEqual((await store.hostLedger('a:b{c}'))?.reserved, r(10));
        assert.deepEqual((await store.hostLedger('*'))?.reserved, r(0));
      }));

      it('two allocators racing on one host never over-commit it', { timeout: 60_000 }, () => withStore(make, async (store, harness) => {
        const other = await harness.peer();
        await store.setHostCapacity('h1', r(5000, 5000, 5000));
        await store.setBudget(r(1e9, 1e9, 1e9));
        const commands = Array.from({ length: 400 }, (_, i) => request(`race-${i}`, 0, { resources: r(50 + (i % 7), 10, 1) }));
        // Every command is sent by both allocators at once: idempotency and capacity are both under contention.
        const results = await Promise.all(commands.flatMap((c, i) => (i % 2 === 0 ? [store.reserve(c), other.reserve(c)] : [other.reserve(c), store.reserve(c)])));
        for (let i = 0; i < commands.length; i++) assert.deepEqual(results[2 * i], results[2 * i + 1], `both allocators see one outcome for ${commands[i].commandId}`);
        const granted = commands.filter((_, i) => results[2 * i].ok);
        const grantedCpu = granted.reduce((sum, c) => sum + c.resources.cpuMillis, 0);
        const ledger = (await store.hostLedger('h1'))!;
        assert.ok(ledger.reserved.cpuMillis <= 5000, `reserved ${ledger.reserved.cpuMillis} > capacity 5000`);
        assert.equal(ledger.reserved.cpuMillis, grantedCpu);
        assert.ok(5000 - grantedCpu < 57, 'the host was filled: only a remainder smaller than any request is left');
        assert.deepEqual((await other.activeReservations()).map((x) => x.commandId).sort(), granted.map((c) => c.commandId).sort());
      }));

      it('keeps a VM within its cap over all its reservations, on reserve and adjust, and frees it on release', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(10_000, 10_000, 10_000));
        await store.setBudget(r(10_000, 10_000, 10_000));
        const cap = r(100, 1000, 1000);
        const onVm = (id: string, cpu: number, incidentId: string, vmCap: Resources | null = cap): ReserveRequest => request(id, 0, { vmId: 'v1', incidentId, resources: r(cpu), ...(vmCap === null ? {} : { vmCap }) });
        assert.deepEqual(await store.reserve(onVm('a', 60, 'i1')), { ok: true });
        assert.deepEqual(await store.reserve(onVm('b', 50, 'i2')), { ok: false, reason: 'VM_CAP_EXCEEDED' }, 'another incident on the same VM counts');
        assert.deepEqual(await store.reserve(onVm('c', 40, 'i2')), { ok: true }, 'exactly up to the cap');
        assert.deepEqual(await store.reserve(onVm('d', 10, 'i3', null)), { ok: true }, 'no cap given: not capped');
        assert.deepEqual(await store.reserve(onVm('e', 1, 'i3')), { ok: false, reason: 'VM_CAP_EXCEEDED' }, 'but an uncapped reservation counts toward the holdings');
        assert.deepEqual(await store.adjust('a', r(61), undefined, cap), { ok: false, reason: 'VM_CAP_EXCEEDED' });
        assert.deepEqual(await store.adjust('a', r(30), undefined, cap), { ok: true }, 'shrinking always fits');
        assert.deepEqual(await store.adjust('c', r(60), undefined, cap), { ok: true }, 'growth into what the shrink freed');
        assert.equal(await store.release('c'), true);
        assert.deepEqual(await store.reserve(onVm('f', 60, 'i4')), { ok: true }, 'a release frees the cap');
        assert.deepEqual(await store.reserve(request('g', 0, { vmId: 'v2', resources: r(100), vmCap: cap })), { ok: true }, 'other VMs have caps of their own');
        const held = (await store.activeReservations({ vmId: 'v1' })).reduce((sum, x) => sum + x.resources.cpuMillis, 0);
        assert.equal(held, 100);
        await assert.rejects(store.reserve(onVm('h', 1, 'i5', r(-1))), (e: unknown) => isStoreError(e) && e.code === 'INVALID_INPUT');
      }));

      it('two allocators racing on one VM never exceed its cap', { timeout: 60_000 }, () => withStore(make, async (store, harness) => {
        const other = await harness.peer();
        await store.setHostCapacity('h1', r(1e6, 1e6, 1e6));
        await store.setBudget(r(1e6, 1e6, 1e6));
        const cap = r(1000, 1e6, 1e6);
        const commands = Array.from({ length: 120 }, (_, i) => request(`vmrace-${i}`, 0, { vmId: 'v-hot', incidentId: `i${i % 9}`, resources: r(30 + (i % 5)), vmCap: cap }));
        const results = await Promise.all(commands.map((c, i) => (i % 2 === 0 ? store.reserveMany([c]) : other.reserve(c).then((x) => [x]))));
        const held = (await store.activeReservations({ vmId: 'v-hot' })).reduce((sum, x) => sum + x.resources.cpuMillis, 0);
        assert.ok(held <= 1000, `the VM holds ${held} > its cap 1000`);
        assert.ok(1000 - held < 30, 'the VM was filled up to less than one request below its cap');
        assert.equal(results.flat().filter((x) => x.ok).length, (await other.activeReservations({ vmId: 'v-hot' })).length);
      }));

      it('reserveMany, releaseMany and hostLedgers give exactly the results and ledgers of one call per item', { timeout: 120_000 }, async () => {
        const item = fc.record({
          id: fc.integer({ min: 0, max: 11 }), host: fc.constantFrom('h1', 'h2', 'h-missing'), vm: fc.constantFrom('v1', 'v2', 'v3'),
          incident: fc.constantFrom('i1', 'i2'), cpu: fc.integer({ min: 0, max: 70 }), memory: fc.integer({ min: 0, max: 3 }), expiresAt: fc.integer({ min: 1, max: 9 }),
          capped: fc.boolean(),
        });
        const scenario = fc.record({
          budget: fc.integer({ min: 50, max: 300 }),
          requests: fc.array(item, { maxLength: 14 }),
          releases: fc.array(fc.integer({ min: 0, max: 13 }), { maxLength: 10 }),
        });
        await fc.assert(fc.asyncProperty(scenario, async ({ budget, requests: items, releases }) => {
          const requests = items.map((x) => request(`c${x.id}`, 0, {
            hostId: x.host, vmId: x.vm, incidentId: x.incident, resources: r(x.cpu, x.memory), leaseExpiresAt: x.expiresAt, ...(x.capped ? { vmCap: r(90, 3) } : {}),
          }));
          // Releases name reserved, never-reserved and repeated commandIds.
          const releaseIds = releases.map((i) => `c${i}`);
          const batched = await make();
          const single = await make();
          try {
            for (const harness of [batched, single]) {
              await harness.store.init();
              await harness.store.setHostCapacity('h1', r(100, 4));
              await harness.store.setHostCapacity('h2', r(60, 2));
              await harness.store.setBudget(r(budget, 100));
            }
            const many = await batched.store.reserveMany(requests);
            const oneByOne: unknown[] = [];
            for (const q of requests) oneByOne.push(await single.store.reserve(q));
            assert.deepEqual(many, oneByOne);
            const released = await batched.store.releaseMany(releaseIds);
            const releasedOneByOne: boolean[] = [];
            for (const id of releaseIds) releasedOneByOne.push(await single.store.release(id));
            assert.deepEqual(released, releasedOneByOne);
            const hosts = ['h2', 'h-missing', 'h1', 'h2'];
            const ledgers = await batched.store.hostLedgers(hosts);
            assert.deepEqual(ledgers, await Promise.all(hosts.map((h) => single.store.hostLedger(h))));
            assert.deepEqual(await batched.store.budget(), await single.store.budget());
            assert.deepEqual(await batched.store.activeReservations(), await single.store.activeReservations());
            assert.deepEqual(await batched.store.activeReservations({ vmIds: ['v1', 'v3'] }), await single.store.activeReservations({ vmIds: ['v1', 'v3'] }));
          } finally {
            await Promise.all([batched.dispose(), single.dispose()]);
          }
        }), { numRuns: Math.max(5, Math.round((options.propertyRuns ?? 50) / 2)) });
      });

      it('reserveMany refuses the whole batch when one request is invalid, and an empty batch does nothing', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100));
        await store.setBudget(r(100));
        await rejectsInvalid(store.reserveMany([request('ok', 0, { resources: r(10) }), request('bad', 0, { resources: r(Number.NaN) })]));
        assert.deepEqual(await store.reserveMany([]), []);
        assert.deepEqual(await store.releaseMany([]), []);
        assert.deepEqual(await store.hostLedgers([]), []);
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(0), 'nothing of the refused batch was applied');
        assert.deepEqual(await store.reserveMany([request('ok', 0, { resources: r(10) })]), [{ ok: true }], 'its commandIds were not burnt');
        await rejectsInvalid(store.releaseMany(['ok', '']));
        await rejectsInvalid(store.hostLedgers(['h1', '']));
        assert.deepEqual((await store.activeReservations()).map((x) => x.commandId), ['ok'], 'a refused releaseMany released nothing');
      }));

      it('batches larger than one script call stay in order and complete', { timeout: 60_000 }, () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(1000));
        await store.setBudget(r(1000));
        const requests = Array.from({ length: 600 }, (_, i) => request(`big-${String(i).padStart(3, '0')}`, 0, { resources: r(2) }));
        const results = await store.reserveMany(requests);
        assert.equal(results.filter((x) => x.ok).length, 500, 'the first 500 fit, in order');
        assert.deepEqual(results[499], { ok: true });
        assert.deepEqual(results[500], { ok: false, reason: 'INSUFFICIENT_CAPACITY' });
        assert.equal((await store.activeReservations({ hostId: 'h1' })).length, 500);
        const released = await store.releaseMany(requests.map((q) => q.commandId));
        assert.equal(released.filter(Boolean).length, 500);
        assert.deepEqual((await store.hostLedger('h1'))?.reserved, r(0));
      }));

      it('two allocators racing with batches (reserveMany, releaseMany) never over-commit and agree on every outcome', { timeout: 60_000 }, () => withStore(make, async (store, harness) => {
        const other = await harness.peer();
        await store.setHostCapacity('h1', r(3000, 3000, 3000));
        await store.setHostCapacity('h2', r(2000, 2000, 2000));
        await store.setBudget(r(4000, 1e9, 1e9));
        const commands = Array.from({ length: 240 }, (_, i) => request(`batch-${i}`, 0, { hostId: i % 3 === 0 ? 'h2' : 'h1', resources: r(40 + (i % 11), 5, 1) }));
        // Both allocators send every command, in overlapping batches of different sizes, at once.
        const chunks = (size: number) => Array.from({ length: Math.ceil(commands.length / size) }, (_, k) => commands.slice(k * size, (k + 1) * size));
        const [mine, theirs] = await Promise.all([
          Promise.all(chunks(16).map((chunk) => store.reserveMany(chunk))).then((x) => x.flat()),
          Promise.all(chunks(25).map((chunk) => other.reserveMany(chunk))).then((x) => x.flat()),
        ]);
        assert.deepEqual(mine, theirs, 'one outcome per commandId, whichever allocator decided it');
        const granted = commands.filter((_, i) => mine[i].ok);
        for (const [hostId, capacity] of [['h1', 3000], ['h2', 2000]] as const) {
          const ledger = (await store.hostLedger(hostId))!;
          const cpu = granted.filter((c) => c.hostId === hostId).reduce((sum, c) => sum + c.resources.cpuMillis, 0);
          assert.ok(ledger.reserved.cpuMillis <= capacity, `${hostId}: reserved ${ledger.reserved.cpuMillis} > capacity ${capacity}`);
          assert.equal(ledger.reserved.cpuMillis, cpu, `${hostId}: the ledger holds exactly the granted commands`);
        }
        assert.ok((await store.budget()).reserved.cpuMillis <= 4000, 'the budget is never exceeded');
        // Releasing from both at once frees each reservation exactly once.
        const ids = granted.map((c) => c.commandId);
        const [a, b] = await Promise.all([store.releaseMany(ids), other.releaseMany([...ids].reverse())]);
        const bFor = new Map([...ids].reverse().map((id, i) => [id, b[i]]));
        assert.ok(ids.every((id, i) => a[i] !== bFor.get(id)), 'each reservation released by exactly one of the two calls');
        assert.deepEqual((await store.budget()).reserved, r(0, 0, 0));
      }));

      it('random interleavings of reserve, adjust, release and expiry never over-commit a host or the budget', { timeout: 120_000 }, async () => {
        await fc.assert(fc.asyncProperty(ledgerProperty.scenario, (scenario) => withStore(make, (store) => ledgerProperty.check(store, scenario))), {
          numRuns: options.propertyRuns ?? 50,
        });
      });
    });

    describe('idempotency keys', () => {
      it('claims a key once until released or expired', { timeout: 10_000 }, () => withStore(make, async (store, harness) => {
        const other = await harness.peer();
        assert.equal(await store.idempotency.has('msg-1'), false);
        assert.equal(await store.idempotency.claim('msg-1', 60_000), true);
        assert.equal(await other.idempotency.has('msg-1'), true);
        assert.equal(await other.idempotency.claim('msg-1', 60_000), false);
        await store.idempotency.release('msg-1');
        assert.equal(await other.idempotency.has('msg-1'), false);
        assert.equal(await other.idempotency.claim('msg-1', 60_000), true);
        assert.equal(await store.idempotency.claim('msg-2', 100), true);
        await eventually('the claim to expire', async () => ((await other.idempotency.has('msg-2')) ? undefined : true));
        assert.equal(await other.idempotency.claim('msg-2', 60_000), true);
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).idempotency.claim('contended', 60_000)));
        assert.equal(claims.filter(Boolean).length, 1);
      }));
    });

    describe('quotas', () => {
      it('takes at most the limit of a counted window, atomically, and only what is asked', () => withStore(make, async (store, harness) => {
        assert.equal(await store.takeQuota('w1', 3, 5, 60_000), 3);
        assert.equal(await store.takeQuota('w1', 3, 5, 60_000), 2, 'only what is left');
        assert.equal(await store.takeQuota('w1', 1, 5, 60_000), 0);
        assert.equal(await store.takeQuota('w2', 0, 5, 60_000), 0);
        const taken = await Promise.all(Array.from({ length: 20 }, () => store.takeQuota('w3', 2, 7, 60_000)));
        assert.equal(taken.reduce((a, b) => a + b, 0), 7, 'concurrent takers never exceed the limit');
        await assert.rejects(store.takeQuota('w4', -1, 5, 60_000), (e: Error & { code?: string }) => e.code === 'INVALID_INPUT');
        assert.deepEqual(await (await harness.peer()).quotasUsed(['w1', 'w2', 'w3', 'never']), [5, 0, 7, 0], 'what each window has taken, seen by every client');
        assert.deepEqual(await store.quotasUsed([]), []);
      }));

      it('forgets a window once its time to live has passed', () => withStore(make, async (store) => {
        assert.equal(await store.takeQuota('short', 2, 5, 100), 2);
        assert.deepEqual(await store.quotasUsed(['short']), [2]);
        await eventually('the window to expire', async () => ((await store.quotasUsed(['short']))[0] === 0 ? true : undefined));
        assert.equal(await store.takeQuota('short', 5, 5, 100), 5, 'a fresh window');
      }));
    });

    describe('documents', () => {
      it('keeps documents by kind and id, replaces on put, lists by id and deletes once', () => withStore(make, async (store, harness) => {
        const other = await harness.peer();
        assert.equal(await store.documents.get('incident', 'inc-1'), undefined);
        await store.documents.put('incident', 'inc-2', '{"v":1}');
        await store.documents.put('incident', 'inc-1', '{"v":1}');
        await store.documents.put('incident', 'inc-1', '{"v":2}');
        await store.documents.put('learner', 'state', '[1,2,3]');
        assert.equal(await other.documents.get('incident', 'inc-1'), '{"v":2}');
        assert.deepEqual(await other.documents.list('incident'), [{ id: 'inc-1', json: '{"v":2}' }, { id: 'inc-2', json: '{"v":1}' }]);
        assert.deepEqual(await other.documents.list('nothing'), []);
        assert.deepEqual(await other.documents.getMany('incident', ['inc-2', 'none', 'inc-1']), ['{"v":1}', undefined, '{"v":2}']);
        assert.deepEqual(await other.documents.getMany('incident', []), []);
        assert.equal(await store.documents.delete('incident', 'inc-2'), true);
        assert.equal(await other.documents.delete('incident', 'inc-2'), false);
        assert.deepEqual((await store.documents.list('incident')).map((d) => d.id), ['inc-1']);
        assert.equal(await store.documents.get('learner', 'state'), '[1,2,3]');
        await store.documents.putMany('incident', [{ id: 'inc-1', json: '{"v":3}' }, { id: 'inc-3', json: '{"v":1}' }, { id: 'inc-3', json: '{"v":2}' }]);
        assert.deepEqual(await other.documents.list('incident'), [{ id: 'inc-1', json: '{"v":3}' }, { id: 'inc-3', json: '{"v":2}' }], 'all written; a later id wins');
        await store.documents.putMany('incident', []);
        await assert.rejects(
          store.documents.putMany('incident', [{ id: 'inc-4', json: '{"v":1}' }, { id: 'inc-5', json: '{broken' }]),
          (e: unknown) => isStoreError(e) && e.code === 'INVALID_INPUT',
        );
        assert.equal(await other.documents.get('incident', 'inc-4'), undefined, 'a batch with an invalid document writes none');
      }));

      it('putValues writes values as the JSON it serialises, atomically, and refuses a value JSON cannot hold', () => withStore(make, async (store, harness) => {
        const other = await harness.peer();
        const putValues = store.documents.putValues?.bind(store.documents);
        assert.ok(putValues !== undefined, 'both adapters serialise documents themselves');
        const value = { v: 1, text: 'é \u2028 "quoted"', lone: '\ud800', list: [1.5, null, { deep: true }] };
        await putValues('incident', [{ id: 'inc-1', value }, { id: 'inc-2', value: [1, 2] }, { id: 'inc-2', value: 'last wins' }]);
        assert.equal(await other.documents.get('incident', 'inc-1'), JSON.stringify(value));
        assert.deepEqual(JSON.parse((await other.documents.get('incident', 'inc-1')) ?? 'null'), value);
        assert.equal(await other.documents.get('incident', 'inc-2'), '"last wins"');
        await putValues('incident', []);
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        for (const bad of [undefined, () => 1, 10n, cycle]) {
          await assert.rejects(putValues('incident', [{ id: 'inc-3', value: { ok: true } }, { id: 'inc-4', value: bad }]), (e: unknown) => isStoreError(e) && e.code === 'INVALID_INPUT');
        }
        assert.equal(await other.documents.get('incident', 'inc-3'), undefined, 'a batch with a value JSON cannot hold writes none');
        await assert.rejects(putValues('incident', [{ id: '', value: 1 }]), (e: unknown) => isStoreError(e) && e.code === 'INVALID_INPUT');
      }));

      it('refuses documents that are not JSON, and hostile ids stay data', () => withStore(make, async (store) => {
        await assert.rejects(store.documents.put('incident', 'x', '{not json'), (e: unknown) => isStoreError(e) && e.code === 'INVALID_INPUT');
        await assert.rejects(store.documents.put('', 'x', '{}'), (e: unknown) => isStoreError(e) && e.code === 'INVALID_INPUT');
        for (const id of HOSTILE_IDS) await store.documents.put('incident', id, JSON.stringify({ id }));
        for (const id of HOSTILE_IDS) assert.equal(await store.documents.get('incident', id), JSON.stringify({ id }));
      }));
    });

    describe('input validation', () => {
      it('rejects invalid ledger input with INVALID_INPUT and changes nothing', () => withStore(make, async (store) => {
        await store.setHostCapacity('h1', r(100));
        await store.setBudget(r(100));
        await rejectsInvalid(store.reserve(request('c', 0, { resources: r(-1) })));
        await rejectsInvalid(store.reserve(request('c', 0, { resources: r(Number.POSITIVE_INFINITY) })));
        await rejectsInvalid(store.reserve(request('', 1)));
        await rejectsInvalid(store.reserve(request('c', 1, { leaseExpiresAt: Number.NaN })));
        await rejectsInvalid(store.setHostCapacity('h1', r(Number.NaN)));
        await rejectsInvalid(store.adjust('c', r(-5)));
        await rejectsInvalid(store.expireLeases(-1));
        await rejectsInvalid(store.idempotency.claim('k', 0));
        assert.deepEqual(await store.hostLedger('h1'), { capacity: r(100), reserved: r(0), free: r(100) });
        assert.deepEqual(await store.reserve(request('c', 0, { resources: r(1) })), { ok: true }, 'a rejected input did not burn the commandId');
      }));
    });
  });
}
