import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RiskAssessment } from '@foresight/contracts';
import { RESOURCE_KEYS, ZERO_RESOURCES, addResources, type Resources as CoreResources } from '@foresight/core';
import type { MessageContext, Publish } from '@foresight/messaging';
import { InMemoryStateStore, StoreError, type DocumentStore, type ReleaseRequest, type ReserveRequest } from '@foresight/stores';
import { riskRounds } from '../src/risk-rounds.js';
import { RES, allocatorWorld, host, risk, vm, type AllocatorWorld } from './allocator-world.js';

// A batch of risk assessments handled at once (handleRun: one ledger read, planning in memory against a LedgerView,
// one reserve, one publish) must do exactly what handling them one by one, in the batch's documented order, does:
// the same commands, ledger, budget and records, under contention for hosts, the budget, VM caps and the rate limit,
// with SHADOW systems, re-versions and closings in the mix.
const HOSTS = ['h1', 'h2', 'h3'];
const VMS = Array.from({ length: 10 }, (_, i) => `vm${i}`);
const TYPES = ['cpu_saturation', 'memory_pressure', 'network_congestion'];

const step = fc.record({
  incident: fc.integer({ min: 0, max: 5 }),
  type: fc.constantFrom(...TYPES),
  closes: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  repeat: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  severity: fc.constantFrom(0.4, 1),
  entries: fc.uniqueArray(fc.record({ vm: fc.integer({ min: 0, max: VMS.length - 1 }), p: fc.constantFrom(0.1, 0.35, 0.6, 0.95) }), { selector: (e) => e.vm, minLength: 1, maxLength: 6 }),
});

const BUDGET = RES(6000, 9000, 1200);
const VM_CAP = RES(1500, 2048, 300);
const HOST_CAPACITY = (i: number) => RES(2500 + 1000 * i, 4096, 400);

async function world(store = new InMemoryStateStore()): Promise<AllocatorWorld> {
  const w = await allocatorWorld({ budget: BUDGET, vmCap: VM_CAP, maxGrantsPerMinute: 9, shadowSystems: ['shadowed'] }, store);
  await w.send('hosts', HOSTS.map((h, i) => host(h, HOST_CAPACITY(i))));
  await w.send('inventory', VMS.map((v, i) => vm(v, HOSTS[i % HOSTS.length])));
  return w;
}

/** Hands `risks` to the risk consumer's handleRun, as the Kafka runtime does with a partition's backlog. */
async function handleRun(w: AllocatorWorld, risks: readonly RiskAssessment[], publish: Publish = w.bus.publish.bind(w.bus)): Promise<void> {
  const consumer = w.allocator.consumers.find((c) => c.topic === 'risk');
  assert.ok(consumer?.handleRun !== undefined && consumer.runScope === 'partition', 'the risk consumer takes runs of a partition');
  const contexts = risks.map((r, i): MessageContext => ({
    topic: 'risk', fullTopic: 'risk', groupId: 'allocator', key: r.incidentId, headers: {}, partition: 0, offset: String(i), timestamp: 0,
    eventId: r.eventId, attempt: 1, traceContext: undefined as unknown as MessageContext['traceContext'], publish,
  }));
  await consumer.handleRun(risks, contexts);
  await w.bus.drain();
}

async function stateOf(w: AllocatorWorld): Promise<unknown> {
  const documents = await w.store.documents.list('allocator-incident');
  return {
    // Their order counts per lease, i.e. per (incident, VM): a batch carries a round out freeing first (core
    // actuationOrder), so across leases, and in the ledger's numbers, it may differ from one by one; the epoch is each
    // world's own.
    commands: VMS.flatMap((vmId) => [...new Set(w.commands.map((c) => c.incidentId))].sort().map((incidentId) => w.commands
      .filter((c) => c.vmId === vmId && c.incidentId === incidentId)
      .map(({ hostSequence: _sequence, ledgerEpoch: _epoch, ...c }) => c))),
    reservations: await w.store.activeReservations(),
    budget: await w.store.budget(),
    hosts: await w.store.hostLedgers(HOSTS),
    records: [...documents].sort((a, b) => (a.id < b.id ? -1 : 1)).map((d) => JSON.parse(d.json) as unknown),
  };
}

/** An in-memory store that fails one chosen call (a crash between two steps of a batch), once armed. */
class CrashingStore extends InMemoryStateStore {
  /** Calls left before the failure (undefined: disarmed). */
  countdown: number | undefined;

  constructor() {
    super();
    const inner = this.documents;
    const documents: DocumentStore = {
      ...inner,
      putMany: (kind, docs) => this.step(() => inner.putMany(kind, docs)),
      putValues: (kind, docs) => this.step(() => (inner.putValues as NonNullable<DocumentStore['putValues']>)(kind, docs)),
    };
    Object.defineProperty(this, 'documents', { value: documents });
  }

  override reserveMany(requests: readonly ReserveRequest[]) {
    return this.step(() => super.reserveMany(requests));
  }

  override releaseMany(commandIds: readonly string[]) {
    return this.step(() => super.releaseMany(commandIds));
  }

  override reserveManySequenced(requests: readonly ReserveRequest[]) {
    return this.step(() => super.reserveManySequenced(requests));
  }

  override releaseManySequenced(requests: readonly ReleaseRequest[]) {
    return this.step(() => super.releaseManySequenced(requests));
  }

  override releaseAndReserve(releases: readonly ReleaseRequest[], reserves: readonly ReserveRequest[]) {
    return this.step(() => super.releaseAndReserve(releases, reserves));
  }

  private step<T>(work: () => Promise<T>): Promise<T> {
    if (this.countdown !== undefined && this.countdown-- <= 0) {
      this.countdown = undefined;
      return Promise.reject(new StoreError('STORE_UNAVAILABLE', 'crash (test)'));
    }
    return work();
  }
}

const sum = (values: readonly CoreResources[]): CoreResources => values.reduce((a, b) => addResources(a, b), ZERO_RESOURCES);
const within = (used: CoreResources, limit: CoreResources): boolean => RESOURCE_KEYS.every((k) => used[k] <= limit[k] + 1e-9);

/** No host, the budget or a VM cap is over-committed by the ledger's active reservations. */
async function assertWithinLimits(store: InMemoryStateStore, vmCap: CoreResources = VM_CAP): Promise<void> {
  const active = await store.activeReservations();
  HOSTS.forEach((h, i) => assert.ok(within(sum(active.filter((r) => r.hostId === h).map((r) => r.resources)), HOST_CAPACITY(i)), `host ${h} over-committed`));
  assert.ok(within(sum(active.map((r) => r.resources)), BUDGET), 'budget over-committed');
  for (const v of VMS) assert.ok(within(sum(active.filter((r) => r.vmId === v).map((r) => r.resources)), vmCap), `${v} over its cap`);
}

describe('allocator risk runs', () => {
  it('a batch does what one by one, in its rounds, does', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(step, { minLength: 5, maxLength: 30 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 }),
      async (steps, cuts) => {
        const versions = new Map<number, number>();
        let at = 1_000_000;
        const risks: RiskAssessment[] = [];
        for (const s of steps) {
          const version = (versions.get(s.incident) ?? 0) + 1;
          versions.set(s.incident, version);
          at += 7_000;
          const atRisk = s.entries.map((e) => [VMS[e.vm], HOSTS[e.vm % HOSTS.length], e.p] as const);
          const r = risk(`inc${s.incident}`, atRisk, {
            version, at, anomalyType: s.type, severity: s.severity, status: s.closes ? 'CLOSED' : 'OPEN', systemId: s.incident % 3 === 2 ? 'shadowed' : 'sys',
          });
          risks.push(r);
          if (s.repeat) risks.push(r); // a redelivery within the batch: handled once
        }
        const batches: RiskAssessment[][] = [];
        for (let i = 0, k = 0; i < risks.length; k++) {
          const n = cuts[k % cuts.length];
          batches.push(risks.slice(i, i + n));
          i += n;
        }
        const one = await world();
        const run = await world();
        try {
          for (const batch of batches) {
            for (const r of riskRounds(batch).flat()) await one.send('risk', [r]);
            await handleRun(run, batch);
          }
          assert.deepEqual(await stateOf(run), await stateOf(one));
        } finally {
          await one.close();
          await run.close();
        }
      },
    ), { numRuns: 60 });
  });

  it('survives a crash at any step of a batch, redelivered cut differently: nothing over-committed, every reservation published, nothing left half done', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(step, { minLength: 5, maxLength: 30 }),
      fc.array(fc.integer({ min: 2, max: 12 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.record({ at: fc.integer({ min: 0, max: 4 }), publishFails: fc.boolean(), recut: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 6 }),
      async (steps, cuts, crashes) => {
        const versions = new Map<number, number>();
        let at = 1_000_000;
        const risks: RiskAssessment[] = steps.map((s) => {
          const version = (versions.get(s.incident) ?? 0) + 1;
          versions.set(s.incident, version);
          at += 7_000;
          const atRisk = s.entries.map((e) => [VMS[e.vm], HOSTS[e.vm % HOSTS.length], e.p] as const);
          return risk(`inc${s.incident}`, atRisk, {
            version, at, anomalyType: s.type, severity: s.severity, status: s.closes ? 'CLOSED' : 'OPEN', systemId: s.incident % 3 === 2 ? 'shadowed' : 'sys',
          });
        });
        const store = new CrashingStore();
        const w = await world(store);
        try {
          for (let i = 0, k = 0; i < risks.length; k++) {
            const batch = risks.slice(i, i + cuts[k % cuts.length]);
            i += batch.length;
            const crash = crashes[k % crashes.length];
            // The first delivery crashes at a step (a store call, or the publish); the redelivery comes in other cuts.
            let publishFails = crash.publishFails;
            store.countdown = crash.publishFails ? undefined : crash.at;
            const failingPublish: Publish = (topic, messages, options) => {
              if (publishFails) {
                publishFails = false;
                return Promise.reject(new Error('broker down (test)'));
              }
              return w.bus.publish(topic, messages, options);
            };
            await handleRun(w, batch, failingPublish).catch(() => undefined);
            store.countdown = undefined;
            await assertWithinLimits(store);
            for (let j = 0; j < batch.length; j += crash.recut) {
              await handleRun(w, batch.slice(j, j + crash.recut));
              await assertWithinLimits(store);
            }
          }
          const active = await store.activeReservations();
          const granted = new Set(w.commands.filter((c) => c.action === 'GRANT' && c.mode === 'ENFORCE').map((c) => c.commandId));
          for (const r of active) assert.ok(granted.has(r.commandId), `reservation ${r.commandId} never published`);
          const records = (await store.documents.list('allocator-incident')).map((d) => JSON.parse(d.json) as { incidentId: string; lastVersion: number; pending?: unknown });
          assert.ok(records.every((r) => r.pending === undefined), 'no pass left half done');
          for (const r of records) assert.equal(r.lastVersion, versions.get(Number(r.incidentId.slice(3))), `${r.incidentId} handled up to its newest version`);
        } finally {
          await w.close();
        }
      },
    ), { numRuns: 80 });
  });

  it('replays a crashed round whole and in order: a grant that relied on another incident\'s release waits for it', async () => {
    const store = new CrashingStore();
    const w = await world(store);
    try {
      // B holds 1000 of vm1's 1500 cpu cap; then A (OPEN, wants 1000 on vm1) and B's CLOSED arrive in one batch. B's
      // release is planned first, so A gets its 1000. The batch crashes after the write-ahead, at B's release.
      await handleRun(w, [risk('incB', [['vm1', 'h2', 0.95]], { version: 1, at: 1_000_000 })]);
      const a = risk('incA', [['vm1', 'h2', 0.95]], { version: 1, at: 1_010_000 });
      const bClosed = risk('incB', [], { version: 2, at: 1_020_000, status: 'CLOSED' });
      store.countdown = 1;
      await assert.rejects(handleRun(w, [a, bClosed]));
      // Redelivered one at a time, A first: A's pass must not be carried out before B's release.
      await handleRun(w, [a]);
      await assertWithinLimits(store);
      await handleRun(w, [bClosed]);
      await assertWithinLimits(store);
      const active = await store.activeReservations();
      assert.deepEqual(active.map((r) => [r.incidentId, r.vmId, r.resources.cpuMillis]), [['incA', 'vm1', 1000]]);
      assert.deepEqual(w.commands.filter((c) => c.vmId === 'vm1').map((c) => `${c.incidentId} ${c.action} ${c.resources.cpuMillis}`), ['incB GRANT 1000', 'incB RELEASE 1000', 'incA GRANT 1000']);
    } finally {
      await w.close();
    }
  });

  it('orders a batch: incidents that begin with a closing first, then one assessment per incident per round', () => {
    const a1 = risk('a', [], { version: 1 });
    const b1 = risk('b', [], { version: 1, status: 'CLOSED' });
    const a2 = risk('a', [], { version: 2 });
    const c1 = risk('c', [], { version: 1 });
    const a3 = risk('a', [], { version: 3, status: 'CLOSED' });
    assert.deepEqual(riskRounds([a1, b1, a2, c1, a3]), [[b1, a1, c1], [a2], [a3]]);
  });
});
