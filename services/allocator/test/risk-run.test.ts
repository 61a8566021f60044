import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RiskAssessment } from '@foresight/contracts';
import type { MessageContext } from '@foresight/messaging';
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

async function world(): Promise<AllocatorWorld> {
  const w = await allocatorWorld({ budget: RES(6000, 9000, 1200), vmCap: RES(1500, 2048, 300), maxGrantsPerMinute: 9, shadowSystems: ['shadowed'] });
  await w.send('hosts', HOSTS.map((h, i) => host(h, RES(2500 + 1000 * i, 4096, 400))));
  await w.send('inventory', VMS.map((v, i) => vm(v, HOSTS[i % HOSTS.length])));
  return w;
}

/** Hands `risks` to the risk consumer's handleRun, as the Kafka runtime does with a partition's backlog. */
async function handleRun(w: AllocatorWorld, risks: readonly RiskAssessment[]): Promise<void> {
  const consumer = w.allocator.consumers.find((c) => c.topic === 'risk');
  assert.ok(consumer?.handleRun !== undefined && consumer.runScope === 'partition', 'the risk consumer takes runs of a partition');
  const contexts = risks.map((r, i): MessageContext => ({
    topic: 'risk', fullTopic: 'risk', groupId: 'allocator', key: r.incidentId, headers: {}, partition: 0, offset: String(i), timestamp: 0,
    eventId: r.eventId, attempt: 1, traceContext: undefined as unknown as MessageContext['traceContext'], publish: w.bus.publish.bind(w.bus),
  }));
  await consumer.handleRun(risks, contexts);
  await w.bus.drain();
}

async function stateOf(w: AllocatorWorld): Promise<unknown> {
  const documents = await w.store.documents.list('allocator-incident');
  return {
    // Commands are keyed by VM: their order counts per VM (one publish of many VMs may be consumed in any order across them).
    commands: VMS.map((vmId) => w.commands.filter((c) => c.vmId === vmId)),
    reservations: await w.store.activeReservations(),
    budget: await w.store.budget(),
    hosts: await w.store.hostLedgers(HOSTS),
    records: [...documents].sort((a, b) => (a.id < b.id ? -1 : 1)).map((d) => JSON.parse(d.json) as unknown),
  };
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

  it('orders a batch: incidents that begin with a closing first, then one assessment per incident per round', () => {
    const a1 = risk('a', [], { version: 1 });
    const b1 = risk('b', [], { version: 1, status: 'CLOSED' });
    const a2 = risk('a', [], { version: 2 });
    const c1 = risk('c', [], { version: 1 });
    const a3 = risk('a', [], { version: 3, status: 'CLOSED' });
    assert.deepEqual(riskRounds([a1, b1, a2, c1, a3]), [[b1, a1, c1], [a2], [a3]]);
  });
});
