import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyPlan } from '../../src/allocation/lease-ledger.js';
import { planAllocation } from '../../src/allocation/plan-allocation.js';
import { releaseIncident } from '../../src/allocation/release-incident.js';
import type { AllocationPolicy } from '../../src/allocation/allocation-policy.js';
import type { AllocationRequest } from '../../src/allocation/allocation-request.js';
import type { AtRiskVm } from '../../src/allocation/at-risk-vm.js';
import type { Lease } from '../../src/allocation/lease.js';
import type { ResourcePool } from '../../src/allocation/resource-pool.js';
import { WELL_KNOWN_ANOMALY_TYPES } from '../../src/model/anomaly-type.js';
import type { Resources } from '../../src/resources.js';
import { MINUTE, T0, atRisk, capacityViolations, counts, model, pool, request, res } from './fixtures.js';

const HOSTS = ['h0', 'h1', 'h2'];
const VMS = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5'];
const INCIDENTS = ['i0', 'i1'];
const RUNS = { numRuns: 200 };

// NOTE: fc.double is spread over bit patterns (mostly tiny values); scaled integers give realistic magnitudes.
const amount = (max: number): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 7 * max }).map((x) => x / 7));
const resources = (max: number): fc.Arbitrary<Resources> => fc.record({ cpuMillis: amount(max), memoryMiB: amount(2 * max), networkMbps: amount(max / 5) });
const unit = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 1000 }).map((x) => x / 1000), weight: 4 }, { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 1 });
const fraction = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((x) => x / 1000);

const entry: fc.Arbitrary<AtRiskVm> = fc.record({
  incidentId: fc.constantFrom(...INCIDENTS),
  vmId: fc.constantFrom(...VMS),
  hostId: fc.constant('placed by world'),
  anomalyType: fc.constantFrom(...WELL_KNOWN_ANOMALY_TYPES, 'generic', 'martian_rays', 'NOT A TYPE!'),
  severity: unit,
  probability: fc.oneof(unit, fraction(0.3, 1)),
  etaAt: fc.integer({ min: T0 - 10 * MINUTE, max: T0 + 40 * MINUTE }),
  criticality: unit,
});
const atRiskList = fc.uniqueArray(entry, { selector: (e) => `${e.incidentId}|${e.vmId}`, minLength: 1, maxLength: 12 });

const resourcePool = (scale: number): fc.Arbitrary<ResourcePool> => fc.record({
  hostFree: fc.record({ h0: resources(3000 * scale), h1: resources(3000 * scale), h2: resources(3000 * scale) }),
  budget: resources(6000 * scale),
  vmCaps: fc.record({ default: resources(2000 * scale), overrides: fc.dictionary(fc.constantFrom(...VMS), resources(1500 * scale), { maxKeys: 3 }) }),
});

const policyArb: fc.Arbitrary<AllocationPolicy> = fc.record({
  leaseTtlMs: fc.constant(10 * MINUTE),
  renewBeforeMs: fc.integer({ min: 0, max: 9 * MINUTE }),
  minUsefulFraction: fraction(0.01, 1),
  actuationLatencyMs: fc.integer({ min: 0, max: 60_000 }),
  adjustTolerance: fraction(0, 0.5),
  urgencyHorizonMs: fc.integer({ min: 1000, max: 30 * MINUTE }),
  lateWeight: fraction(0.01, 1),
  degradedLeases: fc.constantFrom('keep' as const, 'handover' as const),
});

const thresholds = fc.tuple(fraction(0.05, 0.95), unit).map(([g, f]) => ({ grantThreshold: g, releaseThreshold: g * f * 0.999 }));

const hostOf = fc.tuple(...VMS.map(() => fc.constantFrom(...HOSTS, ...HOSTS, ...HOSTS, 'h-unknown')));
const evolution = fc.record({
  keep: fc.integer({ min: 0, max: 9 }).map((x) => x < 8),
  moved: fc.integer({ min: 0, max: 19 }).map((x) => x === 0),
  dProbability: fraction(-0.4, 0.4),
  dSeverity: fraction(-0.3, 0.3),
});

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/**
 * A request whose leases come from an earlier pass (so they are a state the system can reach), then the world
 * moves on: most risks persist with drifting probability and severity, some VMs move host, new risks appear,
 * time passes (some leases expire or near expiry), hosts' free capacity, the budget and the caps change.
 */
const world: fc.Arbitrary<AllocationRequest> = fc
  .record({
    hosts: hostOf, first: atRiskList, changes: fc.array(evolution, { minLength: 12, maxLength: 12 }), fresh: atRiskList,
    pool0: resourcePool(4), pool1: resourcePool(1), policy: policyArb, thresholds, elapsed: fc.integer({ min: 0, max: 15 * MINUTE }),
  })
  .map(({ hosts, first, changes, fresh, pool0, pool1, policy: p, thresholds: t, elapsed }) => {
    const m = model(t);
    const placed = (e: AtRiskVm): AtRiskVm => ({ ...e, hostId: hosts[VMS.indexOf(e.vmId)] });
    const earlier: AllocationRequest = { now: T0 - elapsed, atRisk: first.map(placed), pool: pool0, leases: [], model: m, policy: p };
    const state = applyPlan(pool0, [], planAllocation(earlier));
    const persisting = earlier.atRisk.flatMap((e, i) => {
      const c = changes[i];
      if (!c.keep) return [];
      return [{ ...e, probability: clamp01(e.probability + c.dProbability), severity: clamp01(e.severity + c.dSeverity), hostId: c.moved ? 'h2' : e.hostId }];
    });
    const seen = new Set(persisting.map((e) => `${e.incidentId}|${e.vmId}`));
    const second = [...persisting, ...fresh.map(placed).filter((e) => !seen.has(`${e.incidentId}|${e.vmId}`))];
    return { now: T0, atRisk: second, pool: pool1, leases: state.leases, model: m, policy: p };
  });

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function reorderKeys<V>(record: Readonly<Record<string, V>>, seed: number): Record<string, V> {
  return Object.fromEntries(shuffled(Object.entries(record), seed));
}

describe('allocation invariants (property-based)', () => {
  it('after applying the plan, hosts, the budget and per-VM caps are never exceeded — nor after any prefix (caps: no worse)', () => {
    fc.assert(fc.property(world, (req) => {
      const plan = planAllocation(req);
      assert.deepEqual(capacityViolations(req, applyPlan(req.pool, req.leases, plan).leases), []);
      for (let n = 0; n < plan.decisions.length; n++) {
        const prefix = applyPlan(req.pool, req.leases, { ...plan, decisions: plan.decisions.slice(0, n) });
        assert.deepEqual(capacityViolations(req, prefix.leases, 'held before'), [], `prefix of ${n} decisions`);
      }
    }), RUNS);
  });

  it('is deterministic: the same input twice, or shuffled, gives a deep-equal plan', () => {
    fc.assert(fc.property(world, fc.integer(), (req, seed) => {
      const plan = planAllocation(req);
      assert.deepEqual(planAllocation(structuredClone(req)), plan);
      const overrides = req.pool.vmCaps.overrides ?? {};
      const shuffledReq: AllocationRequest = {
        ...req,
        atRisk: shuffled(req.atRisk, seed),
        leases: shuffled(req.leases, seed + 1),
        pool: { ...req.pool, hostFree: reorderKeys(req.pool.hostFree, seed + 2), vmCaps: { ...req.pool.vmCaps, overrides: reorderKeys(overrides, seed + 3) } },
      };
      assert.deepEqual(planAllocation(shuffledReq), plan);
    }), RUNS);
  });

  it('every lease left after the plan is unexpired, on its VM host and at or above releaseThreshold; new ones at or above grantThreshold', () => {
    fc.assert(fc.property(world, (req) => {
      const after = applyPlan(req.pool, req.leases, planAllocation(req)).leases;
      const before = new Set(req.leases.map((l) => l.leaseId));
      for (const l of after) {
        const e = req.atRisk.find((x) => x.incidentId === l.incidentId && x.vmId === l.vmId);
        assert.ok(e !== undefined, `lease ${l.leaseId} without an at-risk entry`);
        assert.ok(l.expiresAt > req.now, `lease ${l.leaseId} expired`);
        assert.equal(l.hostId, e.hostId);
        assert.ok(e.probability >= req.model.releaseThreshold);
        if (!before.has(l.leaseId)) assert.ok(e.probability >= req.model.grantThreshold, `new lease ${l.leaseId} below grantThreshold`);
      }
    }), RUNS);
  });

  it('hysteresis: an unexpired lease in the band [releaseThreshold, grantThreshold) on an unchanged host is kept', () => {
    fc.assert(fc.property(world, (req) => {
      const after = new Set(applyPlan(req.pool, req.leases, planAllocation(req)).leases.map((l) => l.leaseId));
      for (const l of req.leases) {
        const e = req.atRisk.find((x) => x.incidentId === l.incidentId && x.vmId === l.vmId);
        if (e === undefined || l.expiresAt <= req.now || e.hostId !== l.hostId || e.probability < req.model.releaseThreshold || e.severity === 0) continue;
        // A lease can only disappear otherwise when its VM's cap dropped to zero or its target rounds to nothing.
        if (!after.has(l.leaseId)) {
          const plan = planAllocation(req);
          const why = plan.decisions.find((d) => d.leaseId === l.leaseId)?.reason.why;
          assert.ok(why === 'over_vm_cap' || why === 'nothing_to_grant', `kept lease ${l.leaseId} released: ${String(why)}`);
        }
      }
    }), RUNS);
  });

  it('a deferred grant really did not fit: what was available is below minUsefulFraction of the target', () => {
    fc.assert(fc.property(world, (req) => {
      for (const d of planAllocation(req).deferred) {
        if (d.reason.why === 'unknown_host') continue;
        const keys = (['cpuMillis', 'memoryMiB', 'networkMbps'] as const).filter((k) => d.wanted[k] > 0);
        assert.ok(keys.some((k) => d.available[k] / d.wanted[k] < req.policy.minUsefulFraction));
      }
    }), RUNS);
  });

  it('closing an incident releases all its leases and leaves the others and the other pool entries untouched', () => {
    fc.assert(fc.property(world, fc.constantFrom(...INCIDENTS), (req, incidentId) => {
      const after = applyPlan(req.pool, req.leases, releaseIncident(req.leases, incidentId, req.now));
      assert.deepEqual(after.leases.map((l) => l.incidentId).filter((i) => i === incidentId), []);
      assert.deepEqual(after.leases, [...req.leases].filter((l) => l.incidentId !== incidentId).sort((a, b) => (a.leaseId < b.leaseId ? -1 : 1)));
      assert.deepEqual(capacityViolations(req, after.leases, 'held before'), []);
    }), RUNS);
  });

  it('no churn: probabilities oscillating around grantThreshold by less than the gap give at most one GRANT and nothing else', () => {
    fc.assert(fc.property(
      thresholds,
      fc.array(fraction(-0.999, 0.999), { minLength: 2, maxLength: 40 }),
      fc.integer({ min: 1000, max: 4 * MINUTE }),
      (t, wobble, step) => {
        const m = model(t);
        const gap = t.grantThreshold - t.releaseThreshold;
        let state: { pool: ResourcePool; leases: Lease[] } = { pool: pool({ h1: res(1e6, 1e6, 1e6) }), leases: [] };
        const seen = { GRANT: 0, ADJUST: 0, RENEW: 0, RELEASE: 0 };
        wobble.forEach((w, i) => {
          const probability = Math.min(1, Math.max(0, t.grantThreshold + w * gap));
          if (probability < t.releaseThreshold) return; // clamped at 0 when releaseThreshold is 0
          const req = request({ now: T0 + i * step, model: m, pool: state.pool, leases: state.leases, atRisk: [atRisk('vm-a', { probability })] });
          const plan = planAllocation(req);
          const c = counts(plan);
          seen.GRANT += c.GRANT;
          seen.ADJUST += c.ADJUST;
          seen.RELEASE += c.RELEASE;
          state = applyPlan(state.pool, state.leases, plan);
        });
        assert.ok(seen.GRANT <= 1, `granted ${seen.GRANT} times`);
        assert.equal(seen.ADJUST, 0);
        assert.equal(seen.RELEASE, 0);
      },
    ), RUNS);
  });

  it('crossing below releaseThreshold releases; staying in the band never grants a VM that had no lease', () => {
    fc.assert(fc.property(thresholds, unit, (t, f) => {
      const m = model(t);
      const inBand = t.releaseThreshold + f * (t.grantThreshold - t.releaseThreshold) * 0.999;
      assert.deepEqual(planAllocation(request({ model: m, atRisk: [atRisk('vm-a', { probability: inBand })] })).decisions, []);
      const below = t.releaseThreshold * f * 0.999;
      if (!(below < t.releaseThreshold)) return; // releaseThreshold 0 (or denormal): nothing is below it
      const held = applyPlan(pool({ h1: res(1e6, 1e6, 1e6) }), [], planAllocation(request({ model: m, atRisk: [atRisk('vm-a', { probability: 1 })] })));
      const plan = planAllocation(request({ model: m, pool: held.pool, leases: held.leases, now: T0 + MINUTE, atRisk: [atRisk('vm-a', { probability: below })] }));
      assert.deepEqual(plan.decisions.map((d) => [d.action, d.reason.why]), [['RELEASE', 'below_release_threshold']]);
    }), RUNS);
  });
});
