import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocationRound, type AllocationRoundInput } from '../../src/allocation/allocation-round.js';
import { grantWindow } from '../../src/allocation/grant-rate-limit.js';
import type { LedgerLease, LedgerView } from '../../src/allocation/ledger-view.js';
import type { AssessedVm, RoundAssessment } from '../../src/allocation/round-assessment.js';
import type { Resources } from '../../src/resources.js';
import { BIG, MINUTE, T0, model, policy, res } from './fixtures.js';

const CAP = res(1500, 2048, 300);

function assessment(incidentId: string, atRisk: readonly [string, string, number][], over: Partial<RoundAssessment> = {}): RoundAssessment {
  return {
    incidentId, version: 1, status: 'OPEN', mode: 'ENFORCE', eventTime: T0, generatedAt: T0, anomalyType: 'cpu_saturation', severity: 1, sources: [],
    atRisk: atRisk.map(([vmId, hostId, probability]): AssessedVm => ({ vmId, hostId, probability, etaMs: MINUTE, path: ['src', vmId] })),
    ...over,
  };
}

function ledger(hostFree: Record<string, Resources>, budgetFree: Resources = BIG, leases: LedgerLease[] = []): LedgerView {
  return { hostFree: new Map(Object.entries(hostFree)), budgetFree, leases, shadowLeases: new Map() };
}

function round(assessments: RoundAssessment[], view: LedgerView, over: Partial<AllocationRoundInput> = {}): ReturnType<typeof allocationRound> {
  return allocationRound({
    assessments, ledger: view, placements: new Map(), rateAllowance: new Map([[grantWindow('ENFORCE', T0), 100], [grantWindow('SHADOW', T0), 100]]),
    model: model(), settings: { policy, vmCap: CAP, defaultCriticality: 0.5 }, ...over,
  });
}

const summary = (r: ReturnType<typeof allocationRound>): string[] => r.passes.flatMap((p) => p.commands.map((c) => `${c.step} ${c.incidentId} ${c.vmId} ${c.resources.cpuMillis} ${c.why}`));

describe('allocationRound', () => {
  it('grants with derived ids, debits the ledger it returns, and names the VMs below the threshold', () => {
    const r = round([assessment('inc1', [['vm1', 'h1', 0.8], ['vm2', 'h1', 0.1]])], ledger({ h1: res(4000, 4096, 1000) }));
    assert.deepEqual(summary(r), ['GRANT inc1 vm1 1000 at_risk']);
    const grant = r.passes[0].commands[0];
    assert.equal(grant.commandId, 'inc1/vm1/1/GRANT');
    assert.equal(grant.reservationId, grant.commandId);
    assert.equal(grant.etaMs, MINUTE);
    assert.deepEqual(r.ledger.hostFree.get('h1'), res(3000, 4096, 1000));
    assert.deepEqual(r.ledger.leases.map((l) => l.leaseId), ['inc1/vm1/1/GRANT']);
    assert.deepEqual(r.refusals.map((f) => [f.vmId, f.why]), [['vm2', 'below_threshold']]);
  });

  it('says which limit refused a grant: host, budget or the VM cap (net of other incidents)', () => {
    const host = round([assessment('inc1', [['vm1', 'h1', 0.8]])], ledger({ h1: res(100, 0, 0) }));
    const budget = round([assessment('inc1', [['vm1', 'h1', 0.8]])], ledger({ h1: BIG }, res(100, 0, 0)));
    const other: LedgerLease = { leaseId: 'inc0/vm1/1/GRANT', incidentId: 'inc0', vmId: 'vm1', hostId: 'h1', resources: res(1500, 0, 0), expiresAt: T0 + 5 * MINUTE };
    const cap = round([assessment('inc1', [['vm1', 'h1', 0.8]])], ledger({ h1: BIG }, BIG, [other]));
    const unknown = round([assessment('inc1', [['vm1', 'h9', 0.8]])], ledger({ h1: BIG }));
    assert.deepEqual([host, budget, cap, unknown].map((r) => r.refusals.map((f) => f.why)), [['host_full'], ['budget'], ['vm_cap'], ['unknown_host']]);
    assert.ok([host, budget, cap, unknown].every((r) => r.passes[0].commands.length === 0));
  });

  it('plans each pass against what the earlier ones left: a closing frees room under the cap for another incident', () => {
    const held: LedgerLease = { leaseId: 'incB/vm1/1/GRANT', incidentId: 'incB', vmId: 'vm1', hostId: 'h1', resources: res(1000, 0, 0), expiresAt: T0 + 5 * MINUTE };
    const view = ledger({ h1: BIG }, BIG, [held]);
    const closeFirst = round([assessment('incB', [], { status: 'CLOSED', version: 2 }), assessment('incA', [['vm1', 'h1', 0.9]])], view);
    assert.deepEqual(summary(closeFirst), ['RELEASE incB vm1 1000 incident_closed', 'GRANT incA vm1 1000 at_risk']);
    const openFirst = round([assessment('incA', [['vm1', 'h1', 0.9]]), assessment('incB', [], { status: 'CLOSED', version: 2 })], view);
    assert.deepEqual(summary(openFirst), ['GRANT incA vm1 500 at_risk', 'RELEASE incB vm1 1000 incident_closed'], 'capped at 1500 − 1000 held by incB');
  });

  it('admits GRANTs by the rate allowance, per window, and refuses the rest as rate_limited', () => {
    const r = round([assessment('inc1', [['a', 'h1', 0.9], ['b', 'h1', 0.8], ['c', 'h1', 0.7]])], ledger({ h1: BIG }), {
      rateAllowance: new Map([[grantWindow('ENFORCE', T0), 2]]),
    });
    assert.equal(summary(r).length, 2);
    assert.deepEqual(r.refusals.map((f) => f.why), ['rate_limited']);
    assert.equal(r.rateAllowance.get(grantWindow('ENFORCE', T0)), -1);
    assert.equal(r.ledger.leases.length, 2, 'the refused GRANT took nothing');
  });

  it('SHADOW passes reserve nothing but remember their leases, and a closing releases them in SHADOW', () => {
    const first = round([assessment('inc1', [['vm1', 'h1', 0.9]], { mode: 'SHADOW' })], ledger({ h1: BIG }));
    assert.deepEqual(first.ledger.leases, []);
    assert.deepEqual(first.ledger.shadowLeases.get('inc1')?.map((l) => l.vmId), ['vm1']);
    const closing = round([assessment('inc1', [], { mode: 'SHADOW', status: 'CLOSED', version: 2, eventTime: T0 + MINUTE })], first.ledger);
    assert.deepEqual(closing.passes[0].commands.map((c) => `${c.mode} ${c.step} ${c.why}`), ['SHADOW RELEASE incident_closed']);
    assert.equal(closing.ledger.shadowLeases.has('inc1'), false);
  });

  it('sizes a VM by its own severity when the entry carries one, else by the assessment\'s', () => {
    const a = assessment('inc1', [['vm1', 'h1', 0.9], ['vm2', 'h1', 0.9]], { severity: 1 });
    const own = { ...a, atRisk: a.atRisk.map((e) => (e.vmId === 'vm2' ? { ...e, severity: 0.5 } : e)) };
    assert.deepEqual(summary(round([own], ledger({ h1: BIG }))).sort(), ['GRANT inc1 vm1 1000 at_risk', 'GRANT inc1 vm2 500 at_risk']);
  });
});
