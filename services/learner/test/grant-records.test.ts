import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AllocationCommand } from '@foresight/contracts';
import { InMemoryStateStore } from '@foresight/stores';
import { GrantRecords } from '../src/grant-records.js';
import { LEARNER_DOCUMENTS } from '../src/learner-documents.js';

const command = fc.record({
  incident: fc.integer({ min: 0, max: 2 }),
  vm: fc.integer({ min: 0, max: 3 }),
  action: fc.constantFrom('GRANT', 'GRANT', 'ADJUST', 'RELEASE'),
  mode: fc.constantFrom('ENFORCE', 'ENFORCE', 'SHADOW'),
  at: fc.integer({ min: 0, max: 5 }),
}).map(({ incident, vm, action, mode, at }): AllocationCommand => ({
  eventId: `e-${incident}-${vm}-${action}-${mode}-${at}`, eventTime: 1_000 * at, commandId: `inc${incident}/vm${vm}/${at}/${action}-${mode}`,
  incidentId: `inc${incident}`, vmId: `vm${vm}`, hostId: 'h1', action, resources: { cpuMillis: 100, memoryMiB: 0, networkMbps: 0 },
  leaseExpiresAt: 600_000, mode, reason: { probability: 0.5, etaMs: 0, path: [] },
}));

describe('learner grant records', () => {
  it('records a run of commands as one by one does: the first ENFORCE GRANT of each (incident, VM)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 }), async (commands, cuts) => {
      const oneStore = new InMemoryStateStore();
      const runStore = new InMemoryStateStore();
      const one = new GrantRecords(oneStore);
      const run = new GrantRecords(runStore);
      for (const c of commands) await one.recordCommand(c);
      for (let i = 0, k = 0; i < commands.length; k++) {
        const n = cuts[k % cuts.length];
        await run.recordCommands(commands.slice(i, i + n));
        i += n;
      }
      const docs = await oneStore.documents.list(LEARNER_DOCUMENTS.grant);
      assert.deepEqual(await runStore.documents.list(LEARNER_DOCUMENTS.grant), docs);
      const pairs = new Set(commands.filter((c) => c.action === 'GRANT' && c.mode === 'ENFORCE').map((c) => `${c.incidentId}/${c.vmId}`));
      assert.equal(docs.length, pairs.size, 'one record per (incident, VM) with an ENFORCE GRANT');
    }), { numRuns: 200 });
  });
});
