import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError } from '../src/store-error.js';
import type { RiskReadModel, ScoreEntry } from '../src/state/risk-read-model.js';
import type { StateStore } from '../src/state/state-store.js';
import { eventually } from './eventually.js';
import { HOSTILE_IDS } from './graph-fixtures.js';

/** The scorer's side (the writer of hot scores), an operator's side (a reader on the same data), and cleanup. */
export interface RiskReadModelHarness {
  readonly writer: Pick<StateStore, 'init' | 'putIncidentScores'>;
  /** The writer itself, or a separate read-only client on the same keys. */
  readonly reader: RiskReadModel;
  /** Deletes what the test wrote and closes every client. */
  dispose(): Promise<void>;
}

type Writer = RiskReadModelHarness['writer'];

async function withScores(make: () => Promise<RiskReadModelHarness>, test: (writer: Writer, reader: RiskReadModel) => Promise<void>): Promise<void> {
  const harness = await make();
  try {
    await harness.writer.init();
    await test(harness.writer, harness.reader);
  } finally {
    await harness.dispose();
  }
}

async function rejectsInvalid(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isStoreError(error, 'INVALID_INPUT') && !error.retriable);
}

const HOUR = 3_600_000;
const e = (vmId: string, probability: number, etaAt: number): ScoreEntry => ({ vmId, probability, etaAt });

/** The hot-scores contract (the scorer writes, an operator reads): every adapter and its twin must pass it unchanged. */
export function describeRiskReadModelContract(name: string, make: () => Promise<RiskReadModelHarness>): void {
  describe(`RiskReadModel contract: ${name}`, () => {
    it('ranks an incident\'s VMs by probability (ties: higher vmId first), with their ETA and the version, up to the limit', () => withScores(make, async (writer, reader) => {
      assert.equal(await writer.putIncidentScores('i1', 1, [e('a', 0.2, 10), e('b', 0.9, 20), e('c', 0.5, 30), e('d', 0.5, 40)], HOUR), true);
      assert.deepEqual(await reader.topIncidentScores('i1', 3), { incidentId: 'i1', version: 1, entries: [e('b', 0.9, 20), e('d', 0.5, 40), e('c', 0.5, 30)] });
      assert.deepEqual((await reader.topIncidentScores('i1', 100))?.entries.map((x) => x.vmId), ['b', 'd', 'c', 'a']);
      assert.equal(await reader.topIncidentScores('other', 3), undefined);
    }));

    it('applies only newer versions; a newer one replaces the whole set and what it drops is no risk', () => withScores(make, async (writer, reader) => {
      await writer.putIncidentScores('i1', 5, [e('a', 0.4, 1), e('b', 0.3, 1)], HOUR);
      assert.equal(await writer.putIncidentScores('i1', 4, [e('z', 1, 1)], HOUR), false);
      assert.equal(await writer.putIncidentScores('i1', 5, [e('z', 1, 1)], HOUR), false, 'an equal version is a replay');
      assert.equal(await writer.putIncidentScores('i1', 6, [e('b', 0.7, 2)], HOUR), true);
      assert.deepEqual(await reader.topIncidentScores('i1', 10), { incidentId: 'i1', version: 6, entries: [e('b', 0.7, 2)] });
      assert.equal(await reader.vmRisk('a'), undefined, 'a superseded score is no risk');
      assert.equal(await reader.vmRisk('z'), undefined, 'a refused version wrote nothing');
      assert.deepEqual(await reader.vmRisk('b'), { vmId: 'b', maxProbability: 0.7, incidents: [{ incidentId: 'i1', version: 6, probability: 0.7, etaAt: 2 }] });
    }));

    it('gives a VM\'s risk over its live incidents, highest first (ties by incidentId), each with its version and ETA', () => withScores(make, async (writer, reader) => {
      await writer.putIncidentScores('i1', 1, [e('v', 0.25, 100)], HOUR);
      await writer.putIncidentScores('i2', 3, [e('v', 0.75, 300), e('w', 0.1, 5)], HOUR);
      await writer.putIncidentScores('i3', 2, [e('v', 0.25, 50)], HOUR);
      assert.deepEqual(await reader.vmRisk('v'), {
        vmId: 'v',
        maxProbability: 0.75,
        incidents: [
          { incidentId: 'i2', version: 3, probability: 0.75, etaAt: 300 },
          { incidentId: 'i1', version: 1, probability: 0.25, etaAt: 100 },
          { incidentId: 'i3', version: 2, probability: 0.25, etaAt: 50 },
        ],
      });
      assert.equal(await reader.vmRisk('nobody'), undefined);
    }));

    it('a closed incident (a version with no entries) threatens nothing, and the VM keeps its other incidents', () => withScores(make, async (writer, reader) => {
      await writer.putIncidentScores('open', 1, [e('v', 0.3, 7)], HOUR);
      await writer.putIncidentScores('closing', 1, [e('v', 0.6, 8), e('w', 0.5, 9)], HOUR);
      assert.equal((await reader.vmRisk('v'))?.maxProbability, 0.6);
      assert.equal(await writer.putIncidentScores('closing', 2, [], HOUR), true);
      assert.deepEqual(await reader.topIncidentScores('closing', 10), { incidentId: 'closing', version: 2, entries: [] });
      assert.deepEqual(await reader.vmRisk('v'), { vmId: 'v', maxProbability: 0.3, incidents: [{ incidentId: 'open', version: 1, probability: 0.3, etaAt: 7 }] });
      assert.equal(await reader.vmRisk('w'), undefined);
      assert.equal(await writer.putIncidentScores('closing', 1, [e('w', 1, 1)], HOUR), false, 'an old version cannot reopen it');
      assert.equal(await reader.vmRisk('w'), undefined);
    }));

    it('a VM scored again by a newer version after being dropped is at risk again', () => withScores(make, async (writer, reader) => {
      await writer.putIncidentScores('i', 1, [e('v', 0.5, 1), e('w', 0.5, 1)], HOUR);
      await writer.putIncidentScores('i', 2, [e('w', 0.5, 2)], HOUR);
      await writer.putIncidentScores('i', 3, [e('v', 0.8, 3)], HOUR);
      assert.deepEqual(await reader.vmRisk('v'), { vmId: 'v', maxProbability: 0.8, incidents: [{ incidentId: 'i', version: 3, probability: 0.8, etaAt: 3 }] });
      assert.equal(await reader.vmRisk('w'), undefined);
    }));

    it('forgets scores after their TTL', { timeout: 10_000 }, () => withScores(make, async (writer, reader) => {
      await writer.putIncidentScores('short', 1, [e('v', 0.5, 1)], 150);
      await writer.putIncidentScores('long', 1, [e('v', 0.1, 1)], HOUR);
      assert.equal((await reader.vmRisk('v'))?.maxProbability, 0.5);
      await eventually('short-lived scores to expire', async () => ((await reader.topIncidentScores('short', 1)) === undefined ? true : undefined));
      assert.deepEqual((await reader.vmRisk('v'))?.incidents.map((i) => i.incidentId), ['long']);
      assert.equal(await writer.putIncidentScores('short', 1, [e('v', 0.2, 1)], HOUR), true, 'an expired version no longer blocks');
    }));

    it('stores and reads hostile ids verbatim', () => withScores(make, async (writer, reader) => {
      const ids = [...new Set([...HOSTILE_IDS, 'a|b', 'vm:with:colons', '*'])];
      for (const [i, incidentId] of ids.entries()) await writer.putIncidentScores(incidentId, 1, ids.map((vmId, k) => e(vmId, (k + 1) / (ids.length + 1), i)), HOUR);
      for (const incidentId of ids) assert.equal((await reader.topIncidentScores(incidentId, ids.length))?.entries.length, ids.length, incidentId);
      for (const vmId of ids) assert.deepEqual((await reader.vmRisk(vmId))?.incidents.map((x) => x.incidentId).sort(), [...ids].sort(), vmId);
    }));

    it('rejects invalid scores and reads', () => withScores(make, async (writer, reader) => {
      await rejectsInvalid(writer.putIncidentScores('i', 1, [e('a', 1.5, 0)], 1000));
      await rejectsInvalid(writer.putIncidentScores('i', 1, [e('a', 0.5, 0), e('a', 0.1, 0)], 1000));
      await rejectsInvalid(writer.putIncidentScores('i', 1, [], 0));
      await rejectsInvalid(reader.topIncidentScores('i', 0));
      await rejectsInvalid(reader.topIncidentScores('i', 1.5));
      await rejectsInvalid(reader.topIncidentScores('', 1));
      await rejectsInvalid(reader.vmRisk(''));
    }));
  });
}
