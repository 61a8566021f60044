import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RESOURCE_KEYS, addResources, ZERO_RESOURCES, type Resources } from '@foresight/core';
import { RES, allocatorWorld, host, risk, vm } from './allocator-world.js';

const HOSTS = ['h1', 'h2', 'h3'];
const VMS = Array.from({ length: 12 }, (_, i) => `vm${i}`);
const TYPES = ['cpu_saturation', 'memory_pressure', 'network_congestion', 'latency', 'mystery'];
const VM_CAP = RES(1500, 2048, 300);

const assessment = fc.record({
  incident: fc.integer({ min: 0, max: 3 }),
  type: fc.constantFrom(...TYPES),
  severity: fc.double({ min: 0, max: 1, noNaN: true }),
  closes: fc.boolean(),
  entries: fc.uniqueArray(fc.record({ vm: fc.integer({ min: 0, max: VMS.length - 1 }), p: fc.double({ min: 0, max: 1, noNaN: true }) }), { selector: (e) => e.vm, maxLength: 8 }),
});

function fits(used: Resources, limit: Resources): boolean {
  return RESOURCE_KEYS.every((k) => used[k] <= limit[k] + 1e-9);
}

describe('allocator ledger', () => {
  it('never over-commits a host, the budget or a VM cap over many random assessments', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 4000 }), mem: fc.integer({ min: 0, max: 4096 }), net: fc.integer({ min: 0, max: 500 }) }), { minLength: 3, maxLength: 3 }),
      fc.array(assessment, { minLength: 1, maxLength: 25 }),
      async (capacities, assessments) => {
        const budget = RES(5000, 6000, 800);
        const w = await allocatorWorld({ budget, vmCap: VM_CAP, maxGrantsPerMinute: 1000 });
        await w.send('hosts', HOSTS.map((h, i) => host(h, RES(capacities[i].cpu, capacities[i].mem, capacities[i].net))));
        await w.send('inventory', VMS.map((v, i) => vm(v, HOSTS[i % HOSTS.length])));
        const versions = new Map<number, number>();
        let at = 1_000_000;
        for (const a of assessments) {
          const version = (versions.get(a.incident) ?? 0) + 1;
          versions.set(a.incident, version);
          at += 20_000;
          const atRisk = a.entries.map((e) => [VMS[e.vm], HOSTS[e.vm % HOSTS.length], e.p] as const);
          await w.send('risk', [risk(`inc${a.incident}`, atRisk, { version, at, anomalyType: a.type, severity: a.severity, status: a.closes ? 'CLOSED' : 'OPEN' })]);
          if (version % 3 === 0) await w.allocator.tick(at);
          const active = await w.store.activeReservations();
          for (const [i, h] of HOSTS.entries()) {
            const held = active.filter((r) => r.hostId === h).reduce((s, r) => addResources(s, r.resources), ZERO_RESOURCES);
            assert.ok(fits(held, RES(capacities[i].cpu, capacities[i].mem, capacities[i].net)), `host ${h} over-committed`);
          }
          assert.ok(fits(active.reduce((s, r) => addResources(s, r.resources), ZERO_RESOURCES), budget), 'budget over-committed');
          for (const v of VMS) {
            const held = active.filter((r) => r.vmId === v).reduce((s, r) => addResources(s, r.resources), ZERO_RESOURCES);
            assert.ok(fits(held, VM_CAP), `vm ${v} over its cap`);
          }
          const pairs = active.map((r) => `${r.incidentId}/${r.vmId}`);
          assert.equal(new Set(pairs).size, pairs.length, 'one lease per (incident, VM)');
        }
        const granted = new Set(w.commands.filter((c) => c.action === 'GRANT' && c.mode === 'ENFORCE').map((c) => c.commandId));
        for (const r of await w.store.activeReservations()) assert.ok(granted.has(r.commandId), `reservation ${r.commandId} was never published`);
        await w.close();
      },
    ), { numRuns: 40 });
  });
});
