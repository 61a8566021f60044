import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pathway, Vm } from '@foresight/core';
import type { StoredTopology } from '@foresight/stores';
import { FleetTopology } from '../src/fleet-topology.js';
import { T0 } from './builder-world.js';

const R = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };
const vm = (id: string, hostId = `h-${id}`): Vm => ({ id, hostId, groupId: 'g', systemId: 'sys', capacity: R, allocation: R, criticality: 0.5 });
const pathway = (source: string, target: string, lastSeenAt: number, callsPerSec = 100): Pathway => ({
  source, target, kind: 'API_CALL', features: { bandwidthMbps: 10, callsPerSec, latencyP50Ms: 5, latencyP99Ms: 20, errorRate: 0.01, lastSeenAt },
});
const stored = (vms: readonly Vm[], pathways: readonly Pathway[]): StoredTopology => ({ vms, hosts: [], pathways });
const topology = (): FleetTopology => new FleetTopology({ halfLifeMs: 60_000, staleAfterMs: 300_000, thresholds: { relativeChange: 0.05, lastSeenRefreshMs: 60_000 } });

test('a refresh from the store replaces what this instance did not change, and drops what the owner removed', () => {
  const t = topology();
  t.load(stored([vm('a'), vm('b'), vm('c'), vm('gone')], [pathway('a', 'b', T0), pathway('c', 'b', T0), pathway('gone', 'b', T0)]));
  assert.deepEqual(t.counts(), { vms: 4, hosts: 0, pathways: 3, pendingPathways: 0 });
  // Since: the owner moved c, removed `gone` and its pathway, and saw c → b later; this instance inventoried d and observed a → b.
  t.upsertVm(vm('d'));
  t.observe({ source: 'a', target: 'b', kind: 'API_CALL' }, { bandwidthMbps: 10, callsPerSec: 300, latencyP50Ms: 5, latencyP99Ms: 20, errorRate: 0.01, at: T0 + 60_000 });
  const refreshed = t.load(stored([vm('a'), vm('b'), vm('c', 'h-elsewhere')], [pathway('a', 'b', T0), pathway('c', 'b', T0 + 120_000, 40)]));

  assert.equal(t.hasVm('gone'), false, 'a VM the owner removed is dropped');
  assert.equal(t.hasVm('d'), true, 'a VM inventoried here since the last flush is kept');
  assert.deepEqual(refreshed, { vms: 2, pathways: 1, forgotten: 1 });
  assert.deepEqual(t.counts(), { vms: 4, hosts: 0, pathways: 2, pendingPathways: 1 });
  // c → b now carries the owner's later observation; a → b keeps what was observed here (pending, newer).
  assert.ok(Math.abs(t.pathwayFeatures('c', 'b', 'API_CALL', T0 + 120_000)!.callsPerSec - 40) < 1e-9);
  assert.ok(t.pathwayFeatures('a', 'b', 'API_CALL', T0 + 60_000)!.callsPerSec > 100);
  // The moved VM is written with its new host at the next flush only if this instance changes it: the store has it.
  const plan = t.planFlush(T0 + 120_000, true);
  assert.deepEqual(plan.vmUpserts.map((v) => v.id), ['d']);
  assert.equal(plan.pathwayRemovals.length, 0, 'nothing the owner kept alive is removed');
});

test('a VM whose removal is pending here is not brought back by a refresh', () => {
  const t = topology();
  t.load(stored([vm('a'), vm('b')], [pathway('a', 'b', T0)]));
  t.removeVm('a');
  t.load(stored([vm('a'), vm('b')], [pathway('a', 'b', T0)]));
  assert.equal(t.hasVm('a'), false);
  assert.deepEqual(t.planFlush(T0, false).vmRemovals, ['a']);
});
