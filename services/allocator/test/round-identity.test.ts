import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import { DEFAULT_ALLOCATION_POLICY, defaultModel, type AllocationPolicy, type LeaseCommand, type RoundAssessment } from '@foresight/core';
import { scaleResources } from '@foresight/core';
import { allocatorHolds, observeTopology, type ClosedLoopRound, type ObservedTopology } from '@foresight/evaluation';
import { flowEvents, generateIncidents, generateTopology, hostEvents, inventoryEvents, trueParameters } from '@foresight/sim';
import { RES, allocatorWorld } from './allocator-world.js';

// The code that runs is the code that is evaluated: the evaluation's closed loop and the allocator service both plan
// with core allocationRound. The same assessments (those the closed loop made for simulated incidents, Foresight alone)
// told to the allocator on the in-memory bus and stores must give exactly the commands the closed loop decided, round
// by round: action, VM, resources, expiry and reason.

const SEED = 5;
const world = generateTopology({ vms: 200, seed: SEED });
const truth = trueParameters(world.vms, SEED);
const incidents = generateIncidents(world, truth, { count: 40, seed: SEED });
const telemetryAt = (incidents[0]?.onsetAt ?? 0) - 3_600_000;
const observed = observeTopology(inventoryEvents(world, telemetryAt), hostEvents(world, telemetryAt), flowEvents(world, { seed: SEED, until: telemetryAt }));
// Low thresholds so that the loop grants, adjusts, renews and releases often enough to compare.
const model = { ...defaultModel('foresight'), grantThreshold: 0.05, releaseThreshold: 0.02 };

/** The `risk` message the scorer would publish for one of the loop's assessments. */
function riskMessage(a: RoundAssessment): RiskAssessment {
  return {
    eventId: `risk:${a.incidentId}:${a.version}`, eventTime: a.eventTime, incidentId: a.incidentId, version: a.version, status: a.status, systemId: 'sys',
    anomalyType: a.anomalyType, severity: a.severity, estimator: 'multipath', sources: a.sources.map((s) => ({ vmId: s.vmId, onsetAt: a.eventTime })),
    modelVersion: model.version, generatedAt: a.generatedAt,
    atRisk: a.atRisk.map((e) => ({ vmId: e.vmId, hostId: e.hostId, probability: e.probability, etaMs: e.etaMs, path: [...e.path], contributions: [] })),
  };
}

const WIRE_ACTION = { GRANT: 'GRANT', ADJUST: 'ADJUST', RENEW: 'ADJUST', RELEASE: 'RELEASE' } as const;

/** What a command says, for comparing: the loop's LeaseCommand and the allocator's published one alike. */
function said(c: LeaseCommand | AllocationCommand): string {
  const action = 'step' in c ? WIRE_ACTION[c.step] : c.action;
  const reason = 'step' in c ? { probability: c.probability, etaMs: c.etaMs, path: c.path, why: c.why } : c.reason;
  const r = c.resources;
  return `${c.incidentId} ${c.vmId} ${action} ${r.cpuMillis}/${r.memoryMiB}/${r.networkMbps} until ${c.leaseExpiresAt} p=${reason.probability} eta=${reason.etaMs} ${reason.why} [${reason.path.join(' ')}]`;
}

/** The allocator service given the loop's pool (as hosts with that headroom, VMs with their placement and criticality) and its assessments, round by round. */
async function serviceCommands(rounds: readonly ClosedLoopRound[], policy: AllocationPolicy, { pool }: ObservedTopology): Promise<string[][]> {
  const w = await allocatorWorld({ budget: pool.budget, vmCap: pool.vmCaps.default, policy }, undefined, model);
  try {
    await w.send('hosts', Object.entries(pool.hostFree).map(([hostId, capacity], i) => ({ eventId: `host-${i}`, eventTime: telemetryAt, hostId, removed: false, capacity })));
    await w.send('inventory', observed.vms.map((vm, i) => ({
      eventId: `inv-${i}`, eventTime: telemetryAt, vmId: vm.id, removed: false, hostId: vm.hostId, groupId: vm.groupId, systemId: vm.systemId,
      capacity: vm.capacity, allocation: RES(0, 0, 0), criticality: vm.criticality, labels: {},
    })));
    const out: string[][] = [];
    for (const round of rounds) {
      const before = w.commands.length;
      await w.send('risk', round.assessments.map(riskMessage));
      out.push(w.commands.slice(before).map(said).sort());
    }
    return out;
  } finally {
    await w.close();
  }
}

// A scarce budget makes grants compete (priority order, budget refusals, partial grants).
const scarce: ObservedTopology = { ...observed, pool: { ...observed.pool, budget: scaleResources(observed.pool.budget, 0.01) } };

describe('allocation round identity: the evaluation\'s closed loop and the allocator service', () => {
  const cases = [['keep', observed], ['handover', observed], ['keep', scarce]] as const;
  for (const [degradedLeases, topology] of cases) {
    it(`decide the same commands for the same assessments (degradedLeases ${degradedLeases}${topology === scarce ? ', scarce budget' : ''})`, async () => {
      const policy = { ...DEFAULT_ALLOCATION_POLICY, degradedLeases };
      let compared = 0;
      const actions = new Set<string>();
      for (const incident of incidents.slice(0, 16)) {
        const { rounds } = allocatorHolds('predictive', incident, truth, topology, model, { policy, estimator: 'multipath', autoscaler: false, recordRounds: true });
        const loop = rounds.map((r) => r.passes.flatMap((p) => p.commands).map(said).sort());
        assert.deepEqual(await serviceCommands(rounds, policy, topology), loop, `incident ${incident.incidentId}`);
        compared += loop.flat().length;
        for (const r of rounds) for (const c of r.passes.flatMap((p) => p.commands)) actions.add(`${c.step} ${c.why}`);
      }
      assert.ok(compared >= 20, `only ${compared} commands compared`);
      const degraded = degradedLeases === 'keep' ? 'RENEW still_degraded' : 'RELEASE handed_over';
      for (const needed of ['GRANT at_risk', 'RELEASE below_release_threshold', 'RELEASE not_at_risk', degraded]) assert.ok(actions.has(needed), `no ${needed} among ${[...actions].join(', ')}`);
    });
  }

  it('the scarce budget binds: the loop refuses grants for it', () => {
    const policy = DEFAULT_ALLOCATION_POLICY;
    let budgetRefusals = 0;
    for (const incident of incidents.slice(0, 16)) {
      const { rounds } = allocatorHolds('predictive', incident, truth, scarce, model, { policy, estimator: 'multipath', autoscaler: false, recordRounds: true });
      budgetRefusals += rounds.flatMap((r) => r.refusals).filter((f) => f.why === 'budget').length;
    }
    assert.ok(budgetRefusals > 0, 'no grant was refused for the budget');
  });
});
