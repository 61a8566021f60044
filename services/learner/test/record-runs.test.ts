import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AllocationCommand, AllocationOutcome, AnomalyEvent, RiskAssessment } from '@foresight/contracts';
import { InMemoryStateStore, type StateStore } from '@foresight/stores';
import { AnomalyOnsets } from '../src/anomaly-onsets.js';
import { GrantRecords } from '../src/grant-records.js';
import { IncidentPredictionBook } from '../src/incident-predictions.js';
import { LEARNER_DOCUMENTS } from '../src/learner-documents.js';

// Under a backlog the learner's consumers take runs (handleRun): each fold must leave the documents that handling the
// messages one by one leaves, however the runs are cut.
const cuts = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 });

async function oneByOneAndInRuns<T>(items: readonly T[], cutAt: readonly number[], apply: (store: StateStore, run: readonly T[]) => Promise<void>, kinds: readonly string[]): Promise<void> {
  const one = new InMemoryStateStore();
  const runs = new InMemoryStateStore();
  for (const item of items) await apply(one, [item]);
  for (let i = 0, k = 0; i < items.length; k++) {
    const n = cutAt[k % cutAt.length];
    await apply(runs, items.slice(i, i + n));
    i += n;
  }
  for (const kind of kinds) assert.deepEqual(await runs.documents.list(kind), await one.documents.list(kind), kind);
}

const command = fc.record({
  incident: fc.integer({ min: 0, max: 2 }),
  vm: fc.integer({ min: 0, max: 3 }),
  action: fc.constantFrom('GRANT', 'GRANT', 'ADJUST', 'RELEASE'),
  mode: fc.constantFrom('ENFORCE', 'ENFORCE', 'SHADOW'),
  at: fc.integer({ min: 0, max: 5 }),
}).map(({ incident, vm, action, mode, at }): AllocationCommand => ({
  eventId: `e-${incident}-${vm}-${action}-${mode}-${at}`, eventTime: 1_000 * at, commandId: `inc${incident}/vm${vm}/${at}/${action}-${mode}`,
  incidentId: `inc${incident}`, vmId: `vm${vm}`, hostId: 'h1', action, resources: { cpuMillis: 100, memoryMiB: 0, networkMbps: 0 },
  leaseExpiresAt: 600_000, mode, reason: { probability: 0.5, etaMs: 0, path: [], why: '' }, hostSequence: 0, ledgerEpoch: '',
}));

const outcome = fc.record({
  command: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom('APPLIED', 'DEFERRED', 'INFEASIBLE', 'FAILED'), at: fc.integer({ min: 0, max: 5 }),
}).map(({ command, status, at }): AllocationOutcome => ({
  eventId: `o-${command}-${status}-${at}`, eventTime: 1_000 * at, commandId: `cmd${command}`, vmId: `vm${command}`,
  status, appliedAt: status === 'APPLIED' ? 1_000 * at - 10 : null, detail: '',
}));

const anomaly = fc.record({
  system: fc.integer({ min: 0, max: 2 }), vm: fc.integer({ min: 0, max: 3 }), open: fc.boolean(), at: fc.integer({ min: 0, max: 40 }),
  level: fc.constantFrom('COMPONENT', 'COMPONENT', 'COMPONENT', 'SYSTEM'),
}).map(({ system, vm, open, at, level }): AnomalyEvent => ({
  eventId: `a-${system}-${vm}-${at}-${open}`, eventTime: 60_000 * at, systemId: `s${system}`, level, subjectId: `vm${vm}`, anomalyType: 'latency', severity: 0.5,
  state: open ? 'OPEN' : 'RESOLVED', detectedAt: 60_000 * at, attributes: {},
}));

const assessment = fc.record({
  incident: fc.integer({ min: 0, max: 2 }), version: fc.integer({ min: 1, max: 4 }), closed: fc.boolean(),
  entries: fc.array(fc.record({ vm: fc.integer({ min: 0, max: 4 }), p: fc.constantFrom(0.1, 0.4, 0.9) }), { maxLength: 4 }),
}).map(({ incident, version, closed, entries }): RiskAssessment => ({
  eventId: `r-${incident}-${version}`, eventTime: 1_000 * version, incidentId: `inc${incident}`, version, status: closed ? 'CLOSED' : 'OPEN', systemId: 's0',
  anomalyType: 'latency', severity: 1, estimator: 'mpp', sources: [{ vmId: 'src', onsetAt: 500 * version }], modelVersion: 1, generatedAt: 1_000 * version,
  atRisk: entries.map((e) => ({ vmId: `vm${e.vm}`, hostId: 'h1', probability: e.p, etaMs: 0, path: ['src', `vm${e.vm}`], contributions: [{ from: 'src', to: `vm${e.vm}`, kind: 'API_CALL', direction: 'forward', probability: e.p, delayMs: 1 }] })),
}));

describe('learner runs', () => {
  it('folds a run of anomalies into each system\'s onsets as one by one does', async () => {
    await fc.assert(fc.asyncProperty(fc.array(anomaly, { maxLength: 30 }), cuts, (events, cutAt) => oneByOneAndInRuns(
      events, cutAt, (store, run) => new AnomalyOnsets(store, 20 * 60_000).recordMany(run), [LEARNER_DOCUMENTS.onsets],
    )), { numRuns: 200 });
  });

  it('folds a run of assessments into each incident\'s predictions as one by one does, and reports the same changes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(assessment, { maxLength: 20 }), cuts, fc.integer({ min: 0, max: 2 }), async (risks, cutAt, labelled) => {
      const reported: { one: unknown[]; runs: unknown[] } = { one: [], runs: [] };
      let side: 'one' | 'runs' = 'one';
      await oneByOneAndInRuns(risks, cutAt, async (store, run) => {
        if ((await store.documents.get(LEARNER_DOCUMENTS.labelled, `inc${labelled}`)) === undefined) {
          await store.documents.put(LEARNER_DOCUMENTS.labelled, `inc${labelled}`, '{"labelledAt":0}');
        }
        const book = new IncidentPredictionBook(store, 0.3);
        reported[side].push(...(run.length === 1 ? [await book.record(run[0])] : await book.recordMany(run)));
        if (reported.one.length === risks.length) side = 'runs';
      }, [LEARNER_DOCUMENTS.incident]);
      assert.deepEqual(reported.runs, reported.one);
    }), { numRuns: 200 });
  });

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

  it('records a run of outcomes as one by one does: the latest outcome of each command', async () => {
    await fc.assert(fc.asyncProperty(fc.array(outcome, { maxLength: 30 }), cuts, (outcomes, cutAt) => oneByOneAndInRuns(
      outcomes, cutAt, (store, run) => (run.length === 1 ? new GrantRecords(store).recordOutcome(run[0]) : new GrantRecords(store).recordOutcomes(run)),
      [LEARNER_DOCUMENTS.commandOutcome],
    )), { numRuns: 200 });
  });

  it('reads and forgets the grants of an incident\'s VMs at once as one VM at a time does', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 30 }), fc.array(outcome, { maxLength: 10 }), async (commands, outcomes) => {
      const stores = [new InMemoryStateStore(), new InMemoryStateStore()];
      for (const store of stores) {
        const grants = new GrantRecords(store);
        await grants.recordCommands(commands);
        // Outcomes of the granting commands, so that some grants have one.
        const granting = commands.filter((c) => c.action === 'GRANT' && c.mode === 'ENFORCE');
        await grants.recordOutcomes(outcomes.map((o, i) => (granting.length === 0 ? o : { ...o, commandId: granting[i % granting.length].commandId })));
      }
      const vmIds = ['vm0', 'vm1', 'vm2', 'vm3', 'vm9'];
      for (const incidentId of ['inc0', 'inc1', 'inc2']) {
        const [one, many] = stores.map((store) => new GrantRecords(store));
        const oneByOne = new Map<string, number>();
        for (const vmId of vmIds) {
          const at = await one.appliedAt(incidentId, vmId);
          if (at !== undefined) oneByOne.set(vmId, at);
        }
        assert.deepEqual(await many.appliedAtMany(incidentId, vmIds), oneByOne);
        for (const vmId of vmIds.slice(0, 3)) await one.forget(incidentId, vmId);
        await many.forgetMany(incidentId, vmIds.slice(0, 3));
        for (const kind of [LEARNER_DOCUMENTS.grant, LEARNER_DOCUMENTS.commandOutcome]) {
          assert.deepEqual(await stores[1].documents.list(kind), await stores[0].documents.list(kind), kind);
        }
      }
    }), { numRuns: 200 });
  });
});
