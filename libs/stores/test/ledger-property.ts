import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RESOURCE_KEYS, type Resources } from '@foresight/core';
import { InMemoryStateStore } from '../src/state/in-memory-state-store.js';
import type { StateStore } from '../src/state/state-store.js';

type Op =
  | { readonly op: 'reserve'; readonly cmd: number; readonly host: number; readonly resources: Resources; readonly lease: number }
  | { readonly op: 'adjust'; readonly cmd: number; readonly resources: Resources; readonly lease: number | undefined }
  | { readonly op: 'release'; readonly cmd: number }
  | { readonly op: 'expire'; readonly now: number };

interface Scenario {
  readonly hostCapacities: readonly Resources[];
  readonly budget: Resources;
  readonly ops: readonly Op[];
}

// Quarters are exact in binary, so the ledger's running sums equal the sums recomputed from reservations.
const amount = fc.integer({ min: 0, max: 24 }).map((q) => q / 4);
const resources = fc.record({ cpuMillis: amount, memoryMiB: amount, networkMbps: amount });
const whole = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
const capacity = fc.record({ cpuMillis: whole(0, 30), memoryMiB: whole(5, 30), networkMbps: whole(5, 30) });
const budget = fc.record({ cpuMillis: whole(0, 60), memoryMiB: whole(10, 60), networkMbps: whole(10, 60) });
const cmd = fc.integer({ min: 0, max: 5 });
const host = fc.oneof({ weight: 8, arbitrary: whole(0, 2) }, { weight: 1, arbitrary: fc.constant(3) });

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('reserve' as const), cmd, host, resources, lease: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('adjust' as const), cmd, resources, lease: fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), cmd }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const), now: fc.integer({ min: 0, max: 50 }) }) },
);

const hostId = (i: number): string => `host-${i}`; // host-3 never gets a capacity: UNKNOWN_HOST
const commandId = (i: number): string => `cmd-${i}`;

async function checkInvariants(store: StateStore, scenario: Scenario): Promise<void> {
  const active = await store.activeReservations();
  const budget = await store.budget();
  for (const k of RESOURCE_KEYS) {
    assert.ok(budget.reserved[k] <= scenario.budget[k], `budget over-committed on ${k}: ${budget.reserved[k]} > ${scenario.budget[k]}`);
    assert.equal(budget.reserved[k], active.reduce((sum, x) => sum + x.resources[k], 0), `budget ledger drifted on ${k}`);
  }
  for (let h = 0; h < scenario.hostCapacities.length; h++) {
    const ledger = (await store.hostLedger(hostId(h)))!;
    for (const k of RESOURCE_KEYS) {
      assert.ok(ledger.reserved[k] <= scenario.hostCapacities[h][k], `host-${h} over-committed on ${k}: ${ledger.reserved[k]}`);
      assert.equal(ledger.reserved[k], active.filter((x) => x.hostId === hostId(h)).reduce((sum, x) => sum + x.resources[k], 0), `host-${h} ledger drifted on ${k}`);
    }
  }
}

/** The ledger property: every step agrees with the in-memory reference, and no host or the budget is ever over-committed. */
export const ledgerProperty = {
  scenario: fc.record({
    hostCapacities: fc.array(capacity, { minLength: 3, maxLength: 3 }),
    budget,
    ops: fc.array(op, { minLength: 1, maxLength: 40 }),
  }),

  async check(store: StateStore, scenario: Scenario): Promise<void> {
    const reference = new InMemoryStateStore();
    for (const target of [store, reference]) {
      for (let h = 0; h < scenario.hostCapacities.length; h++) await target.setHostCapacity(hostId(h), scenario.hostCapacities[h]);
      await target.setBudget(scenario.budget);
    }
    for (const step of scenario.ops) {
      const apply = async (target: StateStore): Promise<unknown> => {
        switch (step.op) {
          case 'reserve':
            return target.reserve({ commandId: commandId(step.cmd), hostId: hostId(step.host), vmId: `vm-${step.cmd % 4}`, incidentId: `inc-${step.cmd % 3}`, resources: step.resources, leaseExpiresAt: step.lease });
          case 'adjust':
            return target.adjust(commandId(step.cmd), step.resources, step.lease);
          case 'release':
            return target.release(commandId(step.cmd));
          case 'expire':
            return target.expireLeases(step.now);
        }
      };
      assert.deepEqual(await apply(store), await apply(reference), `step ${JSON.stringify(step)}`);
      await checkInvariants(store, scenario);
    }
    assert.deepEqual(await store.activeReservations(), await reference.activeReservations());
  },
};
