import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INCIDENTS_DOCUMENT_KIND } from '../src/index.js';
import { T0, anomaly, scorerWorld, versionsOf } from './scorer-world.js';

describe('propagation scorer: a state store that lost its data', () => {
  it('puts back the open incidents it remembers, so a later RESOLVED closes the incident (CLOSED) instead of finding none', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();
    const incidentId = world.risk[0].incidentId;
    const before = versionsOf(world.risk, incidentId);
    assert.deepEqual(before.map((v) => [v.version, v.status]), [[1, 'OPEN']]);

    // Redis restarted without persistence: the open incident, its index and the epoch marker are gone.
    world.stateStore.wipe();
    await world.publish('anomalies', [anomaly('db', T0 + 60_000, { state: 'RESOLVED', severity: 0 })]);
    await world.settle();

    const versions = versionsOf(world.risk, incidentId);
    assert.deepEqual(versions.map((v) => [v.version, v.status]), [[1, 'OPEN'], [2, 'OPEN'], [3, 'CLOSED']], 'restored as a new OPEN version, then closed by the recovery');
    // The restored version names what the lost one did: an allocator that lost its ledger releases those first.
    assert.deepEqual(versions[1].atRisk.map((e) => e.vmId), before[0].atRisk.map((e) => e.vmId));
    assert.deepEqual(versions[1].sources.map((s) => [s.vmId, s.onsetAt]), [['db', T0]]);
    assert.equal(await world.stateStore.documents.get(INCIDENTS_DOCUMENT_KIND, 'sys'), undefined, 'closed: no open incident left');
    await world.close();
  });

  it('keeps matching after the loss: a VM the lost incident predicted joins it, and the tick restores without any anomaly', async () => {
    const world = await scorerWorld();
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();
    const incidentId = world.risk[0].incidentId;
    assert.ok(world.risk[0].atRisk.some((e) => e.vmId === 'api'), 'api is predicted at risk');

    world.stateStore.wipe();
    await world.scorer.tick(T0 + 1_000);
    await world.settle();
    assert.ok((await world.stateStore.documents.get(INCIDENTS_DOCUMENT_KIND, 'sys')) !== undefined, 'the tick put the incident back');
    assert.deepEqual(versionsOf(world.risk, incidentId).map((v) => v.version), [1, 2]);

    await world.publish('anomalies', [anomaly('api', T0 + 10_000)]);
    await world.settle();
    assert.deepEqual(new Set(world.risk.map((r) => r.incidentId)), new Set([incidentId]), 'api joined the restored incident');
    const last = versionsOf(world.risk, incidentId).at(-1)!;
    assert.deepEqual(last.sources.map((s) => s.vmId).sort(), ['api', 'db']);
    await world.close();
  });

  it('a store empty at start (first start, or lost while down) starts an epoch and scores as usual', async () => {
    const world = await scorerWorld();
    world.stateStore.wipe();
    await world.publish('anomalies', [anomaly('db', T0)]);
    await world.settle();
    assert.deepEqual(world.risk.map((r) => [r.version, r.status]), [[1, 'OPEN']]);
    await world.close();
  });
});
