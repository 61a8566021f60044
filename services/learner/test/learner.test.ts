import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultModel, isHeldOutIncident, learnerWindow, learnFromOutcomes, parseModel, refitOnWindow, type IncidentOutcome, type LearnerState } from '@foresight/core';
import { HORIZON, MINUTE, anomaly, assessment, backends, grant, learnerWorld, starTopology, type LearnerWorld } from './learner-world.js';

const T0 = 10_000_000;

/** Incident ids split the way the learner's held-out ring splits them. */
function incidentIds(heldOut: number, training: number): { heldOut: string[]; training: string[] } {
  const out = { heldOut: [] as string[], training: [] as string[] };
  for (let n = 0; out.heldOut.length < heldOut || out.training.length < training; n++) {
    const id = `inc-${n}`;
    if (isHeldOutIncident(id)) {
      if (out.heldOut.length < heldOut) out.heldOut.push(id);
    } else if (out.training.length < training) out.training.push(id);
  }
  return out;
}

/** Publishes an incident with six listed children, the first `anomalous` of which become anomalous a minute apart. */
async function playIncident(w: LearnerWorld, incidentId: string, onsetAt: number, anomalous: number): Promise<void> {
  const { source, children } = await starTopology(w.graph, incidentId, 6);
  await w.send('risk', [assessment(incidentId, source, onsetAt, children.map((c) => [c, 0.4] as const))]);
  await w.send('anomalies', [anomaly(source, onsetAt), ...children.slice(0, anomalous).map((c, k) => anomaly(c, onsetAt + (k + 1) * MINUTE))]);
}

/**
 * A learner that has judged 8 training and 4 held-out incidents (three of six children anomalous each: 12 held-out
 * positives, above the gate's minimum of 10) and trained once.
 */
async function trainedOnce(settings: Parameters<typeof learnerWorld>[0]): Promise<{ w: LearnerWorld; ids: { heldOut: string[]; training: string[] } }> {
  const w = await learnerWorld(settings);
  const ids = incidentIds(4, 8);
  for (const [i, id] of [...ids.training, ...ids.heldOut].entries()) await playIncident(w, id, T0 + i * MINUTE, 3);
  await w.tick(T0 + HORIZON + 20 * MINUTE);
  return { w, ids };
}

async function trainingState(w: LearnerWorld): Promise<LearnerState> {
  const json = await w.store.documents.get('learner-training', 'state');
  assert.ok(json !== undefined);
  return (JSON.parse(json) as { learner: LearnerState }).learner;
}

describe('learner', () => {
  it('labels predictions once the horizon has passed: positives, negatives, missed, lead time, useful grants', async () => {
    const w = await learnerWorld({ minIncidentsPerStep: 100 });
    const { source, children: [c0, c1, c2, c3] } = await starTopology(w.graph, 'inc', 4);
    const generatedAt = T0 + 5_000;
    await w.send('risk', [assessment('inc', source, T0, [[c0, 0.9], [c1, 0.5], [c2, 0.2]], { generatedAt })]);
    await w.send('allocations', [grant('inc', c0, generatedAt + 1_000), grant('inc', c2, generatedAt + 1_000)]);
    await w.send('anomalies', [
      anomaly(source, T0), anomaly(c0, T0 + 2 * MINUTE), anomaly(c3, T0 + 3 * MINUTE), anomaly(c1, T0 + HORIZON + 1),
      anomaly(c0, T0 + 12 * MINUTE, 'RESOLVED'),
    ]);
    await w.tick(T0 + HORIZON - 1);
    assert.equal(w.evaluations.length, 0, 'not before the horizon');
    await w.tick(T0 + HORIZON);
    assert.equal(w.evaluations.length, 1);
    const e = w.evaluations[0];
    assert.equal(e.incidentId, 'inc');
    assert.equal(e.predicted, 3);
    assert.equal(e.truePositives, 1);
    assert.equal(e.affected, 2, 'c0 and the missed c3');
    assert.equal(e.precision, 1 / 3);
    assert.equal(e.recall, 1 / 2);
    assert.deepEqual([...e.leadTimesMs], [T0 + 2 * MINUTE - generatedAt]);
    assert.equal(e.usefulGrants, 1);
    assert.equal(e.wastedGrants, 1);
    assert.ok(Math.abs(e.brier - ((0.9 - 1) ** 2 + 0.5 ** 2 + 0.2 ** 2) / 3) < 1e-12);
    const state = await trainingState(w);
    const outcome: IncidentOutcome | undefined = [...state.training, ...state.heldOut].find((o) => o.incidentId === 'inc');
    assert.ok(outcome !== undefined, 'the judged incident went into training');
    const byVm = new Map(outcome.exposures.map((x) => [x.vmId, x]));
    assert.equal(byVm.get(c0)?.becameAnomalous, true);
    assert.equal(byVm.get(c0)?.onsetDelayMs, 2 * MINUTE);
    assert.equal(byVm.get(c0)?.grantInPlace, true);
    assert.equal(byVm.get(c0)?.degradedMinutes, 10);
    assert.equal(byVm.get(c0)?.edge?.parentAffected, true);
    assert.equal(byVm.get(c1)?.becameAnomalous, false, 'an onset after the horizon is a negative');
    assert.deepEqual(outcome.missed?.map((m) => m.vmId), [c3]);
    await w.close();
  });

  it('records every exposing edge of a VM two earlier-affected neighbours could have infected (joint credit)', async () => {
    const w = await learnerWorld({ minIncidentsPerStep: 100 });
    const { source, children: [a, b] } = await starTopology(w.graph, 'inc', 2);
    const features = { bandwidthMbps: 20, callsPerSec: 50, latencyP50Ms: 5, latencyP99Ms: 40, errorRate: 0.01, lastSeenAt: 0 };
    await w.graph.upsertPathways([{ source: a, target: b, kind: 'API_CALL', features }]);
    const risk = assessment('inc', source, T0, [[a, 0.6], [b, 0.4]]);
    const [toA, toB] = risk.atRisk;
    assert.ok(toA !== undefined && toB !== undefined);
    // b's latest explanation is the path source → a → b: its recorded edge is a → b.
    const viaA = { ...toB, path: [source, a, b], contributions: [toA.contributions[0], { ...toB.contributions[0], from: a }] };
    await w.send('risk', [{ ...risk, atRisk: [toA, viaA] }]);
    await w.send('anomalies', [anomaly(source, T0), anomaly(a, T0 + MINUTE), anomaly(b, T0 + 3 * MINUTE)]);
    await w.tick(T0 + HORIZON);
    const state = await trainingState(w);
    const outcome = [...state.training, ...state.heldOut].find((o) => o.incidentId === 'inc');
    assert.ok(outcome !== undefined);
    const byVm = new Map(outcome.exposures.map((x) => [x.vmId, x]));
    assert.equal(byVm.get(b)?.edge?.parentVmId, a);
    assert.deepEqual(byVm.get(b)?.exposingEdges?.map((e) => [e.parentVmId, e.kind, e.direction, e.parentAffected, e.parentOnsetDelayMs]), [
      [source, 'API_CALL', 'forward', true, 0], [a, 'API_CALL', 'forward', true, MINUTE],
    ]);
    assert.equal(byVm.get(a)?.edge?.parentVmId, source);
    assert.equal(byVm.get(a)?.exposingEdges, undefined, 'a single exposing parent: the record is unchanged');
    await w.close();
  });

  it('records a labelled incident in the graph store history: sources, anomalous VMs with their onsets, the close', async () => {
    const w = await learnerWorld({ minIncidentsPerStep: 100 });
    const { source, children: [c0, c1, c2] } = await starTopology(w.graph, 'hist', 3);
    await w.send('risk', [assessment('hist', source, T0, [[c0, 0.9], [c1, 0.5]])]);
    await w.send('anomalies', [anomaly(source, T0), anomaly(c0, T0 + 2 * MINUTE), anomaly(c2, T0 + 3 * MINUTE)]);
    await w.send('risk', [assessment('hist', source, T0, [[c0, 0.9], [c1, 0.5]], { version: 2, status: 'CLOSED', generatedAt: T0 + 20 * MINUTE })]);
    await w.tick(T0 + HORIZON - 1);
    assert.deepEqual(await w.graph.incidentHistory(), [], 'nothing recorded before the incident is labelled');
    await w.tick(T0 + HORIZON);
    const [record, ...more] = await w.graph.incidentHistory();
    assert.equal(more.length, 0);
    assert.equal(record.incidentId, 'hist');
    assert.equal(record.openedAt, T0);
    assert.equal(record.closedAt, T0 + 20 * MINUTE);
    assert.deepEqual([...record.sourceVmIds], [source]);
    assert.deepEqual([...record.affectedVmIds].sort(), [c0, c2, source].sort(), 'the listed VM that became anomalous and the missed one; not the healthy c1');
    assert.deepEqual(record.affectedAt, { [source]: T0, [c0]: T0 + 2 * MINUTE, [c2]: T0 + 3 * MINUTE });
    assert.ok((await w.graph.vulnerabilityCounts()).some((v) => v.vmId === c0 && v.affected === 1), 'history feeds the vulnerability counts');
    await w.close();
  });

  it('publishes one evaluation per incident, and ignores assessments of an incident already labelled', async () => {
    const w = await learnerWorld({ minIncidentsPerStep: 100 });
    for (const [i, id] of ['a', 'b', 'c'].entries()) await playIncident(w, id, T0 + i * MINUTE, 1);
    await w.tick(T0 + HORIZON + 5 * MINUTE);
    assert.deepEqual(w.evaluations.map((e) => e.incidentId).sort(), ['a', 'b', 'c']);
    const { source, children } = await starTopology(w.graph, 'a', 6);
    await w.send('risk', [assessment('a', source, T0, children.map((c) => [c, 0.9] as const), { version: 2, status: 'CLOSED' })]);
    await w.tick(T0 + 2 * HORIZON);
    assert.equal(w.evaluations.length, 3);
    await w.close();
  });

  it('publishes a better model after enough incidents', async () => {
    const { w } = await trainedOnce({ minIncidentsPerStep: 12 });
    assert.equal(w.evaluations.length, 12);
    assert.equal(w.models.length, 1, w.learner.lastDecision()?.reason);
    const published = w.models[0];
    assert.equal(published.version, 2);
    assert.equal(published.parentVersion, 1);
    const model = parseModel(JSON.parse(published.parametersJson));
    assert.equal(model.version, 2);
    assert.ok(published.metrics['heldOutLogLoss'] < published.metrics['currentLogLoss'], 'better on held-out incidents');
    assert.ok(published.metrics['heldOutExamples'] >= 20);
    assert.equal((await w.learner.currentModel()).version, 2);
    await w.close();
  });

  it('refits the carriers on the window of training incidents toward the initial model before it publishes', async () => {
    const { w, ids } = await trainedOnce({ minIncidentsPerStep: 12, minRefitIncidents: 5 });
    assert.equal(w.models.length, 1, w.learner.lastDecision()?.reason);
    const state = await trainingState(w);
    const window = learnerWindow(state);
    assert.deepEqual(window.map((o) => o.incidentId).sort(), [...ids.training].sort(), 'the window holds the training incidents');
    assert.equal(state.training.length, 0, 'the published batch left the buffer, not the window');
    // The same two rules, replayed on the persisted window (the first batch is the whole window).
    const initial = defaultModel('foresight');
    const stepped = learnFromOutcomes(initial, window, { at: 0, typePooling: 2, recentOutcomes: window });
    const expected = refitOnWindow(stepped, window, { at: 0, prior: initial, typePooling: 2 });
    const published = parseModel(JSON.parse(w.models[0].parametersJson));
    assert.deepEqual(published.types, expected.types);
    assert.notDeepEqual(published.types, stepped.types, 'the refit changed the carriers');
    await w.close();
  });

  it('does not read its training document again on ticks that bring no judged incident', async () => {
    const { w } = await trainedOnce({ minIncidentsPerStep: 12 });
    assert.equal(w.models.length, 1, w.learner.lastDecision()?.reason);
    const documents = w.store.documents as { get: (kind: string, id: string) => Promise<string | undefined> };
    const get = documents.get.bind(documents);
    let reads = 0;
    documents.get = (kind, id) => {
      if (kind === 'learner-training') reads++;
      return get(kind, id);
    };
    for (let k = 1; k <= 3; k++) await w.tick(T0 + HORIZON + (20 + k) * MINUTE);
    assert.equal(reads, 0, 'idle ticks read the training document');
    await playIncident(w, 'inc-late', T0 + HORIZON + 25 * MINUTE, 2);
    await w.tick(T0 + 2 * HORIZON + 30 * MINUTE);
    assert.ok(reads > 0, 'a newly judged incident is taken in');
    assert.equal((await trainingState(w)).recorded, 13);
    await w.close();
  });

  it('refuses a candidate that scores worse on the held-out incidents', async () => {
    const w = await learnerWorld({ minIncidentsPerStep: 20 });
    // Training says every child falls; the 12 held-out incidents (12 positives, enough for the gate) say one in six.
    // Each incident has the system to itself for its horizon: labelling counts every anomaly of the system within it.
    const ids = incidentIds(12, 8);
    const plays: [string, number][] = [...ids.training.map((id) => [id, 6] as [string, number]), ...ids.heldOut.map((id) => [id, 1] as [string, number])];
    for (const [i, [id, anomalous]] of plays.entries()) {
      const at = T0 + i * (HORIZON + 5 * MINUTE);
      await playIncident(w, id, at, anomalous);
      await w.tick(at + HORIZON + MINUTE);
    }
    assert.equal(w.evaluations.length, 20);
    assert.equal(w.models.length, 0, w.learner.lastDecision()?.reason);
    assert.equal(w.learner.lastDecision()?.publish, false);
    assert.match(w.learner.lastDecision()?.reason ?? '', /worse/);
    assert.equal((await w.learner.currentModel()).version, 1);
    await w.close();
  });

  it('resumes after a restart from the persisted state', async () => {
    const shared = backends();
    const ids = incidentIds(4, 8);
    const all = [...ids.training, ...ids.heldOut];
    const first = await learnerWorld({ minIncidentsPerStep: 12 }, shared);
    for (const [i, id] of all.slice(0, 6).entries()) await playIncident(first, id, T0 + i * MINUTE, 3);
    await first.tick(T0 + HORIZON + 10 * MINUTE);
    await playIncident(first, all[6], T0 + HORIZON + 9 * MINUTE, 3);
    assert.equal(first.evaluations.length, 6);
    assert.equal(first.models.length, 0, 'not enough incidents yet');
    await first.close();

    const second = await learnerWorld({ minIncidentsPerStep: 12 }, shared);
    for (const [i, id] of all.slice(7).entries()) await playIncident(second, id, T0 + HORIZON + (10 + i) * MINUTE, 3);
    await second.tick(T0 + 2 * HORIZON + 30 * MINUTE);
    assert.ok(second.evaluations.some((e) => e.incidentId === all[6]), 'the incident seen before the restart is labelled after it');
    assert.equal(second.models.length, 1, second.learner.lastDecision()?.reason);
    assert.equal(second.models[0].metrics['trainingIncidents'], 8, 'training incidents from before the restart were kept');
    await second.close();

    const third = await learnerWorld({ minIncidentsPerStep: 12 }, shared);
    assert.equal((await third.learner.currentModel()).version, 2, 'the published version survives a restart');
    await third.close();
  });
});
