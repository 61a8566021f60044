import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actuationOrder } from '../../src/allocation/actuation-order.js';
import { allocationRound } from '../../src/allocation/allocation-round.js';
import { grantWindow } from '../../src/allocation/grant-rate-limit.js';
import type { LedgerLease } from '../../src/allocation/ledger-view.js';
import type { LeaseCommand } from '../../src/allocation/lease-command.js';
import type { AssessedVm, RoundAssessment } from '../../src/allocation/round-assessment.js';
import { BIG, MINUTE, T0, model, policy, res } from './fixtures.js';

function assessment(incidentId: string, atRisk: readonly [string, string, number][]): RoundAssessment {
  return {
    incidentId, version: 2, status: 'OPEN', mode: 'ENFORCE', eventTime: T0, generatedAt: T0, anomalyType: 'cpu_saturation', severity: 1, sources: [],
    atRisk: atRisk.map(([vmId, hostId, probability]): AssessedVm => ({ vmId, hostId, probability, etaMs: MINUTE, path: ['src', vmId] })),
  };
}

const lease = (incidentId: string, vmId: string, cpuMillis: number): LedgerLease => ({
  leaseId: `${incidentId}/${vmId}/1/GRANT`, incidentId, vmId, hostId: 'h1', resources: res(cpuMillis, 0, 0), expiresAt: T0 + 8 * MINUTE,
});

/** What the leases of h1 hold after each command, starting from `held` (ENFORCE commands, sizes after each step). */
function holdingsAfterEach(commands: readonly LeaseCommand[], held: readonly LedgerLease[]): number[] {
  const size = new Map(held.map((l) => [l.leaseId, l.resources.cpuMillis]));
  return commands.map((c) => {
    if (c.step === 'RELEASE') size.delete(c.reservationId);
    else size.set(c.reservationId, c.resources.cpuMillis);
    return [...size.values()].reduce((a, b) => a + b, 0);
  });
}

describe('actuationOrder', () => {
  it('carries a round out freeing before taking: RELEASEs, then shrinking ADJUSTs, then RENEWs, then GRANTs and growth; each group in planned order', () => {
    // h1 lets Foresight hold 4000 millicores: 1000 free, 1000 in incB's lease and 2000 in incC's.
    const held = [lease('incB', 'vm2', 1000), lease('incC', 'vm3', 2000)];
    const allowance = 1000 + 1000 + 2000;
    const r = allocationRound({
      // incA is planned first: it grants vm1 into the 1000 left free. incB's vm2 is no longer at risk (RELEASE);
      // incC's vm3 is still at risk but its target is 1000 (a shrinking ADJUST).
      assessments: [assessment('incA', [['vm1', 'h1', 0.9]]), assessment('incB', []), assessment('incC', [['vm3', 'h1', 0.9]])],
      ledger: { hostFree: new Map([['h1', res(1000, 0, 0)]]), budgetFree: BIG, leases: held, shadowLeases: new Map() },
      placements: new Map(), rateAllowance: new Map([[grantWindow('ENFORCE', T0), 100]]), model: model(),
      settings: { policy, vmCap: res(4000, 0, 0), defaultCriticality: 0.5 },
    });
    const planned = r.passes.flatMap((p) => p.commands);
    const label = (c: LeaseCommand): string => `${c.step} ${c.vmId} ${c.phase}`;
    assert.deepEqual(planned.map(label), ['GRANT vm1 take', 'RELEASE vm2 release', 'ADJUST vm3 shrink']);
    const ordered = actuationOrder(planned);
    assert.deepEqual(ordered.map(label), ['RELEASE vm2 release', 'ADJUST vm3 shrink', 'GRANT vm1 take']);
    // Every prefix fits the host, and holds no more than the same prefix of the planned order.
    const after = holdingsAfterEach(ordered, held);
    const before = holdingsAfterEach(planned, held);
    after.forEach((h, i) => {
      assert.ok(h <= allowance, `prefix ${i + 1} holds ${h} > ${allowance}`);
      assert.ok(h <= before[i], `prefix ${i + 1} holds ${h}, more than the planned order's ${before[i]}`);
    });
  });

  it('places commands written before they carried a phase by their step, and keeps the order within a group', () => {
    const c = (step: 'GRANT' | 'ADJUST' | 'RENEW' | 'RELEASE', id: string) => ({ step, id });
    assert.deepEqual(actuationOrder([c('GRANT', 'g1'), c('RENEW', 'n1'), c('ADJUST', 'a1'), c('RELEASE', 'r1'), c('GRANT', 'g2'), c('RELEASE', 'r2')]).map((x) => x.id),
      ['r1', 'r2', 'a1', 'n1', 'g1', 'g2']);
  });
});
